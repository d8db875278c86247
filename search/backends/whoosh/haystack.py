"""haystack's whoosh backend, made fit for Chinese text and for more than one process.

- Text fields get the analyser their haystack field names (``analyzer=``), are stored
  only when the field says so, and keep positions for phrase queries unless the
  analyser's ``positions`` attribute is False (:mod:`search.analysis`).
- Rebuilds write the new index with :class:`BulkSegmentWriter`: each term's postings
  are collected in memory and written a block at a time, instead of whoosh's
  posting-by-posting pool, sort and merge (the same segment, several times faster).
  A segment is finished every :data:`REBUILD_SEGMENT_POSTINGS` postings, so memory
  stays flat; the essays are shared out among forked worker processes
  (``PORTAL_INDEX_PROCESSES``, default two), each writing its own segments into the new
  directory, and one commit lists them all (:func:`build_segments`,
  :func:`commit_segments`).
- Saves add a small segment without merging the big one (:func:`merge_small_segments`).
- Reading: the index is opened without mmap (whoosh copied the whole memory-mapped
  posting file into a buffer for every searcher, and a file truncated under a mapping
  kills the process with SIGBUS instead of raising); :meth:`searcher` lends one
  long-lived searcher per process and thread, reopened when the live index changed.
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

import io
import itertools
import logging
import multiprocessing
import os
import pickle
import shutil
import struct
import threading
import time
import traceback
import uuid
import zlib
from array import array
from collections.abc import Iterable, Iterator
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import ID
from haystack.utils import get_identifier
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.fields import TEXT
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Frequency, Positions
from whoosh.index import TOC, LockError, clean_files
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import AsyncWriter, SegmentWriter

from search import integrity
from search.analysis import one_document
from search.backends.base import IndexUnavailable

CURRENT = "CURRENT"
log = logging.getLogger(__name__)
_write_lock = threading.RLock()
# A save adds a one-essay segment; once this many small segments exist, they are merged.
SMALL_SEGMENTS_MAX = 8
# Saves never merge segments of this many documents or more (a rebuild's segments).
SAVE_MERGE_MAX_DOCS = 256
# A rebuild finishes a segment once it holds this many postings (about 55 bytes each in
# memory while it is built; ~1,000 essays, ~170 MB): memory stays flat whatever the
# corpus size, and a 10,000-essay index has about 10 segments.
REBUILD_SEGMENT_POSTINGS = 3_000_000
# Essays a rebuild worker loads from the database per query.
REBUILD_CHUNK = 200


def _storage(path: str | os.PathLike) -> FileStorage:
    """The index files in ``path``, read without mmap (see the module docstring)."""
    return FileStorage(str(path), supports_mmap=False)


def _encode_positions(positions: list[int]) -> bytes:
    """whoosh's :class:`~whoosh.formats.Positions` value of a posting (same bytes)."""
    deltas = [positions[0], *(b - a for a, b in itertools.pairwise(positions))]
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


_ONE_POSITION: dict[int, bytes] = {}


def _encode_one_position(position: int) -> bytes:
    found = _ONE_POSITION.get(position)
    if found is None:
        found = _encode_positions([position])
        if len(_ONE_POSITION) < 100_000:
            _ONE_POSITION[position] = found
    return found


