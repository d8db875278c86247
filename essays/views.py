"""Reading pages: home, essay list, collection, essay, topic list and topic shelf;
the essay's citation exports; robots.txt and the OpenSearch description; the 404 handler.

Views are thin: selector calls, a 404 with a Chinese message for anything unknown,
and a template.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found as default_page_not_found

from essays import citations, reading, selectors
from essays.api.views import json_error
from essays.models import Collection, Essay, Topic
from essays.paging import BadPage, get_page
from pagecache.decorators import cacheable_page

ESSAYS_PER_TOPIC_PAGE = 50
ESSAYS_PER_LIST_PAGE = 50
#: The essay list's collection menu lists at most this many collections.
COLLECTION_MENU_LIMIT = 50
#: What the home page shows, fixed however large the corpus grows: the topics with most
#: essays, the latest changes, the fullest essays and one page of collections.
HOME_TOPICS = 12
HOME_RECENT = 6
HOME_NOTABLE = 6
COLLECTIONS_PER_HOME_PAGE = 20


@cacheable_page
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The home page, of a fixed size whatever the corpus holds: search, the topics with
    most essays, what changed lately, notable essays and a page of collections
    (``?page=``, ``COLLECTIONS_PER_HOME_PAGE`` each, with their essay counts)."""
    try:
        collections = get_page(
            selectors.collections_with_counts(),
            request.GET.get("page"),
            per_page=COLLECTIONS_PER_HOME_PAGE,
        )
    except BadPage as error:
        raise Http404(str(error)) from error
    topics = selectors.home_topics(limit=HOME_TOPICS + 1)
    return render(
        request,
        "essays/home.html",
        {
            "canonical_path": request.path
            + (f"?page={collections.number}" if collections.number > 1 else ""),
            "topics": topics[:HOME_TOPICS],
            "more_topics": len(topics) > HOME_TOPICS,
            "recent": selectors.recent_changes(limit=HOME_RECENT),
            "notable": selectors.notable_essays(limit=HOME_NOTABLE),
            "page": collections,
        },
    )


def _collection_id(raw: str | None) -> int | None:
    """The ``?collection=`` filter as an id (None when empty); Http404 when not a number."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise Http404("文集编号无效。")
    return int(text)


@cacheable_page
@require_safe
def essay_list(request: HttpRequest) -> HttpResponse:
    """``/essays/?topic=&collection=&page=``: every essay, filtered; 404 for unknown filters."""
    topic_slug = request.GET.get("topic", "").strip() or None
    collection_id = _collection_id(request.GET.get("collection"))
    topic = collection = None
    if topic_slug is not None:
        try:
            topic = selectors.topic_detail(slug=topic_slug)
        except Topic.DoesNotExist as error:
            raise Http404("没有找到这个主题。") from error
    # The collection menu is offered while it stays short; past that, readers pick a
    # collection from the home page's paged list (the page keeps a fixed size).
    collections = list(selectors.collection_choices()[: COLLECTION_MENU_LIMIT + 1])
    if len(collections) > COLLECTION_MENU_LIMIT:
        collections = []
    if collection_id is not None:
        collection = next((c for c in collections if c.pk == collection_id), None)
        if collection is None:
            collection = selectors.collection_choices().filter(pk=collection_id).first()
        if collection is None:
            raise Http404("没有找到这个文集。")
    try:
        page = get_page(
            selectors.essay_list(topic_slug=topic_slug, collection_id=collection_id),
            request.GET.get("page"),
            per_page=ESSAYS_PER_LIST_PAGE,
        )
    except BadPage as error:
        raise Http404(str(error)) from error
    page.object_list = selectors.with_summaries(page.object_list)
    kept = {"topic": topic_slug, "collection": collection_id}
    if page.number > 1:
        kept["page"] = page.number
    query = urlencode({key: value for key, value in kept.items() if value})
    return render(
        request,
        "essays/essay_list.html",
        {
            "canonical_path": f"{request.path}?{query}" if query else request.path,
            "page": page,
            "topic": topic,
            "collection": collection,
            "topics": selectors.topic_list_with_counts(),
            "collections": collections,
        },
    )


@cacheable_page
@require_safe
def collection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One collection: its title and its essays in order, a page at a time; 404 for a bad page."""
    try:
        collection = selectors.collection_detail(pk=pk)
        page = get_page(
            selectors.essay_list(collection_id=collection.pk),
            request.GET.get("page"),
            per_page=ESSAYS_PER_LIST_PAGE,
        )
    except Collection.DoesNotExist as error:
        raise Http404("没有找到这个文集。") from error
    except BadPage as error:
        raise Http404(str(error)) from error
    page.object_list = selectors.with_summaries(page.object_list)
    return render(
        request, "essays/collection_detail.html", {"collection": collection, "page": page}
    )


