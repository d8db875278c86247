"""Polite Chinese answers for the failures a reader can meet: 503 and 429.

- The database unreachable (``OperationalError`` / ``InterfaceError``) → 503 "服务暂时不可用";
  still locked by another writer after the busy timeout → 503 "服务器正忙".
- The search index missing or damaged (:class:`search.backends.IndexUnavailable`) → 503
  "暂时无法搜索"; every other page keeps working, since the database is the truth.
- Too many searches from one client → 429 with ``Retry-After``.

Pages get a Chinese HTML page, ``/api/`` and ``/healthz`` a JSON body
``{"error": "<中文说明>"}``. Nothing here touches the database.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as default_server_error

from search.backends import IndexUnavailable

log = logging.getLogger("portal.errors")

DATABASE_UNAVAILABLE = "服务暂时不可用：数据库暂时无法连接，请稍后再试。"
DATABASE_BUSY = "服务器正忙：数据库正在写入大量数据（例如导入），请稍后再试。"
SEARCH_UNAVAILABLE = "暂时无法搜索：搜索索引正在维护或需要重建，请稍后再试。文章页面仍可正常浏览。"
TOO_MANY_SEARCHES = "搜索太频繁了：请在 {seconds} 秒后再试。"

#: Seconds a client is asked to wait before trying again.
DATABASE_RETRY_AFTER = 30
SEARCH_RETRY_AFTER = 60


#: PostgreSQL: lock_not_available, deadlock_detected, serialization_failure.
_PG_BUSY_CODES = {"55P03", "40P01", "40001"}


def is_database_busy(error: BaseException) -> bool:
    """Whether ``error`` means another writer held the database, not that it is down."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    code = getattr(cause, "pgcode", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)
    if code in _PG_BUSY_CODES:
        return True
    text = str(error).lower()
    return "database is locked" in text or "database table is locked" in text


def wants_json(request: HttpRequest) -> bool:
    """Whether the request is for a JSON endpoint (the API and the health check)."""
    return request.path.startswith(("/api/", "/healthz"))


def _answer(
    request: HttpRequest, *, status: int, message: str, template: str, retry_after: int
) -> HttpResponse:
    if wants_json(request):
        response: HttpResponse = JsonResponse(
            {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    else:
        # No context processors and no request: rendering must not touch the database.
        body = render_to_string(template, {"message": message, "retry_after": retry_after})
        response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable(request: HttpRequest, *, busy: bool = False) -> HttpResponse:
    """503: the database cannot be reached (or stayed locked by another writer)."""
    return _answer(
        request,
        status=503,
        message=DATABASE_BUSY if busy else DATABASE_UNAVAILABLE,
        template="503.html",
        retry_after=DATABASE_RETRY_AFTER,
    )


def search_unavailable(request: HttpRequest) -> HttpResponse:
    """503: the search index cannot be read."""
    return _answer(
        request,
        status=503,
        message=SEARCH_UNAVAILABLE,
        template="search/unavailable.html",
        retry_after=SEARCH_RETRY_AFTER,
    )


def too_many_searches(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429: this client searched too often; try again after ``retry_after`` seconds."""
    return _answer(
        request,
        status=429,
        message=TOO_MANY_SEARCHES.format(seconds=retry_after),
        template="429.html",
        retry_after=retry_after,
    )


def response_for(request: HttpRequest, exception: BaseException) -> HttpResponse | None:
    """The 503 answer for an outage exception, or None for any other exception."""
    if isinstance(exception, IndexUnavailable):
        log.error("Search index unavailable: %s", exception)
        return search_unavailable(request)
    if isinstance(exception, OperationalError | InterfaceError):
        log.error("Database unavailable: %s", exception)
        return database_unavailable(request, busy=is_database_busy(exception))
    return None


class ServiceUnavailableMiddleware:
    """Turn an outage raised by a view (database, search index) into a polite 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A 503 for an outage; anything else goes on to the 500 handler."""
        return response_for(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: an outage raised outside a view (e.g. in middleware) is still a 503."""
    response = response_for(request, sys.exc_info()[1]) if sys.exc_info()[1] else None
    if response is not None:
        return response
    if wants_json(request):
        return JsonResponse(
            {"error": "服务器出错了，请稍后再试。"},
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )
    return default_server_error(request)