def _segment_postings(
    reader: SegmentReader,
) -> Iterator[tuple[tuple[str, bytes], list, list, list]]:
    """Every term of a (small) segment with its document numbers, weights and values.

    Reads the terms table in order and each posting list a block at a time from the
    postings file, instead of a whoosh matcher per term and a call per posting.
    """
    terms = reader._terms
    postfile = terms._postfile
    schema = reader.schema
    for (fieldname, tbytes), terminfo in terms.items():
        fixed = schema[fieldname].format.fixed_value_size() if fieldname in schema else None
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            yield (fieldname, tbytes), list(ids), list(weights), list(values or ())
            continue
        offset, length = terminfo.extent()
        if isinstance(length, tuple):  # whoosh decodes the length as a 1-tuple
            (length,) = length
        data = postfile.get(offset, length)
        if data[:4] != WHOOSH3_HEADER_MAGIC:
            raise ValueError(f"bad posting list for {fieldname}:{tbytes!r}")
        stream = io.BytesIO(data)
        stream.seek(4)
        ids: list[int] = []
        weights: list[float] = []
        values: list[bytes] = []
        while True:
            (blocklength,) = struct.unpack(">i", stream.read(4))
            blockstart = stream.tell()
            count, _, _, compression, _, _ = pickle.load(stream)
            raw = data[stream.tell() : blockstart + abs(blocklength)]
            if compression:
                raw = zlib.decompress(raw)
            block_ids, block_weights, block_values = pickle.loads(raw)
            base = 0
            for delta in block_ids:
                base += delta
                ids.append(base)
            if block_weights is None:
                weights.extend([1.0] * count)
            elif isinstance(block_weights, float):
                weights.extend([block_weights] * count)
            else:
                weights.extend(block_weights)
            if fixed is None or fixed < 0:
                values.extend(block_values)
            elif fixed > 0:
                values.extend(
                    block_values[i : i + fixed] for i in range(0, len(block_values), fixed)
                )
            if blocklength < 0:
                break
            stream.seek(blockstart + blocklength)
        yield (fieldname, tbytes), ids, weights, values


