"""The whoosh segment writer of rebuilds and saves: postings collected in memory.

whoosh's writer puts every posting in a pool, sorts it and writes postings one by one;
:class:`BulkSegmentWriter` keeps each term's postings in arrays and writes them a block
at a time (the same segment files, several times faster). A rebuild finishes a segment
every :data:`REBUILD_SEGMENT_POSTINGS` postings (:func:`build_segments`), so memory
stays flat, and one commit lists every segment built (:func:`commit_segments`).
Commits record the index files' checksums (:mod:`.integrity`), and a failed commit or
a cancelled writer removes the files it wrote and releases the lock.
"""

from __future__ import annotations

import logging
import time
from array import array
from collections.abc import Iterable
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.writing import AsyncWriter, SegmentWriter

from search.analysis import one_document
from search.backends.whoosh import integrity
from search.backends.whoosh.codec import (
    PrivateTempStorage,
    encode_frequency,
    encode_one_position,
    encode_positions,
    iter_segment_postings,
    posting_kind,
    stored_length,
    write_postings,
    write_toc,
)

log = logging.getLogger(__name__)
# A rebuild finishes a segment once it holds this many postings (about 55 bytes each in
# memory while it is built; ~1,000 essays, ~170 MB): memory stays flat whatever the
# corpus size, and a 10,000-essay index has about 10 segments.
REBUILD_SEGMENT_POSTINGS = 3_000_000


class BulkSegmentWriter(SegmentWriter):
    """A whoosh segment writer that keeps each term's postings in memory.

    whoosh's writer puts every posting in a pool as a tuple, sorts the pool (spilling
    pickled runs to disk), then writes postings one by one, reading each document's
    field length back from disk per posting. Here each term's documents, weights and
    values are appended to arrays as documents are added, and written a block at a
    time when the segment is flushed: the same segment files, several times faster.
    Fields whose analyser has ``term_positions`` (:mod:`.analysis`) are analysed
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
        kind = posting_kind(fmt) if term_positions is not None else None
        if kind is not None:
            if not isinstance(value, str):
                raise ValueError(f"{value!r} is not a string")
            field_boost = fmt.field_boost * boost
            with_positions = kind == "positions"
            found = term_positions(value)
            self.postings += len(found)
            for term, positions in found.items():
                freq = len(positions)
                length += freq
                if with_positions:
                    encoded = (
                        encode_one_position(positions[0])
                        if freq == 1
                        else encode_positions(positions)
                    )
                else:
                    encoded = encode_frequency(freq)
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
            stored = stored_length(length)
            if stored is not None:
                self._lengths.setdefault(fieldname, {})[docnum] = stored
        return length

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        """A merged segment's postings and field lengths (posting by posting, as whoosh
        does it: merges take only small segments, see :func:`.merge.merge_small_segments`)."""
        scorable = [name for name, field in self.schema.items() if field.scorable]
        for old in reader.all_doc_ids():
            new = docmap.get(old) if docmap is not None else startdoc + old
            if new is None:
                continue
            for fieldname in scorable:
                length = reader.doc_field_length(old, fieldname)
                if length:
                    self._lengths.setdefault(fieldname, {})[new] = length
        for (fieldname, tbytes), docnums, weights, values in iter_segment_postings(reader):
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
        write_postings(self.fieldwriter, self.schema, self._terms, self._lengths)


def open_writer(ix: whoosh_index.Index, lock_timeout: float) -> SegmentWriter:
    """A writer of ``ix`` that waits up to ``lock_timeout`` seconds for another process's
    lock, then falls back to whoosh's background writer (which commits later)."""
    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            return BulkSegmentWriter(ix)
        except LockError:
            if time.monotonic() > deadline:
                return AsyncWriter(ix)
            time.sleep(0.05)


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
    ix = PrivateTempStorage(ix.storage.folder).open_index(ix.indexname, schema=ix.schema)
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
    write_toc(ix, segments)
    integrity.record(ix.storage.folder)
