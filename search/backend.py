"""haystack's whoosh backend, made fit for Chinese text and for more than one process.

- Text fields get the analyser their haystack field names (``analyzer=``), are stored
  only when the field says so, and keep positions for phrase queries.
- One writer: writes in a process are serialised, and a writer that finds the index
  locked by another process waits for it (whoosh allows one writer at a time).
- Generations: ``PATH`` holds index directories and a ``CURRENT`` file naming the live
  one.  Clearing the whole index (``clear_index``, ``rebuild_index``) starts a fresh
  directory and switches ``CURRENT`` atomically; :meth:`rebuild_swapped` builds a
  complete new index before switching, so searches never see a half-built index and a
  crash leaves the previous index intact.
- Reading never creates an index: a live index that is missing or unreadable raises
  :class:`IndexUnavailable`, which the site answers with a 503 ("暂时无法搜索") until
  ``rebuild_index_swapped`` builds a new one.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import ID
from haystack.utils import get_identifier
from whoosh import index as whoosh_index
from whoosh.fields import TEXT
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.writing import AsyncWriter

CURRENT = "CURRENT"
log = logging.getLogger(__name__)
_write_lock = threading.RLock()


class IndexUnavailable(Exception):
    """The live search index is missing or cannot be read (the database is unaffected)."""


class ChineseWhooshSearchBackend(WhooshSearchBackend):
    """Whoosh with per-field analysers, a single writer and swappable index directories."""

    lock_timeout = 30.0

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.base_path = Path(self.path)

    # Schema -------------------------------------------------------------------------

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field in fields.values():
            if field.analyzer is None or field.is_multivalued:
                continue
            name = field.index_fieldname
            schema.remove(name)
            schema.add(
                name,
                TEXT(
                    analyzer=field.analyzer,
                    stored=field.stored,
                    phrase=True,
                    field_boost=field.boost,
                    spelling=field.document,
                ),
            )
        return content_field_name, schema

    # Generations --------------------------------------------------------------------

    def current_path(self) -> Path:
        """The live index directory (created with a first generation if none)."""
        marker = self.base_path / CURRENT
        try:
            name = marker.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            name = ""
        if name and (self.base_path / name).is_dir():
            return self.base_path / name
        return self._switch_to(self._new_generation())

    def live_path(self) -> Path:
        """The live index directory, for reading: raises IndexUnavailable, never creates."""
        try:
            name = (self.base_path / CURRENT).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise IndexUnavailable(f"no {CURRENT} file in {self.base_path}") from error
        path = self.base_path / name if name else None
        if path is None or not path.is_dir():
            raise IndexUnavailable(f"live index directory {name!r} is missing")
        return path

    def _new_generation(self) -> Path:
        self.base_path.mkdir(parents=True, exist_ok=True)
        path = self.base_path / f"index-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path.mkdir()
        return path

    def _switch_to(self, path: Path) -> Path:
        marker = self.base_path / CURRENT
        temporary = self.base_path / f".{CURRENT}.{uuid.uuid4().hex}"
        temporary.write_text(path.name, encoding="utf-8")
        os.replace(temporary, marker)  # atomic: readers see the old or the new name
        return path

    def _remove_other_generations(self, keep: Path) -> None:
        for child in self.base_path.glob("index-*"):
            if child.is_dir() and child != keep:
                shutil.rmtree(child, ignore_errors=True)

    def setup(self):
        path = self.current_path()
        self.path = str(path)
        if any(path.iterdir()) and not whoosh_index.exists_in(str(path)):
            # A damaged index: never paper over it with an empty one (haystack would).
            raise IndexUnavailable(f"no readable index in {path}")
        super().setup()

    def _schema(self):
        """The whoosh schema of the registered indexes (without opening any index)."""
        from haystack import connections

        fields = connections[self.connection_alias].get_unified_index().all_searchfields()
        return self.build_schema(fields)[1]

    def _follow_current_if_readable(self) -> None:
        """Like :meth:`_ensure_current`, for rebuilds: a broken live index is replaced."""
        try:
            self._ensure_current()
        except Exception as error:
            log.warning("The live search index is unreadable (%r); replacing it.", error)

    def _ensure_current(self) -> None:
        """Follow a switch of ``CURRENT`` made by another process."""
        if not self.setup_complete or Path(self.path) != self.current_path():
            self.setup()

    def delete_index(self):
        with _write_lock:
            old = Path(self.path) if self.path else None
            new = self._new_generation()
            FileStorage(str(new)).create_index(self._schema())
            self._switch_to(new)
            self.setup()
            if old is not None and old != new:
                self._remove_other_generations(keep=new)

    def rebuild_swapped(self, search_index, iterable, batch_size: int = 200) -> int:
        """Index ``iterable`` into a new directory, then make it the live index."""
        with _write_lock:
            self._follow_current_if_readable()
            new = self._new_generation()
            fresh = FileStorage(str(new)).create_index(self._schema())
            count = 0
            writer = fresh.writer()
            try:
                for obj in iterable:
                    doc = search_index.full_prepare(obj)
                    doc.pop("boost", None)
                    writer.update_document(**{k: self._from_python(v) for k, v in doc.items()})
                    count += 1
                writer.commit()
            except BaseException:
                writer.cancel()
                shutil.rmtree(new, ignore_errors=True)
                raise
            self._switch_to(new)
            self.setup()
            self._remove_other_generations(keep=new)
            return count

    # Writing ------------------------------------------------------------------------

    def _writer(self):
        """A writer that waits for another process's lock instead of failing."""
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return self.index.writer()
            except LockError:
                if time.monotonic() > deadline:
                    return AsyncWriter(self.index)
                time.sleep(0.05)

    def update(self, index, iterable, commit=True):
        with _write_lock:
            self._ensure_current()
            self.index = self.index.refresh()
            documents = []
            for obj in iterable:
                doc = index.full_prepare(obj)
                doc.pop("boost", None)
                documents.append({k: self._from_python(v) for k, v in doc.items()})
            if not documents:
                return
            writer = self._writer()
            try:
                for doc in documents:
                    writer.update_document(**doc)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    def remove(self, obj_or_string, commit=True):
        with _write_lock:
            self._ensure_current()
            self.index = self.index.refresh()
            writer = self._writer()
            writer.delete_by_term(ID, get_identifier(obj_or_string))
            writer.commit()

    def remove_many(self, identifiers) -> None:
        """Remove several documents (``app.model.pk`` identifiers) with one commit."""
        with _write_lock:
            self._ensure_current()
            self.index = self.index.refresh()
            writer = self._writer()
            for identifier in identifiers:
                writer.delete_by_term(ID, identifier)
            writer.commit()

    def clear(self, models=None, commit=True):
        with _write_lock:
            if not models:  # all of it: start a new generation, whatever state the old is in
                self.delete_index()
                return
            self._ensure_current()
            super().clear(models=models, commit=commit)

    # Reading ------------------------------------------------------------------------

    def searcher(self):
        """A whoosh searcher on the live index (close it, or use ``with``).

        Raises :class:`IndexUnavailable` when the live index is missing or unreadable.
        """
        path = self.live_path()
        try:
            if not self.setup_complete or Path(self.path) != path:
                if not whoosh_index.exists_in(str(path)):
                    raise IndexUnavailable(f"no index in {path}")
                self.setup()
            self.index = self.index.refresh()
            return self.index.searcher()
        except IndexUnavailable:
            raise
        except Exception as error:  # a truncated or damaged index: any read error
            raise IndexUnavailable(f"cannot read the index in {path}: {error!r}") from error

    def search(self, query_string, **kwargs):
        self._ensure_current()
        return super().search(query_string, **kwargs)


class ChineseWhooshEngine(WhooshEngine):
    """The engine to name in ``HAYSTACK_CONNECTIONS``."""

    backend = ChineseWhooshSearchBackend
    query = WhooshSearchQuery


def open_live_index(base_path: str | os.PathLike) -> whoosh_index.Index:
    """Open the live index under ``base_path`` (for inspection and tests)."""
    name = (Path(base_path) / CURRENT).read_text(encoding="utf-8").strip()
    return whoosh_index.open_dir(str(Path(base_path) / name))