class BulkSegmentWriter(SegmentWriter):
    """A whoosh segment writer that keeps each term's postings in memory.

    whoosh's writer puts every posting in a pool as a tuple, sorts the pool (spilling
    pickled runs to disk), then writes postings one by one, reading each document's
    field length back from disk per posting. Here each term's documents, weights and
    values are appended to arrays as documents are added, and written a block at a
    time when the segment is flushed: the same segment files, several times faster.
    Fields whose analyser has ``term_positions`` (:mod:`search.analysis`) are analysed
    in one call per field; a document's lines are cut by jieba once (``one_document``).

    Memory grows with the postings of the documents added (about 55 bytes a posting):
    a rebuild finishes a segment every :data:`REBUILD_SEGMENT_POSTINGS` postings
    (:meth:`finish_segment`, :func:`build_segments`) and starts the next one.
    """

    def __init__(self, ix: whoosh_index.Index, **kwargs: Any):
        try:
            super().__init__(ix, **kwargs)
        except LockError:
            raise
        except BaseException:  # files begun, lock taken: give both back
            self._discard()
            raise
        # field name → term bytes → (document numbers, weights, encoded values)
        self._terms: dict[str, dict[bytes, tuple[array, array, list[bytes]]]] = {}
        # field name → document number → the field's length as whoosh stores it
        self._lengths: dict[str, dict[int, int]] = {}
        self._plain = not any(
            field.separate_spelling() or field.vector for _, field in self.schema.items()
        )
        self.postings = 0  # postings collected so far (the memory this writer holds)

    def add_document(self, **fields: Any) -> None:
        """Add one document (see :meth:`whoosh.writing.IndexWriter.add_document`)."""
        if not self._plain:  # spelling or vector fields: whoosh's own way
            with one_document():
                super().add_document(**fields)
            return
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        with one_document():
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    length = self._index_field(fieldname, field, value, boost, docnum)
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(
                    fieldname, field, customval if field.stored else None, length
                )
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(
                        fieldname, column, field.to_column_value(customval)
                    )
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _index_field(
        self, fieldname: str, field: Any, value: Any, boost: float, docnum: int
    ) -> int:
        """Collect one field's postings of document ``docnum``; returns its length."""
        terms = self._terms.get(fieldname)
        if terms is None:
            terms = self._terms[fieldname] = {}
        fmt = field.format
        term_positions = getattr(field.analyzer, "term_positions", None)
        length = 0
        if term_positions is not None and type(fmt) in (Positions, Frequency):
            if not isinstance(value, str):
                raise ValueError(f"{value!r} is not a string")
            field_boost = fmt.field_boost * boost
            with_positions = type(fmt) is Positions
            found = term_positions(value)
            self.postings += len(found)
            for term, positions in found.items():
                freq = len(positions)
                length += freq
                if with_positions:
                    encoded = (
                        _encode_one_position(positions[0])
                        if freq == 1
                        else _encode_positions(positions)
                    )
                else:
                    encoded = pack_uint(freq)
                postings = terms.get(term.encode("utf-8"))
                if postings is None:
                    postings = terms[term.encode("utf-8")] = (array("I"), array("f"), [])
                postings[0].append(docnum)
                postings[1].append(freq * field_boost)
                postings[2].append(encoded)
        else:
            for tbytes, freq, weight, encoded in field.index(value):
                length += freq
                self.postings += 1
                postings = terms.get(tbytes)
                if postings is None:
                    postings = terms[tbytes] = (array("I"), array("f"), [])
                postings[0].append(docnum)
                postings[1].append(weight * boost)
                if encoded:
                    postings[2].append(encoded)
        if not field.scorable:
            return 0
        if length:
            stored = length_to_byte(length)
            if stored:
                self._lengths.setdefault(fieldname, {})[docnum] = byte_to_length(stored)
        return length

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        """A merged segment's postings and field lengths (posting by posting, as whoosh
        does it: merges take only small segments, see :func:`merge_small_segments`)."""
        scorable = [name for name, field in self.schema.items() if field.scorable]
        for old in reader.all_doc_ids():
            new = docmap.get(old) if docmap is not None else startdoc + old
            if new is None:
                continue
            for fieldname in scorable:
                length = reader.doc_field_length(old, fieldname)
                if length:
                    self._lengths.setdefault(fieldname, {})[new] = length
        for (fieldname, tbytes), docnums, weights, values in _segment_postings(reader):
            if fieldname not in self.schema:
                continue
            if docmap is not None:
                kept = [i for i, old in enumerate(docnums) if old in docmap]
                docnums = [docmap[docnums[i]] for i in kept]
                weights = [weights[i] for i in kept]
                values = [values[i] for i in kept] if values else values
                if not docnums:
                    continue
            else:
                docnums = [startdoc + old for old in docnums]
            terms = self._terms.get(fieldname)
            if terms is None:
                terms = self._terms[fieldname] = {}
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = (array("I"), array("f"), [])
            postings[0].extend(docnums)
            postings[1].extend(weights)
            postings[2].extend(values)

    # Commits that clean up after themselves ----------------------------------------

    def _commit_toc(self, segments: list) -> None:
        """Write the table of contents, then record the files' checksums (still locked)."""
        super()._commit_toc(segments)
        self._toc_written = True
        try:
            integrity.record(self.storage.folder)
        except OSError:  # the commit stands; /healthz reports the files as unrecorded
            log.warning("Could not record the index checksums", exc_info=True)

    def commit(self, *args: Any, **kwargs: Any) -> None:
        """Commit (see :meth:`SegmentWriter.commit`); on failure (a full disk, a folder
        that became read-only) remove the files this writer wrote and release the lock,
        leaving the index as it was."""
        try:
            super().commit(*args, **kwargs)
        except BaseException:
            self._discard()
            raise

    def cancel(self) -> None:
        """Give up this writer, and remove the files of the segment it had begun."""
        try:
            super().cancel()
        finally:
            self._discard()

    def _discard(self) -> None:
        """Remove what this writer wrote unless its table of contents made it live."""
        try:
            self._close_segment()
        except Exception:  # half set up, already closed, or the disk is failing: go on
            log.debug("Closing a failed writer's files", exc_info=True)
        try:
            self._tempstorage.destroy()
        except Exception:
            log.debug("Removing a failed writer's temporary files", exc_info=True)
        newsegment = getattr(self, "newsegment", None)
        if newsegment is not None and not getattr(self, "_toc_written", False):
            prefix = f"{newsegment.segment_id()}."
            toc_temp = f"_{self.indexname}_{self.generation}.toc."
            for name in list(self.storage.list()):
                if name.startswith((prefix, toc_temp)):
                    try:
                        self.storage.delete_file(name)
                    except OSError:
                        log.warning("Could not remove the partial index file %s", name)
        if getattr(self, "writelock", None) is not None:
            try:
                self.writelock.release()
            except Exception:
                log.debug("Releasing the index lock", exc_info=True)
            self.writelock = None
        self.is_closed = True

    def finish_segment(self) -> Any:
        """Write this writer's segment and close the writer without a commit.

        Returns the whoosh segment, for a table of contents that someone else writes
        (:func:`commit_segments`); the writer must have been opened with ``_lk=False``
        or its lock is released here.
        """
        self._check_state()
        segment = self._finalize_segment()
        self._finish()
        return segment

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        self._write_postings()
        self.fieldwriter.close()

    def _write_postings(self) -> None:
        fieldwriter = self.fieldwriter
        for fieldname in sorted(self._terms):
            terms = self._terms[fieldname]
            fieldwriter.start_field(fieldname, self.schema[fieldname])
            postwriter = fieldwriter._postwriter
            limit = postwriter._blocklimit
            lengths = self._lengths.get(fieldname, {})
            for tbytes in sorted(terms):
                docnums, weights, values = terms[tbytes]
                fieldwriter.start_term(tbytes)
                count = len(docnums)
                for start in range(0, count, limit):
                    end = start + limit
                    ids = docnums[start:end]
                    block_weights = weights[start:end]
                    postwriter._ids = ids
                    postwriter._weights = block_weights
                    postwriter._values = values[start:end]
                    postwriter._maxweight = max(0, max(block_weights))
                    found = [n for n in map(lengths.get, ids) if n]
                    postwriter._minlength = min(found) if found else None
                    postwriter._maxlength = max(found) if found else 0
                    if end < count:
                        postwriter._write_block()
                fieldwriter.finish_term()  # writes the last block
            fieldwriter.finish_field()


