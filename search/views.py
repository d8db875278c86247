"""The search page and the search API: thin views over :mod:`search.services`."""

from __future__ import annotations

import re
import unicodedata

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from essays.api.views import json_error, json_response, read_only
from essays.models import Topic
from essays.paging import BadPage, get_page
from pagecache.decorators import cacheable_page
from search import services, suggestions
from search.query import MAX_QUERY_LENGTH

PAGE_SIZE = 10
MAX_PAGE_SIZE = 50


def _topic(slug: str | None) -> Topic | None:
    """The topic named by ``?topic=`` (None when empty); unknown slugs raise LookupError."""
    slug = (slug or "").strip()
    if not slug:
        return None
    try:
        return Topic.objects.get(slug=slug)
    except Topic.DoesNotExist as error:
        raise LookupError("没有这个主题。") from error


def _ranked_upto(raw_page: str | None, per_page: int) -> int:
    """How many hits the requested page needs ranked (a bad page number counts as 1:
    :func:`get_page` rejects it once the count is known)."""
    text = unicodedata.normalize("NFKC", raw_page or "").strip()
    number = int(text) if re.fullmatch(r"[0-9]{1,6}", text) else 1
    return max(number, 1) * per_page


def _correction(outcome: services.SearchOutcome, topic: Topic | None) -> str:
    """A homophone correction when no essay matches the query as typed ('' if none)."""
    if outcome.error or outcome.parsed.is_empty or outcome.exact_count:
        return ""
    return suggestions.correction(outcome.parsed, topic=topic)


@cacheable_page
@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """``/search/?q=&topic=&page=``: results, facets, pagination or a helpful empty state."""
    raw_query = request.GET.get("q", "")
    try:
        topic = _topic(request.GET.get("topic"))
    except LookupError as error:
        raise Http404(str(error)) from error
    outcome = services.search_essays(
        raw_query, topic=topic, first=_ranked_upto(request.GET.get("page"), PAGE_SIZE)
    )
    try:
        page = get_page(outcome.hits, request.GET.get("page"), per_page=PAGE_SIZE)
    except BadPage as error:
        raise Http404(str(error)) from error
    results = services.present(list(page.object_list), outcome.parsed)
    empty = not outcome.hits and not outcome.error and not outcome.parsed.is_empty
    correction = _correction(outcome, topic)
    return render(
        request,
        "search/results.html",
        {
            "query": outcome.parsed.raw,
            "outcome": outcome,
            "topic": topic,
            "page": page,
            "results": results,
            "has_pinyin_results": any(result.tier == 2 for result in results),
            "partial_message": services.partial_message(outcome),
            "segmented": outcome.parsed.segmented(),
            "correction": correction,
            "suggestion": suggestions.suggest(outcome.parsed, topic=topic)
            if empty and not correction
            else "",
            "all_topics": services.topics_with_counts() if empty or not raw_query else [],
            "max_query_length": MAX_QUERY_LENGTH,
        },
    )


def _page_size(raw: str | None) -> int:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return PAGE_SIZE
    if not re.fullmatch(r"[0-9]{1,4}", text) or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size 必须是 1 到 {MAX_PAGE_SIZE} 之间的整数。")
    return int(text)


@cacheable_page
@read_only
def search_api(request: HttpRequest) -> JsonResponse:
    """``/api/search/?q=&topic=&page=&page_size=``: one result per essay, best first."""
    raw_query = request.GET.get("q", "")
    try:
        page_size = _page_size(request.GET.get("page_size"))
    except ValueError as error:
        return json_error(str(error), status=400)
    try:
        topic = _topic(request.GET.get("topic"))
    except LookupError as error:
        return json_error(str(error), status=404)
    outcome = services.search_essays(
        raw_query, topic=topic, first=_ranked_upto(request.GET.get("page"), page_size)
    )
    if outcome.error:
        return json_response(
            {
                "query": outcome.parsed.raw,
                "count": 0,
                "exact_count": 0,
                "page": 1,
                "num_pages": 1,
                "results": [],
                "suggestion": None,
                "error": outcome.error,
            },
            status=400,
        )
    try:
        page = get_page(outcome.hits, request.GET.get("page"), per_page=page_size)
    except BadPage as error:
        return json_error(str(error), status=404)
    results = services.present(list(page.object_list), outcome.parsed)
    empty = not outcome.hits and not outcome.parsed.is_empty
    suggestion = _correction(outcome, topic)
    if empty and not suggestion:
        suggestion = suggestions.suggest(outcome.parsed, topic=topic)
    return json_response(
        {
            "query": outcome.parsed.raw,
            "count": outcome.count,
            "exact_count": outcome.exact_count,
            "page": page.number,
            "num_pages": page.paginator.num_pages,
            "results": [
                {
                    "essay_id": result.essay.pk,
                    "title": result.essay.title,
                    "display_title": result.essay.display_title,
                    "url": result.url,
                    "section_id": result.section.pk if result.section else None,
                    "section_heading": result.section.heading if result.section else None,
                    "snippet": str(result.snippet),
                    "score": round(result.score, 4),
                    "pinyin_match": result.tier == 2,
                    "matched": list(result.matched),
                }
                for result in results
            ],
            "suggestion": suggestion or None,
            "segmented": outcome.parsed.segmented(),
            "partial_message": services.partial_message(outcome) or None,
            "facets": [
                {"slug": t.slug, "name": t.name, "count": t.hit_count} for t in outcome.facets
            ],
        }
    )
