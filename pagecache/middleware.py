"""A cache of whole rendered responses for anonymous readers, keyed by the content version.

Reading pages, the JSON API, feeds and search answers only change when the corpus or the
search index does, so a response rendered once can be served again until then. The
middleware sits right after whitenoise (settings.MIDDLEWARE): a hit skips the rest of the
stack — sessions, CSRF, the database, templates, search — and costs a few stats
(:func:`pagecache.content_version.current`) and one cache read.

What is stored: only responses of views marked with :func:`pagecache.decorators.cacheable_page`,
status 200, not streaming, setting no cookie, varying on nothing but ``Accept-Language``,
not ``Cache-Control: private``/``no-store``, and at most ``PORTAL_PAGE_CACHE_MAX_BYTES``.
They are stored after the middleware below this one have added their headers
(X-Frame-Options, Content-Language, Content-Length…), so a hit carries exactly the
headers the live response had; the middleware above (security headers, CSP) add theirs
to hits and misses alike.

What is served from it: GET and HEAD (one entry for both; the server drops a HEAD's body)
from clients without a session cookie, so editors always see live pages and never fill
the cache with anything personal. The key is the content version, the absolute URL
(scheme, host, path and query string), the language the request resolves to (what
``Vary: Accept-Language`` means here) and the local date (the essay page's citation says
when it was accessed).

Search is rate limited by portal/ratelimit.py, which sits below this middleware: a
search answered from the cache is not counted. That is deliberate — a cached answer
costs the server nothing, and the limit exists to protect the search engine.

``X-Page-Cache`` says what happened: ``hit``, ``miss`` (looked up, not found; rendered,
and stored if storable) or ``bypass`` (a client with a session, or not GET/HEAD).
``PORTAL_PAGE_CACHE=0`` switches the middleware off. Entries live in
``CACHES["pages"]``: local memory per worker by default, one Redis for every machine
with ``PORTAL_CACHE_URL`` (:mod:`portal.shared_cache`). When that Redis is unreachable,
requests are answered live (``bypass``), never with an error.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import cc_delim_re

from pagecache import content_version
from pagecache.decorators import MARK
from portal.shared_cache import CACHE_ERRORS

log = logging.getLogger(__name__)

#: The cache alias the pages are kept in.
CACHE_ALIAS = "pages"
#: The response header telling clients, tests and benchmarks what the cache did.
STATUS_HEADER = "X-Page-Cache"
#: ``Vary`` values the key already accounts for (the language is part of it).
VARY_HANDLED = frozenset({"accept-language"})
DEFAULT_MAX_BYTES = 1024 * 1024


def is_marked(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether a view marked this response cacheable, or the URL name is listed in
    ``PORTAL_PAGE_CACHE_VIEWS`` (for views the portal cannot decorate, e.g. the sitemap)."""
    if getattr(response, MARK, False):
        return True
    match = getattr(request, "resolver_match", None)
    listed = getattr(settings, "PORTAL_PAGE_CACHE_VIEWS", ())
    return match is not None and match.view_name in listed


def is_anonymous_read(request: HttpRequest) -> bool:
    """A GET or HEAD from a client without a session (and without credentials)."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def cache_key(request: HttpRequest, version: str) -> str:
    """The key of this request's response at content ``version``."""
    language = translation.get_language_from_request(request, check_path=False)
    parts = [version, request.build_absolute_uri(), language, timezone.localdate().isoformat()]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return f"page:{digest}"


def is_storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Whether ``response`` may be served to every anonymous reader of this URL."""
    if response.status_code != 200 or response.streaming or not is_marked(request, response):
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
    if vary - VARY_HANDLED:  # Cookie, *, or a header the key does not account for
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return False
    max_bytes = int(getattr(settings, "PORTAL_PAGE_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES))
    return len(response.content) <= max_bytes


def freeze(response: HttpResponse) -> tuple[int, list[tuple[str, str]], bytes]:
    """What is stored of a response: status, headers (in order) and body."""
    return response.status_code, list(response.items()), response.content


def thaw(stored: tuple[int, list[tuple[str, str]], bytes]) -> HttpResponse:
    """A response with exactly the stored status, headers and body."""
    status, headers, body = stored
    response = HttpResponse(body, status=status)
    for name in list(response.headers):
        del response.headers[name]
    for name, value in headers:
        response.headers[name] = value
    return response


class PageCacheMiddleware:
    """Serve anonymous GET/HEAD requests from the page cache; store what views marked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        """Switched off (not used at all) when ``PORTAL_PAGE_CACHE`` is false."""
        if not getattr(settings, "PORTAL_PAGE_CACHE", True):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """A stored response when there is one; otherwise the live one, stored if it may be."""
        if not is_anonymous_read(request):
            response = self.get_response(request)
            response[STATUS_HEADER] = "bypass"
            return response
        # The version is read before rendering: a change committed while this response
        # is rendered stores it under the old version, which no request asks for again.
        key = cache_key(request, content_version.current())
        cache = caches[CACHE_ALIAS]
        try:
            stored = cache.get(key)
        except CACHE_ERRORS as error:  # a shared cache that is down: serve live pages
            log.warning("Page cache unavailable: %s", error)
            response = self.get_response(request)
            response[STATUS_HEADER] = "bypass"
            return response
        if stored is not None:
            response = thaw(stored)
            response[STATUS_HEADER] = "hit"
            return response
        response = self.get_response(request)
        if is_storable(request, response):
            try:
                cache.set(key, freeze(response))
            except CACHE_ERRORS as error:
                log.warning("Page cache unavailable: %s", error)
        response[STATUS_HEADER] = "miss"
        return response