class _PrivateTempStorage(FileStorage):
    """An index directory whose writers' temporary files are this process's own.

    whoosh names a writer's temporary directory after the index (``MAIN.tmp``) and
    deletes it when the writer finishes: processes building segments of the same index
    at once would delete each other's files.
    """

    def __init__(self, path: str):
        super().__init__(path, supports_mmap=False)

    def temp_storage(self, name: str | None = None) -> FileStorage:
        """A temporary storage named for ``name`` and this process."""
        return super().temp_storage(f"{name or 'temp'}.{os.getpid()}")


def build_segments(
    ix: whoosh_index.Index,
    documents: Iterable[dict[str, Any]],
    segment_postings: int = REBUILD_SEGMENT_POSTINGS,
) -> tuple[list, int]:
    """Write ``documents`` into new segments of ``ix``, without committing them.

    A segment is finished whenever it holds ``segment_postings`` postings, so memory
    does not grow with the number of documents. Takes no lock and writes no table of
    contents: several processes may build segments of the same (new, private) index
    directory at once; :func:`commit_segments` then makes them the index. Returns the
    segments, in document order, and the number of documents.
    """
    ix = _PrivateTempStorage(ix.storage.folder).open_index(ix.indexname, schema=ix.schema)
    segments: list = []
    count = 0
    writer: BulkSegmentWriter | None = None
    try:
        for doc in documents:
            if writer is None:
                writer = BulkSegmentWriter(ix, _lk=False)
            writer.add_document(**doc)
            count += 1
            if writer.postings >= segment_postings:
                segments.append(writer.finish_segment())
                writer = None
        if writer is not None:
            if writer.docnum:
                segments.append(writer.finish_segment())
            else:
                writer.cancel()
            writer = None
    except BaseException:
        if writer is not None:
            writer.cancel()
        raise
    return segments, count


def commit_segments(ix: whoosh_index.Index, segments: list) -> None:
    """Make ``segments`` (from :func:`build_segments`) the content of ``ix``, in one commit.

    One new table of contents lists them all, in order; files of no listed segment
    are removed.
    """
    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, segments)
    integrity.record(ix.storage.folder)


def index_processes() -> int:
    """How many processes a rebuild uses: ``settings.PORTAL_INDEX_PROCESSES`` if set
    (environment variable of the same name), else ``min(2, os.cpu_count())`` on SQLite
    and 1 on other databases (a forked worker lost its PostgreSQL connection in a CI run,
    not yet explained; set the variable to use more there)."""
    from django.conf import settings
    from django.db import connection

    configured = getattr(settings, "PORTAL_INDEX_PROCESSES", None)
    if configured:
        return max(1, int(configured))
    if connection.vendor != "sqlite":
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _fork_safe() -> bool:
    """Whether forked workers see the rows this process sees.

    Not when a transaction is open: a worker's own connection would not see its rows.
    An in-memory SQLite database (tests) is inherited whole by a forked worker, with
    this process's connection and its open transaction, so that is fine.
    """
    from django.db import connections as databases

    for connection in databases.all(initialized_only=True):
        if connection.in_atomic_block and not (
            connection.vendor == "sqlite" and connection.is_in_memory_db()
        ):
            return False
    return True


