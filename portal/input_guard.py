"""Drop NUL characters from query strings before any view sees them.

PostgreSQL cannot store or compare a string with NUL (``\\x00``): a ``?topic=%00``
would reach the database and fail there as a 500. No reader means one, so NULs are
removed from every GET parameter (name and value); what remains is handled as usual
(an empty search, or a 404 for a topic that does not exist).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict


class StripNulMiddleware:
    """Remove NUL from the GET parameters of every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "%00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
