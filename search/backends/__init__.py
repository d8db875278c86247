"""The search engine the portal runs on, chosen by ``PORTAL_SEARCH_BACKEND``.

``whoosh`` (the default): whoosh through haystack, its index under the data directory,
one machine. ``postgres``: PostgreSQL's full-text search in the portal's own database,
for several web machines sharing it (``DATABASE_URL`` must then name PostgreSQL).
Everything outside this package uses :func:`get_backend` and :mod:`.base` only.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from search.backends.base import (
    ALL_WORDS,
    EXACT,
    MOST_WORDS,
    PINYIN,
    Check,
    Hit,
    IndexUnavailable,
    Match,
    SearchBackend,
)

__all__ = [
    "ALL_WORDS",
    "BACKENDS",
    "EXACT",
    "MOST_WORDS",
    "PINYIN",
    "Check",
    "Hit",
    "IndexUnavailable",
    "Match",
    "SearchBackend",
    "backend_name",
    "get_backend",
]

#: The backends ``PORTAL_SEARCH_BACKEND`` may name, and their classes.
BACKENDS = {
    "whoosh": "search.backends.whoosh.WhooshBackend",
    "postgres": "search.backends.postgres.PostgresBackend",
}

_lock = threading.Lock()
_instances: dict[str, SearchBackend] = {}


def backend_name() -> str:
    """The configured backend's name (``PORTAL_SEARCH_BACKEND``, default ``whoosh``)."""
    name = getattr(settings, "PORTAL_SEARCH_BACKEND", "whoosh") or "whoosh"
    if name not in BACKENDS:
        raise ImproperlyConfigured(
            f"PORTAL_SEARCH_BACKEND={name!r}: choose one of {', '.join(sorted(BACKENDS))}."
        )
    return name


def get_backend(name: str | None = None) -> SearchBackend:
    """The search backend (one instance per process and name)."""
    name = name or backend_name()
    backend = _instances.get(name)
    if backend is None:
        with _lock:
            backend = _instances.get(name)
            if backend is None:
                if name not in BACKENDS:
                    raise ImproperlyConfigured(f"Unknown search backend {name!r}.")
                backend = _instances[name] = import_string(BACKENDS[name])()
    return backend
