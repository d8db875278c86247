"""Test ordering the whole suite relies on.

Tests marked ``django_db(transaction=True, serialized_rollback=True)`` restore the
database from its serialised contents when they start. Django expects them to start
on a database holding either nothing or those same rows; after a transactional test
*without* serialized rollback, the flush that ends it re-creates the content types
under other ids, and the restore then fails (UNIQUE constraint on
``django_content_type``). pytest-django already runs transactional tests after the
others; here, among the transactional tests, those with serialized rollback run first,
whatever directory they were collected from.
"""

from __future__ import annotations

import pytest
from pytest_django.plugin import validate_django_db


def _transaction_and_serialized(item: pytest.Item) -> tuple[bool, bool]:
    """Whether ``item`` runs in a transactional database, and with serialized rollback
    (as pytest-django reads its ``django_db`` marker and fixtures)."""
    marker = item.get_closest_marker("django_db")
    transaction = serialized = False
    if marker is not None:
        transaction, reset_sequences, _, serialized, _ = validate_django_db(marker)
        transaction = transaction or reset_sequences
    fixtures = getattr(item, "fixturenames", ())
    transaction = transaction or "transactional_db" in fixtures or "live_server" in fixtures
    return transaction, bool(transaction and serialized)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Among the transactional tests (together at the end, after pytest-django's own
    ordering), run those with serialized rollback first, keeping each group's order."""
    kinds = [_transaction_and_serialized(item) for item in items]
    positions = [i for i, (transaction, _) in enumerate(kinds) if transaction]
    if not positions:
        return
    start, stop = positions[0], positions[-1] + 1
    block = list(zip(items[start:stop], kinds[start:stop], strict=True))
    block.sort(key=lambda pair: not pair[1][1])  # stable: serialized ones first
    items[start:stop] = [item for item, _ in block]
