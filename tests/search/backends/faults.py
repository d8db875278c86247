"""Breaking a backend's index the way a fault would, for the shared suite."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def break_index(engine, backend_name: str) -> Iterator[None]:
    """While inside: the index is gone (whoosh: its live directory deleted; PostgreSQL:
    the chunk table renamed away, in a savepoint rolled back afterwards)."""
    if backend_name == "whoosh":
        haystack = engine.haystack()
        live = haystack.live_path()
        shutil.rmtree(live)
        yield
        return
    sid = transaction.savepoint()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE search_searchchunk RENAME TO search_searchchunk_gone")
        cursor.execute("ALTER TABLE search_searchdocument RENAME TO search_searchdocument_gone")
    try:
        yield
    finally:
        transaction.savepoint_rollback(sid)
