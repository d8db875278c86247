"""Reading pages: home, essay, topic list and topic shelf; plus the site's 404 handler.

Views are thin: one selector call, a 404 with a Chinese message for anything unknown,
and a template.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found as default_page_not_found

from essays import selectors
from essays.api.views import json_error
from essays.models import Essay, Topic
from essays.paging import BadPage, get_page

ESSAYS_PER_TOPIC_PAGE = 50


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The home page: topics with counts and descriptions, collections with their essays."""
    return render(
        request,
        "essays/home.html",
        {
            "topics": selectors.topic_list_with_counts(),
            "collections": selectors.collection_list_with_essays(),
        },
    )


@require_safe
def essay_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One essay: title block, outline, intro, every section with its anchor, references."""
    try:
        essay = selectors.essay_detail(pk=pk)
    except Essay.DoesNotExist as error:
        raise Http404("没有找到这篇文章。") from error
    sections = essay.sections.all()
    return render(
        request,
        "essays/essay_detail.html",
        {
            "essay": essay,
            "sections": sections,
            "outline": selectors.essay_outline(sections),
            "references": essay.references.all(),
        },
    )


@require_safe
def topic_list(request: HttpRequest) -> HttpResponse:
    """All topics with their descriptions and essay counts."""
    return render(request, "essays/topic_list.html", {"topics": selectors.topic_list_with_counts()})


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One topic shelf: its description and its essays, 50 a page; 404 for a bad page."""
    try:
        topic = selectors.topic_detail(slug=slug)
    except Topic.DoesNotExist as error:
        raise Http404("没有找到这个主题。") from error
    try:
        page = get_page(
            selectors.essay_list(topic_slug=topic.slug),
            request.GET.get("page"),
            per_page=ESSAYS_PER_TOPIC_PAGE,
        )
    except BadPage as error:
        raise Http404(str(error)) from error
    return render(request, "essays/topic_detail.html", {"topic": topic, "page": page})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404: a JSON error under ``/api/``, the Chinese 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return json_error("没有找到请求的接口或资源。", status=404)
    return default_page_not_found(request, exception)
