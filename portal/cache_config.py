"""How the portal's caches are configured for a shared Redis (no Django imports: the
settings module uses it)."""

from __future__ import annotations

from typing import Any

#: Seconds a Redis call may take before the caller goes on without the cache.
REDIS_TIMEOUT = 0.5


def redis_caches(url: str, *, page_entries_timeout: int = 3600) -> dict[str, dict[str, Any]]:
    """``CACHES`` with both aliases (``default``, ``pages``) in the Redis at ``url``."""
    options = {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
    backend = "django.core.cache.backends.redis.RedisCache"
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": url,
            "KEY_PREFIX": "portal",
            "OPTIONS": options,
        },
        "pages": {
            "BACKEND": backend,
            "LOCATION": url,
            "KEY_PREFIX": "portal-pages",
            "TIMEOUT": page_entries_timeout,
            "OPTIONS": options,
        },
    }
