"""Reference points for the benchmark, served by the same gunicorn as the portal.

- :func:`floor`: the cheapest Django JSON response (no database, no search) — what
  the server, the middleware and the client cost by themselves.
- :func:`icontains_search`: the naive peer of the search API — a database scan with
  ``icontains`` over the same texts the index holds (title, subtitle, keywords, intro,
  headings, section texts, references), every word required, first page with snippets.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, JsonResponse

from essays.models import Essay
from search.highlight import snippet

PAGE_SIZE = 10


def floor(request: HttpRequest) -> JsonResponse:
    """``/bench/floor/``: a constant JSON body."""
    return JsonResponse({"ok": True})


def _matches(word: str) -> Q:
    return (
        Q(title__icontains=word)
        | Q(subtitle__icontains=word)
        | Q(intro__icontains=word)
        | Q(keywords__icontains=word)
        | Q(sections__heading__icontains=word)
        | Q(sections__text__icontains=word)
        | Q(references__text__icontains=word)
    )


def icontains_search(request: HttpRequest) -> JsonResponse:
    """``/bench/icontains/?q=``: essays containing every word, count and first page."""
    words = [w for w in request.GET.get("q", "").replace('"', " ").split() if w]
    ids = Essay.objects.all()
    for word in words:
        ids = ids.filter(pk__in=Essay.objects.filter(_matches(word)).values("pk"))
    ids = list(ids.order_by("pk").values_list("pk", flat=True))
    page = Essay.objects.filter(pk__in=ids[:PAGE_SIZE]).prefetch_related("sections")
    results = []
    for essay in page:
        text = next(
            (s.text for s in essay.sections.all() if any(w in s.text for w in words)),
            essay.intro,
        )
        results.append(
            {
                "essay_id": essay.pk,
                "title": essay.title,
                "url": essay.get_absolute_url(),
                "snippet": str(snippet(text, words)),
            }
        )
    return JsonResponse(
        {"query": request.GET.get("q", ""), "count": len(ids), "results": results},
        json_dumps_params={"ensure_ascii": False},
    )