def _objects_by_pk(queryset: Any, pks: list, chunk: int = REBUILD_CHUNK) -> Iterator[Any]:
    """The objects of ``queryset`` with primary keys ``pks``, in that order, loaded
    ``chunk`` at a time (with the queryset's prefetches)."""
    for start in range(0, len(pks), chunk):
        part = pks[start : start + chunk]
        found = {obj.pk: obj for obj in queryset.filter(pk__in=part)}
        for pk in part:
            obj = found.get(pk)
            if obj is not None:
                yield obj


def _run_child(send: Any, build: Any, inherited: dict[str, Any]) -> None:
    """In a forked worker: run ``build()`` and send its result (or the error) back.

    ``inherited``: the parent's in-memory SQLite connections, used as they are (the
    database is in the memory this process inherited; a new connection would find
    another connection's locks in it). Other databases get a connection of their own.
    """
    from django.db import connections as databases

    for alias, connection in inherited.items():
        databases[alias] = connection  # thread-local lookups may differ after the fork
    try:
        send.send(("ok", build()))
    except BaseException:
        send.send(("error", traceback.format_exc()))
    finally:
        send.close()
        databases.close_all()


def _in_children(builds: list) -> list:
    """Run each of ``builds`` (callables) in a forked process; their results, in order.

    The database connections are closed first so that each child opens its own (a
    connection must not be shared across a fork). A child's failure, or an interrupt,
    stops the other children and raises here.
    """
    from django.db import connections as databases

    databases.close_all()
    inherited = {
        connection.alias: connection
        for connection in databases.all(initialized_only=True)
        if connection.vendor == "sqlite" and connection.is_in_memory_db()
    }
    context = multiprocessing.get_context("fork")
    children = []
    results: dict[int, Any] = {}
    try:
        for number, build in enumerate(builds):
            receive, send = context.Pipe(duplex=False)
            child = context.Process(
                target=_run_child, args=(send, build, inherited), name=f"index-worker-{number}"
            )
            child.start()
            send.close()
            children.append((child, receive))
        waiting = {receive: number for number, (_, receive) in enumerate(children)}
        while waiting:
            for receive in wait(list(waiting)):
                number = waiting.pop(receive)
                try:
                    status, payload = receive.recv()
                except EOFError:
                    child = children[number][0]
                    child.join()
                    raise RuntimeError(
                        f"index worker {number} died (exit code {child.exitcode})"
                    ) from None
                if status != "ok":
                    raise RuntimeError(f"index worker {number} failed:\n{payload}")
                results[number] = payload
    finally:
        for child, receive in children:
            if child.is_alive() and len(results) < len(builds):
                child.terminate()
            child.join()
            receive.close()
    return [results[number] for number in range(len(builds))]


class _WholeFileReads(FileStorage):
    """An index directory whose files are read whole into memory when opened.

    For merging small segments: whoosh reads a segment's postings with many tiny
    reads, each a seek and a read of the file when it is not memory-mapped.
    """

    def __init__(self, path: str):
        super().__init__(path, readonly=True, supports_mmap=False)

    def open_file(self, name: str, **kwargs: Any) -> BufferFile:
        """The whole file ``name``, as an in-memory file."""
        with open(self._fpath(name), "rb") as handle:
            return BufferFile(handle.read(), name=name)


def segments_to_merge(segments: list) -> list:
    """The small segments due for merging (none, usually).

    A save adds a segment with the essays it re-indexed. Segments are grouped in tiers
    by size (1–7 documents, 8–63, 64–511 …); once a tier holds
    :data:`SMALL_SEGMENTS_MAX` segments, they are due to be merged into one of the next
    tier. Segments of :data:`SAVE_MERGE_MAX_DOCS` documents or more (a rebuild's) are
    never merged by a save (whoosh's default policy may merge every segment when there
    are few, and a save would wait for a rewrite of most of the index).
    """
    tiers: dict[int, list] = {}
    for segment in segments:
        if segment.doc_count_all() >= SAVE_MERGE_MAX_DOCS:
            continue  # a rebuild's segment (or a large merged one): left as it is
        tier = max(0, segment.doc_count_all()).bit_length() // 3  # powers of 8
        tiers.setdefault(tier, []).append(segment)
    return next((tier for _, tier in sorted(tiers.items()) if len(tier) >= SMALL_SEGMENTS_MAX), [])


