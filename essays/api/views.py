"""JSON endpoints for essays and topics: thin views over the selectors.

All endpoints are read-only: GET and HEAD only, anything else is 405 with a JSON error.
Errors are JSON ``{"error": "<中文说明>"}``. A bad ``page`` (not a whole number, below 1,
or past the last page) is always 404, like an unknown topic slug or essay id.
Bodies are UTF-8 with Chinese written as is (``ensure_ascii=False``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from essays import selectors
from essays.api import serializers
from essays.models import Essay, Topic
from essays.paging import BadPage, get_page
from pagecache.decorators import cacheable_page

ESSAYS_PER_PAGE = 50
SAFE_METHODS = ("GET", "HEAD")


def json_response(data: dict[str, Any], *, status: int = 200) -> JsonResponse:
    """A JSON response with Chinese kept readable (not ``\\u``-escaped)."""
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def json_error(message: str, *, status: int) -> JsonResponse:
    """A JSON error body ``{"error": message}`` with ``status``."""
    return json_response({"error": message}, status=status)


def read_only(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Allow only GET and HEAD; answer anything else with a JSON 405 and an Allow header.

    The views change nothing, so they are exempt from CSRF checks: a POST gets the 405
    that explains the API is read-only rather than a CSRF failure page.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if request.method not in SAFE_METHODS:
            response = json_error("该接口只读，只支持 GET 和 HEAD 请求。", status=405)
            response["Allow"] = ", ".join(SAFE_METHODS)
            return response
        return view(request, *args, **kwargs)

    return wrapper


@cacheable_page
@read_only
def essay_list(request: HttpRequest) -> JsonResponse:
    """``GET /api/essays/?topic=<slug>&page=``: essays 50 a page, optionally of one topic.

    404 for an unknown topic slug and for a bad page number.
    """
    topic_slug = request.GET.get("topic") or None
    if topic_slug is not None:
        try:
            selectors.topic_detail(slug=topic_slug)
        except Topic.DoesNotExist:
            return json_error(f"没有找到主题“{topic_slug}”。", status=404)
    try:
        page = get_page(
            selectors.essay_list(topic_slug=topic_slug),
            request.GET.get("page"),
            per_page=ESSAYS_PER_PAGE,
        )
    except BadPage as error:
        return json_error(str(error), status=404)
    return json_response(
        {
            "count": page.paginator.count,
            "page": page.number,
            "num_pages": page.paginator.num_pages,
            "results": [serializers.essay_summary(essay) for essay in page.object_list],
        }
    )


@cacheable_page
@read_only
def essay_detail(request: HttpRequest, pk: int) -> JsonResponse:
    """``GET /api/essays/<id>/``: one whole essay; 404 if there is no such essay."""
    try:
        essay = selectors.essay_detail(pk=pk)
    except Essay.DoesNotExist:
        return json_error("没有找到这篇文章。", status=404)
    return json_response(serializers.essay_full(essay))


@cacheable_page
@read_only
def topic_list(request: HttpRequest) -> JsonResponse:
    """``GET /api/topics/``: every topic with its description and essay count."""
    topics = selectors.topic_list_with_counts()
    return json_response({"results": [serializers.topic_summary(topic) for topic in topics]})
