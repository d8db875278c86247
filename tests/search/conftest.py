"""Search test fixtures: a whoosh index of its own for every test, and the real corpus.

The corpus (``fixtures/source/``) is imported and indexed once per session inside a
transaction that is rolled back; each test that asks for it gets the same rows
(same primary keys) and a copy of the ready index in its own directory, so tests are
independent and safe to run in parallel workers.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import transaction
from haystack import connections

from essays.models import Collection, Essay, Reference, Section, Topic
from essays.signals import corpus_changes
from tests.corpus_events import events  # noqa: F401

SOURCES = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "source").glob("*.txt"))


def _point_index_at(path: Path | None, original: str):
    info = connections.connections_info["default"]
    info["PATH"] = str(path) if path is not None else original
    connections.reload("default")
    return connections["default"].get_backend()


@pytest.fixture(autouse=True)
def search_index(tmp_path):
    """The search backend, writing to an index directory of this test's own."""
    original = connections.connections_info["default"]["PATH"]
    backend = _point_index_at(tmp_path / "whoosh", original)
    yield backend
    _point_index_at(None, original)


def _rebuild(backend) -> int:
    index = connections["default"].get_unified_index().get_index(Essay)
    return backend.rebuild_swapped(index, index.index_queryset())


@pytest.fixture(scope="session")
def corpus_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The imported corpus as serialised rows, and a directory holding its index."""
    index_dir = tmp_path_factory.mktemp("corpus-index") / "whoosh"
    original = connections.connections_info["default"]["PATH"]
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("import_essays", *map(str, SOURCES), stdout=io.StringIO())
        rows = serializers.serialize(
            "json",
            [
                *Topic.objects.all(),  # essays refer to them (a committing test may start without)
                *Collection.objects.all(),
                *Essay.objects.all(),
                *Section.objects.order_by("essay", "order"),
                *Reference.objects.all(),
            ],
        )
        backend = _point_index_at(index_dir, original)
        _rebuild(backend)
        _point_index_at(None, original)
        transaction.set_rollback(True)
    return rows, index_dir


@pytest.fixture
def corpus(db, search_index, corpus_snapshot):
    """The real corpus in the database and in this test's index; returns the essays."""
    rows, index_dir = corpus_snapshot
    # One commit (in transactional tests), not one per row, and one corpus event naming
    # every essay (a backend that indexes in the transaction writes once, not per row).
    with corpus_changes():
        for obj in serializers.deserialize("json", rows):
            obj.save()
    shutil.rmtree(search_index.base_path, ignore_errors=True)
    shutil.copytree(index_dir, search_index.base_path)
    search_index.setup()
    return list(Essay.objects.order_by("pk"))


@pytest.fixture
def reindex(search_index):
    """Rebuild this test's index from the database (for tests that build their own data)."""
    return lambda: _rebuild(search_index)
