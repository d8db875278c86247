"""The whoosh index's state token: which generation is live and what its files are.

Read on every request (the page cache keys by it), so only a small read and a handful
of ``os.scandir`` entries, no index open. A whoosh commit adds and removes files, so
the token changes with every write; damage to a file in place changes its size or time,
so search answers 503 at once rather than a stored page. A missing file or directory
gives a stable part ("-"), never an exception.
"""

from __future__ import annotations

import hashlib
import os

from django.conf import settings

from portal.small_files import read_small

#: The marker file naming the live index generation (:mod:`.generations`; defined here,
#: where the token, read on every request, finds it without importing whoosh).
INDEX_MARKER = "CURRENT"


def _index_base() -> str | None:
    """The search index's base directory (``HAYSTACK_CONNECTIONS["default"]["PATH"]``)."""
    connections = getattr(settings, "HAYSTACK_CONNECTIONS", None) or {}
    return connections.get("default", {}).get("PATH")


def index_token() -> str:
    """The live generation and its files' names, sizes and modification times."""
    base = _index_base()
    if not base:
        return "-"
    live = read_small(os.path.join(base, INDEX_MARKER))
    if live == "-":
        return "-"
    parts = [live]
    try:
        with os.scandir(os.path.join(base, live)) as entries:
            for entry in entries:
                stat = entry.stat()
                parts.append(f"{entry.name}:{stat.st_size}:{stat.st_mtime_ns}")
    except OSError:
        return f"{live}:-"
    parts[1:] = sorted(parts[1:])
    return hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()