def merge_small_segments(writer: SegmentWriter, segments: list) -> list:
    """A whoosh merge policy: merge :func:`segments_to_merge` into the writer's segment."""
    merging = segments_to_merge(segments)
    storage = _WholeFileReads(writer.storage.folder)
    for segment in merging:
        reader = SegmentReader(storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in merging]


class _SharedSearcher:
    """One open whoosh searcher on one state of the index, and the leases out on it.

    ``signature`` identifies the index state it was opened on (see
    :meth:`ChineseWhooshSearchBackend._signature`). A retired searcher (the index
    changed) is closed as soon as no lease on it is out.
    """

    def __init__(self, searcher: Searcher, signature: tuple):
        self.searcher = searcher
        self.signature = signature
        self.leases = 0
        self.retired = False
        self._lock = threading.Lock()

    def lend(self) -> None:
        with self._lock:
            self.leases += 1

    def give_back(self) -> None:
        with self._lock:
            self.leases -= 1
            close = self.retired and self.leases == 0
        if close:
            self._close()

    def retire(self) -> None:
        with self._lock:
            self.retired = True
            close = self.leases == 0
        if close:
            self._close()

    def _close(self) -> None:
        try:
            self.searcher.close()
        except Exception:  # a damaged or deleted index: nothing left to release
            log.debug("Closing a retired searcher failed", exc_info=True)


