"""Writing essays' search documents: the one place that turns essay ids into index writes."""

from __future__ import annotations

from collections.abc import Iterable

from search.backends import get_backend


def reindex_essays(essay_ids: Iterable[int]) -> bool:
    """Bring these essays' search documents in line with the database (write those that
    exist, remove those that are gone), with the configured backend. Raises whatever the
    write raised; False when the write is handed to a background writer, unconfirmed."""
    return get_backend().index(essay_ids)
