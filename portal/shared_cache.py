"""The caches several web machines share, and what happens when they are unreachable.

With ``PORTAL_CACHE_URL`` set (settings), Django's caches live in Redis: the page cache
(``caches["pages"]``), the rate-limit counters and the content version
(``caches["default"]``). Without it they are local memory and a file, per machine.

A cache is an optimisation, never a reason to fail a request: the callers catch
:data:`CACHE_ERRORS`, log, and carry on without the cache (a live page, no rate limit, a
version that matches no stored page).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches

log = logging.getLogger(__name__)

try:  # the redis client is a dependency (requirements.txt); keep the import honest
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is pinned in requirements.txt
    RedisError = OSError  # type: ignore[assignment,misc]

#: What a cache call raises when the shared cache cannot be reached or answer in time.
CACHE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)


def is_shared() -> bool:
    """Whether the caches live in a shared Redis (``PORTAL_CACHE_URL`` is set)."""
    return bool(getattr(settings, "PORTAL_CACHE_URL", ""))


def check() -> dict[str, object]:
    """The shared cache's health for ``/healthz``: reachable and writable, or why not."""
    if not is_shared():
        return {"ok": True, "shared": False}
    cache = caches["default"]
    try:
        cache.set("healthz", "ok", timeout=30)
        ok = cache.get("healthz") == "ok"
    except CACHE_ERRORS as error:
        log.error("Health check: shared cache unavailable: %s", error)
        return {"ok": False, "shared": True, "error": "共享缓存（Redis）无法连接。"}
    if not ok:
        return {"ok": False, "shared": True, "error": "共享缓存（Redis）读写不一致。"}
    return {"ok": True, "shared": True}
