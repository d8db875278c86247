"""A second writer on the test's PostgreSQL database, for tests of lock waits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import pytest
from django.db import connection


@contextmanager
def another_writer(monkeypatch: pytest.MonkeyPatch, lock_timeout_ms: int) -> Iterator:
    """The portal's connections from now on give up on a lock after ``lock_timeout_ms``;
    yields a second connection to the same database (without that timeout) to hold
    locks as another writer would. Both are closed at the end, so the next test
    connects with the settings' own timeout."""
    connection.close()
    options = connection.settings_dict.setdefault("OPTIONS", {})
    monkeypatch.setitem(options, "options", f"-c lock_timeout={lock_timeout_ms}")
    params = connection.get_connection_params()
    params.pop("options", None)
    writer = psycopg2.connect(**params)
    try:
        yield writer
    finally:
        writer.close()  # rolls back what it still holds
        connection.close()
