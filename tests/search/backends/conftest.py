"""The shared suite's fixture: every test here runs once per search backend.

``whoosh`` always; ``postgres`` only when the test database is PostgreSQL (otherwise
the test is skipped with the reason "needs PostgreSQL"). The backend is chosen with a
settings override for the one test, and holds the real bundled corpus
(``fixtures/source/``): whoosh a copy of the corpus index, PostgreSQL its tables
written in the test's transaction.
"""

from __future__ import annotations

import pytest
from django.db import connection

from search.backends import SearchBackend, get_backend

BACKEND_NAMES = ("whoosh", "postgres")


def needs_postgresql() -> bool:
    """Whether the PostgreSQL backend cannot run here (the database is not PostgreSQL)."""
    return connection.vendor != "postgresql"


@pytest.fixture(params=BACKEND_NAMES)
def backend_name(request, settings) -> str:
    """The backend this run of the test uses (``PORTAL_SEARCH_BACKEND`` for its length)."""
    if request.param == "postgres" and needs_postgresql():
        pytest.skip("needs PostgreSQL")
    settings.PORTAL_SEARCH_BACKEND = request.param
    return request.param


@pytest.fixture
def engine(corpus, backend_name) -> SearchBackend:
    """The chosen backend, holding the bundled corpus."""
    backend = get_backend(backend_name)
    if backend_name == "postgres":
        backend.clear()
        backend.index([essay.pk for essay in corpus])
    if hasattr(backend, "forget_token"):
        backend.forget_token()
    return backend
