"""A per-client rate limit on searching: a fixed-window counter in Django's cache.

Why not a library: django-ratelimit (the well-kept choice) needs a shared memcached or
redis cache to pass its own system checks, and does not compute ``Retry-After``; the
portal runs without either by default. This counter is a dozen lines over ``cache.add`` +
``cache.incr``. With the default local-memory cache each gunicorn worker counts on its
own, so a client gets at most ``workers × PORTAL_SEARCH_RATE_LIMIT`` searches a window;
with ``PORTAL_CACHE_URL`` (one Redis for every machine) the limit is exact across all
workers and machines. If that Redis is down, searches are not limited (and logged).

The client is ``REMOTE_ADDR``; behind a reverse proxy set ``PORTAL_TRUSTED_PROXIES`` to
the number of proxies in front, and the address they appended to ``X-Forwarded-For``
is used instead (never a client-supplied one).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from portal.errors import too_many_searches
from portal.shared_cache import CACHE_ERRORS

log = logging.getLogger(__name__)

#: The paths the limit applies to: the search page and the search API.
LIMITED_PATHS = ("/search/", "/api/search/")


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting ``X-Forwarded-For`` only as far as configured."""
    proxies = int(getattr(settings, "PORTAL_TRUSTED_PROXIES", 0))
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as a valid IP, for the login limits (django-axes).

    The same trusted-proxy rule as :func:`client_address` (``PORTAL_TRUSTED_PROXIES``),
    so behind a proxy each reader is counted on their own address, not the proxy's; an
    address that is not an IP (a misconfigured proxy) falls back to ``REMOTE_ADDR``.
    """
    for candidate in (client_address(request), request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None


def search_allowance(client: str, *, limit: int, window: int, now: float | None = None) -> int:
    """Count one search of ``client``; 0 when allowed, else the seconds until it is."""
    now = time.time() if now is None else now
    slot = int(now // window)
    key = f"ratelimit:search:{client}:{slot}"
    try:
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this is the window's first search
            cache.set(key, 1, timeout=window + 1)
            count = 1
    except CACHE_ERRORS as error:  # a shared cache that is down: searching stays open
        log.warning("Search rate limit: shared cache unavailable: %s", error)
        return 0
    if count <= limit:
        return 0
    return max(1, math.ceil((slot + 1) * window - now))


class SearchRateLimitMiddleware:
    """Answer a client that searches more than the limit in a window with a polite 429."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(getattr(settings, "PORTAL_SEARCH_RATE_LIMIT", 0))
        if limit > 0 and request.path in LIMITED_PATHS:
            window = int(getattr(settings, "PORTAL_SEARCH_RATE_WINDOW", 60))
            retry_after = search_allowance(client_address(request), limit=limit, window=window)
            if retry_after:
                return too_many_searches(request, retry_after)
        return self.get_response(request)
