"""Writing essays' whoosh documents through haystack: essay ids into index writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from haystack.exceptions import NotHandled

from essays.models import Essay


def write_essays(
    essay_ids: Iterable[int], *, connections: Any = None, router: Any = None, batch_size: int = 500
) -> bool:
    """Bring these essays' search documents in line with the database.

    Essays are loaded and indexed ``batch_size`` at a time (one writer commit each), and
    the documents of essays that are gone are removed together. Raises whatever the
    index write raised. Returns False when a write was handed to a background writer
    (another process held the index lock past the backend's ``lock_timeout``): the
    change is then not yet confirmed on disk (see :mod:`search.outbox`).
    """
    if connections is None:
        from haystack import connection_router as router
        from haystack import connections
    essay_ids = list(dict.fromkeys(int(pk) for pk in essay_ids))
    targets = []
    for using in router.for_write():
        try:
            index = connections[using].get_unified_index().get_index(Essay)
        except NotHandled:
            continue
        targets.append((index, index.get_backend(using)))
    complete = True
    found: set[int] = set()
    for start in range(0, len(essay_ids), batch_size):
        essays = list(
            Essay.objects.filter(pk__in=essay_ids[start : start + batch_size]).prefetch_related(
                "sections", "references", "topics"
            )
        )
        found.update(essay.pk for essay in essays)
        for index, backend in targets:
            if essays:
                complete = backend.update(index, essays) is not False and complete
    gone = [f"essays.essay.{essay_id}" for essay_id in essay_ids if essay_id not in found]
    for _, backend in targets:
        if gone and hasattr(backend, "remove_many"):
            complete = backend.remove_many(gone) is not False and complete
        else:
            for identifier in gone:
                complete = backend.remove(identifier) is not False and complete
    return complete