class SearcherLease:
    """What :meth:`ChineseWhooshSearchBackend.searcher` returns: the shared searcher, lent.

    ``with backend.searcher() as searcher:`` gives the whoosh searcher itself; leaving
    the block (or :meth:`close`) returns the lease and does not close the shared
    searcher. Other attributes are the whoosh searcher's.
    """

    def __init__(self, shared: _SharedSearcher):
        self._shared = shared
        self._open = True
        shared.lend()

    @property
    def searcher(self) -> Searcher:
        """The whoosh searcher lent."""
        return self._shared.searcher

    def __enter__(self) -> Searcher:
        return self._shared.searcher

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Give the searcher back (it stays open for later requests)."""
        if self._open:
            self._open = False
            self._shared.give_back()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._shared.searcher, name)


class ChineseWhooshSearchBackend(WhooshSearchBackend):
    """Whoosh with per-field analysers, a single writer and swappable index directories."""

    lock_timeout = 30.0

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.base_path = Path(self.path)
        self._searchers = threading.local()  # per thread: (process id, _SharedSearcher)
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
        self.storage = _storage(path)
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
            new = self._new_generation()
            _storage(new).create_index(self._schema())
            integrity.record(new)
            self._switch_to(new)
            self.setup()
            if old is not None and old != new:
                self._remove_other_generations(keep=new)

    def rebuild_swapped(
        self,
        search_index: Any,
        iterable: Iterable[Any] | None = None,
        batch_size: int = REBUILD_CHUNK,
        processes: int | None = None,
        segment_postings: int = REBUILD_SEGMENT_POSTINGS,
    ) -> int:
        """Index ``iterable`` into a new directory, then make it the live index.

        ``iterable`` defaults to ``search_index.index_queryset()``. A QuerySet is indexed
        by ``processes`` forked workers (default :func:`index_processes`), each loading a
        contiguous share of its rows from the database with a connection of its own and
        writing segments of its own; the documents keep the queryset's order and the
        index holds what one process would write. Any other iterable (a generator), or a
        QuerySet inside an open transaction, is indexed in this process. Segments are
        finished every ``segment_postings`` postings and committed together at the end;
        ``CURRENT`` switches only to a complete index, and a failure (or interrupt)
        removes the new directory and leaves the live index as it was. Returns the
        number of documents; :attr:`last_rebuild` tells how the rebuild ran.
        """
        from django.db.models import QuerySet

        if iterable is None:
            iterable = search_index.index_queryset(using=self.connection_alias)
        wanted = processes if processes is not None else index_processes()
        with _write_lock:
            self._follow_current_if_readable()
            new = self._new_generation()
            try:
                fresh = _storage(new).create_index(self._schema())
                pks: list = []
                if isinstance(iterable, QuerySet) and wanted > 1 and _fork_safe():
                    pks = list(iterable.values_list("pk", flat=True))
                used = max(1, min(wanted, len(pks)))
                if used > 1:
                    shares = [
                        pks[i * len(pks) // used : (i + 1) * len(pks) // used] for i in range(used)
                    ]

                    def share_builder(share: list) -> Any:
                        objects = _objects_by_pk(iterable, share, batch_size)
                        docs = self._documents(search_index, objects)
                        return lambda: build_segments(fresh, docs, segment_postings)

                    built = _in_children([share_builder(share) for share in shares])
                    segments = [segment for part, _ in built for segment in part]
                    count = sum(number for _, number in built)
                else:
                    if isinstance(iterable, QuerySet):
                        iterable = iterable.iterator(chunk_size=batch_size)
                    docs = self._documents(search_index, iterable)
                    segments, count = build_segments(fresh, docs, segment_postings)
                commit_segments(fresh, segments)
            except BaseException:
                shutil.rmtree(new, ignore_errors=True)
                raise
            self._switch_to(new)
            self.setup()
            self._remove_other_generations(keep=new)
            self.last_rebuild = {"processes": used, "segments": len(segments)}
            return count

    def _documents(self, search_index: Any, objects: Iterable[Any]) -> Iterator[dict]:
        """The whoosh documents of ``objects`` (as haystack's ``update`` prepares them)."""
        for obj in objects:
            doc = search_index.full_prepare(obj)
            doc.pop("boost", None)
            yield {k: self._from_python(v) for k, v in doc.items()}

    # Writing ------------------------------------------------------------------------

    def _writer(self):
        """A writer that waits for another process's lock instead of failing."""
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return BulkSegmentWriter(self.index)
            except LockError:
                if time.monotonic() > deadline:
                    return AsyncWriter(self.index)
                time.sleep(0.05)

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
        """Commit a save's writer without merging: the edit is searchable at once.

        Then, if a tier of small segments is full (every few saves), merge it with a
        second commit; searches already see the edit while it runs (a failed merge is
        logged: the edit is committed, and a later save merges). Returns False when the
        writer is whoosh's background writer (the lock was held too long), which
        commits later.
        """
        if not isinstance(writer, BulkSegmentWriter):  # AsyncWriter: commits later
            writer.commit()
            return False
        writer.commit(merge=False)
        self.index = self.index.refresh()
        if not segments_to_merge(self.index._segments()):
            return True
        try:
            merger = BulkSegmentWriter(self.index)  # no waiting: merge at a later save
        except LockError:
            return True
        try:
            merger.commit(mergetype=merge_small_segments)  # cleans up after a failure
        except Exception:
            log.warning("Merging small index segments failed; a later save retries", exc_info=True)
        return True

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
        signature = self._signature(path)
        held = getattr(self._searchers, "held", None)
        shared = held[1] if held is not None and held[0] == os.getpid() else None
        if shared is not None and shared.signature == signature and not shared.retired:
            return SearcherLease(shared)
        self._searchers.held = None
        if shared is not None:
            shared.retire()
        try:
            if not self.setup_complete or Path(self.path) != path:
                if not whoosh_index.exists_in(str(path)):
                    raise IndexUnavailable(f"no index in {path}")
                self.setup()
            self.index = self.index.refresh()
            fresh = _SharedSearcher(self.index.searcher(), signature)
        except IndexUnavailable:
            raise
        except Exception as error:  # a truncated or damaged index: any read error
            raise IndexUnavailable(f"cannot read the index in {path}: {error!r}") from error
        self._searchers.held = (os.getpid(), fresh)
        return SearcherLease(fresh)

    def _signature(self, path: Path) -> tuple:
        """The live index's state: its directory and every file's name, size and mtime."""
        try:
            files = []
            with os.scandir(path) as entries:
                for entry in entries:
                    try:
                        stat = entry.stat()
                    except FileNotFoundError:  # removed by a commit while we listed
                        continue
                    files.append((entry.name, stat.st_size, stat.st_mtime_ns, stat.st_ino))
            files.sort()
        except OSError as error:
            raise IndexUnavailable(f"cannot list the index in {path}: {error!r}") from error
        return (str(path), tuple(files))

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
    return _storage(Path(base_path) / name).open_index()
