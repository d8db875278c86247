"""haystack's whoosh backend, made fit for Chinese text and for more than one process.

The thin adapter haystack is configured with (``HAYSTACK_CONNECTIONS["default"]
["ENGINE"] = "search.backends.whoosh.haystack.ChineseWhooshEngine"``); the work is done
by the modules of this package:

- Text fields get the analyser their haystack field names (``analyzer=``), are stored
  only when the field says so, and keep positions for phrase queries unless the
  analyser's ``positions`` attribute is False (:mod:`.analysis`). The one haystack
  index is :class:`.search_indexes.EssayIndex`.
- Rebuilds write a new generation with the bulk writer (:mod:`.bulk_writer`), in
  forked worker processes (:mod:`.rebuild`), and switch to it when complete
  (:mod:`.generations`): searches never see a half-built index and a crash leaves the
  previous index intact.
- Saves add a small segment without merging the big one (:mod:`.merge`).
- Reading: the index is opened without mmap (:mod:`.codec`); :meth:`searcher` lends
  one long-lived searcher per process and thread, reopened when the live index
  changed (:mod:`.searchers`).
- One writer: writes in a process are serialised, and a writer that finds the index
  locked by another process waits for it (whoosh allows one writer at a time).
- Reading never creates an index: a live index that is missing or unreadable raises
  :class:`IndexUnavailable`, which the site answers with a 503 ("暂时无法搜索") until
  ``rebuild_index_swapped`` builds a new one.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import ID
from haystack.utils import get_identifier
from haystack.utils.loading import UnifiedIndex
from whoosh import index as whoosh_index
from whoosh.fields import TEXT

from search.backends.base import IndexUnavailable
from search.backends.whoosh import codec, generations, integrity, rebuild
from search.backends.whoosh.bulk_writer import REBUILD_SEGMENT_POSTINGS, open_writer
from search.backends.whoosh.merge import commit_save
from search.backends.whoosh.rebuild import REBUILD_CHUNK
from search.backends.whoosh.searchers import SearcherLease, SearcherPool, signature

log = logging.getLogger(__name__)
_write_lock = threading.RLock()


class ChineseWhooshSearchBackend(WhooshSearchBackend):
    """Whoosh with per-field analysers, a single writer and swappable index directories."""

    lock_timeout = 30.0

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.base_path = Path(self.path)
        self._searchers = SearcherPool()
        # How the last rebuild ran: {"processes": …, "segments": …}.
        self.last_rebuild: dict[str, int] = {}

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
                    phrase=getattr(field.analyzer, "positions", True),
                    field_boost=field.boost,
                    spelling=field.document,
                ),
            )
        return content_field_name, schema

    # Generations --------------------------------------------------------------------

    def current_path(self) -> Path:
        """The live index directory (created with a first generation if none)."""
        return generations.current_path(self.base_path)

    def live_path(self) -> Path:
        """The live index directory, for reading: raises IndexUnavailable, never creates."""
        return generations.live_path(self.base_path)

    def setup(self):
        path = self.current_path()
        self.path = str(path)
        if any(path.iterdir()) and not whoosh_index.exists_in(str(path)):
            # A damaged index: never paper over it with an empty one (haystack would).
            raise IndexUnavailable(f"no readable index in {path}")
        super().setup()
        self.storage = codec.storage(path)
        self.index = self.storage.open_index(schema=self.schema)

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
            new = generations.new_generation(self.base_path)
            codec.storage(new).create_index(self._schema())
            integrity.record(new)
            generations.switch_to(self.base_path, new)
            self.setup()
            if old is not None and old != new:
                generations.remove_other_generations(self.base_path, keep=new)

    def rebuild_swapped(
        self,
        search_index: Any,
        iterable: Iterable[Any] | None = None,
        batch_size: int = REBUILD_CHUNK,
        processes: int | None = None,
        segment_postings: int = REBUILD_SEGMENT_POSTINGS,
    ) -> int:
        """Index ``iterable`` into a new directory, then make it the live index.

        ``iterable`` defaults to ``search_index.index_queryset()``; a QuerySet is shared
        out among ``processes`` forked workers (:func:`.rebuild.build_index`), and
        segments are finished every ``segment_postings`` postings. ``CURRENT`` switches
        only to a complete index, and a failure (or interrupt) removes the new
        directory and leaves the live index as it was. Returns the number of
        documents; :attr:`last_rebuild` tells how the rebuild ran.
        """
        if iterable is None:
            iterable = search_index.index_queryset(using=self.connection_alias)
        with _write_lock:
            self._follow_current_if_readable()
            new = generations.new_generation(self.base_path)
            try:
                fresh = codec.storage(new).create_index(self._schema())
                built = rebuild.build_index(
                    fresh,
                    lambda objects: self._documents(search_index, objects),
                    iterable,
                    batch_size=batch_size,
                    processes=processes,
                    segment_postings=segment_postings,
                )
            except BaseException:
                shutil.rmtree(new, ignore_errors=True)
                raise
            generations.switch_to(self.base_path, new)
            self.setup()
            generations.remove_other_generations(self.base_path, keep=new)
            self.last_rebuild = {"processes": built.processes, "segments": built.segments}
            return built.count

    def _documents(self, search_index: Any, objects: Iterable[Any]) -> Iterator[dict]:
        """The whoosh documents of ``objects`` (as haystack's ``update`` prepares them)."""
        for obj in objects:
            doc = search_index.full_prepare(obj)
            doc.pop("boost", None)
            yield {k: self._from_python(v) for k, v in doc.items()}

    # Writing ------------------------------------------------------------------------

    def _writer(self):
        """A writer that waits for another process's lock instead of failing."""
        return open_writer(self.index, self.lock_timeout)

    def update(self, index, iterable, commit=True) -> bool:
        """Write ``iterable``'s documents in one commit; False if a background writer
        (the lock was held past :attr:`lock_timeout`) will commit them later."""
        with _write_lock:
            self._ensure_current()
            self.index = self.index.refresh()
            documents = []
            for obj in iterable:
                doc = index.full_prepare(obj)
                doc.pop("boost", None)
                documents.append({k: self._from_python(v) for k, v in doc.items()})
            if not documents:
                return True
            writer = self._writer()
            try:
                for doc in documents:
                    writer.update_document(**doc)
            except BaseException:
                writer.cancel()
                raise
            return self._commit(writer)

    def _commit(self, writer) -> bool:
        """Commit a save (:func:`.merge.commit_save`); False if a background writer
        (the lock was held too long) commits later."""
        complete = commit_save(self.index, writer)
        self.index = self.index.refresh()
        return complete

    def _delete_terms(self, identifiers: Iterable[str]) -> bool:
        with _write_lock:
            self._ensure_current()
            self.index = self.index.refresh()
            writer = self._writer()
            try:
                for identifier in identifiers:
                    writer.delete_by_term(ID, identifier)
            except BaseException:
                writer.cancel()
                raise
            return self._commit(writer)

    def remove(self, obj_or_string, commit=True) -> bool:
        """Remove one document; False if a background writer will commit it later."""
        return self._delete_terms([get_identifier(obj_or_string)])

    def remove_many(self, identifiers) -> bool:
        """Remove several documents (``app.model.pk`` identifiers) with one commit."""
        return self._delete_terms(list(identifiers))

    def clear(self, models=None, commit=True):
        with _write_lock:
            if not models:  # all of it: start a new generation, whatever state the old is in
                self.delete_index()
                return
            self._ensure_current()
            super().clear(models=models, commit=commit)

    # Reading ------------------------------------------------------------------------

    def searcher(self) -> SearcherLease:
        """The live index's searcher: ``with backend.searcher() as searcher: ...``.

        One whoosh searcher per process and thread is kept open and lent to every
        caller while the live index is unchanged (opening one per request cost ~10 ms);
        it is reopened when ``CURRENT`` or any file of the live directory changed (a
        save, a rebuild, or damage). Raises :class:`IndexUnavailable` when the live
        index is missing or unreadable.
        """
        path = self.live_path()
        return self._searchers.lease(signature(path), lambda: self._open_searcher(path))

    def _open_searcher(self, path: Path) -> Any:
        """A new whoosh searcher on the live index in ``path``."""
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


class EssayUnifiedIndex(UnifiedIndex):
    """haystack's registry of search indexes, holding this package's own.

    haystack looks for ``search_indexes`` modules in the installed apps only; the whoosh
    engine's index lives in this package (:mod:`.search_indexes`).
    """

    def collect_indexes(self) -> list:
        """The indexes of the installed apps, and :class:`.search_indexes.EssayIndex`."""
        from search.backends.whoosh.search_indexes import EssayIndex

        indexes = super().collect_indexes()
        if not any(isinstance(index, EssayIndex) for index in indexes):
            indexes.append(EssayIndex())
        return indexes


class ChineseWhooshEngine(WhooshEngine):
    """The engine to name in ``HAYSTACK_CONNECTIONS``."""

    backend = ChineseWhooshSearchBackend
    query = WhooshSearchQuery
    unified_index = EssayUnifiedIndex