@cacheable_page
@require_safe
def essay_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One essay: title block, outline, intro, every section with its anchor, references."""
    try:
        essay = selectors.essay_detail(pk=pk)
    except Essay.DoesNotExist as error:
        raise Http404("没有找到这篇文章。") from error
    sections = essay.sections.all()
    references = essay.references.all()
    topics = essay.topics.all()
    return render(
        request,
        "essays/essay_detail.html",
        {
            "essay": essay,
            "sections": sections,
            "outline": selectors.essay_outline(sections),
            "references": references,
            "topics": topics,
            "marker_targets": reading.reference_targets(references),
            "reading_minutes": reading.reading_minutes(essay, sections),
            "neighbours": selectors.essay_neighbours(essay),
            "related": selectors.with_summaries(
                selectors.related_essays(essay, [t.pk for t in topics])
            ),
            "description": reading.description(
                essay.subtitle, essay.intro, *(s.text for s in sections)
            ),
            **_citation_context(request, essay),
        },
    )


def _citation_context(request: HttpRequest, essay: Essay) -> dict[str, object]:
    """What the essay page needs to be cited and saved by a reference manager: the
    GB/T 7714 line (in pieces), the essay's own exports and its COinS span."""
    url = request.build_absolute_uri(essay.get_absolute_url())
    accessed = timezone.localdate()
    revised = essay.updated_at.date() if essay.updated_at else None
    coins = {
        "ctx_ver": "Z39.88-2004",
        "rft_val_fmt": "info:ofi/fmt:kev:mtx:book",
        "rft.genre": "bookitem",
        "rft.atitle": essay.display_title,
        "rft.btitle": essay.collection.title,
        "rft.pub": citations.SITE_NAME,
        "rft.language": "zh",
        "rft_id": url,
    }
    if revised:
        coins["rft.date"] = revised.isoformat()
    return {
        "citation_parts": citations.gbt7714_parts(essay, url=url, accessed=accessed),
        "citation_url": url,
        "citation_title": citations.essay_title(essay),
        "citation_date": revised.strftime("%Y/%m/%d") if revised else "",
        "essay_exports": [
            ("BibTeX", "bib", citations.essay_bibtex(essay, url=url, accessed=accessed)),
            ("RIS", "ris", citations.essay_ris(essay, url=url, accessed=accessed)),
            ("CSL-JSON", "csl-json", citations.essay_csl_json(essay, url=url, accessed=accessed)),
        ],
        "coins": urlencode(coins),
    }


CITATION_FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


@cacheable_page
@require_safe
def essay_citation_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The essay itself as a download for reference managers: BibTeX, RIS or CSL-JSON."""
    if fmt not in CITATION_FORMATS:
        raise Http404("不支持这种导出格式。")
    try:
        essay = Essay.objects.select_related("collection").defer("collection__raw_text").get(pk=pk)
    except Essay.DoesNotExist as error:
        raise Http404("没有找到这篇文章。") from error
    url = request.build_absolute_uri(essay.get_absolute_url())
    export = {"bib": citations.essay_bibtex, "ris": citations.essay_ris}.get(
        fmt, citations.essay_csl_json
    )
    content_type, extension = CITATION_FORMATS[fmt]
    response = HttpResponse(
        export(essay, url=url, accessed=timezone.localdate()), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="essay-{essay.pk}.{extension}"'
    return response


@cacheable_page
@require_safe
def essay_references_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The essay's reference list as a download: BibTeX, RIS or CSL-JSON."""
    if fmt not in CITATION_FORMATS:
        raise Http404("不支持这种导出格式。")
    try:
        essay = selectors.essay_detail(pk=pk)
    except Essay.DoesNotExist as error:
        raise Http404("没有找到这篇文章。") from error
    references = essay.references.all()
    if fmt == "bib":
        body = citations.bibtex(essay, references)
    elif fmt == "ris":
        body = citations.ris(references)
    else:
        body = citations.csl_json(essay, references)
    content_type, extension = CITATION_FORMATS[fmt]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="essay-{essay.pk}-references.{extension}"'
    )
    return response


@cacheable_page
@require_safe
def topic_list(request: HttpRequest) -> HttpResponse:
    """All topics with their descriptions and essay counts."""
    return render(request, "essays/topic_list.html", {"topics": selectors.topic_list_with_counts()})


@cacheable_page
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
    essays = list(page.object_list)
    sections = selectors.sections_of(essay.pk for essay in essays)
    essays = selectors.with_summaries(essays, sections)
    shelf = [
        (essay, reading.topic_extracts(sections.get(essay.pk, []), topic.keyword_weights))
        for essay in essays
    ]
    canonical_path = request.path + (f"?page={page.number}" if page.number > 1 else "")
    return render(
        request,
        "essays/topic_detail.html",
        {"topic": topic, "page": page, "shelf": shelf, "canonical_path": canonical_path},
    )


@cacheable_page
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """robots.txt: everything readable may be crawled; the admin and API are left out."""
    sitemap = request.build_absolute_uri(reverse("essays:sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /search/",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on pages that name no icon (the admin's
    own pages, files, error pages): a permanent redirect to the site's SVG icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@cacheable_page
@require_safe
def opensearch(request: HttpRequest) -> HttpResponse:
    """The OpenSearch description, so browsers can add the portal's search."""
    return render(
        request,
        "opensearch.xml",
        {"base": request.build_absolute_uri("/").rstrip("/")},
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404: a JSON error under ``/api/``, the Chinese 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return json_error("没有找到请求的接口或资源。", status=404)
    return default_page_not_found(request, exception)
