"""whoosh's file format, in one place: how postings, positions and lengths are stored.

Everything the engine knows of whoosh's file format and private data structures (its
``whoosh3`` codec's posting blocks, position encoding, length bytes, per-document
columns, tables of contents, storage classes) is here, so a new whoosh version is
checked against this module first. Readers get arrays and plain lists; the writer
(:mod:`.bulk_writer`) gets encoders and a block writer. The one other place that
relies on whoosh's internals is :class:`.bulk_writer.BulkSegmentWriter`, a subclass of
whoosh's segment writer that overrides its document and commit steps (the writer's own
life cycle, not the format).

- Storage: index directories are read without mmap (whoosh copied the whole
  memory-mapped posting file into a buffer for every searcher, and a file truncated
  under a mapping kills the process with SIGBUS instead of raising).
- Writing: a posting's value is whoosh's :class:`~whoosh.formats.Positions` or
  :class:`~whoosh.formats.Frequency` encoding (:func:`encode_positions`,
  :func:`encode_frequency`); a term's postings are written a block at a time
  (:func:`write_postings`); a field's length is stored as one byte
  (:func:`stored_length`).
- Reading: a term's document numbers and weights from a segment, block by block, with
  its postings' encoded positions kept as arrays (:func:`read_term`, decoded later by
  :func:`stored_positions`) or read for some documents from the file
  (:func:`read_positions`); every posting of a segment from its postings file
  (:func:`iter_segment_postings`); a segment's field lengths from their column
  (:func:`segment_lengths`).
"""

from __future__ import annotations

import io
import itertools
import os
import pickle
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Frequency, Positions
from whoosh.index import TOC, clean_files
from whoosh.reading import ReaderClosed, SegmentReader, TermNotFound
from whoosh.system import _INT_SIZE as _UINT_SIZE
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte

__all__ = [
    "EMPTY",
    "PrivateTempStorage",
    "TermNotFound",
    "WholeFileReads",
    "deleted_docnums",
    "encode_frequency",
    "encode_one_position",
    "encode_positions",
    "iter_segment_postings",
    "open_segment",
    "posting_kind",
    "read_term",
    "segment_key",
    "segment_lengths",
    "segments",
    "storage",
    "stored_length",
    "stored_positions",
    "write_postings",
    "write_toc",
]

#: No postings: document numbers and weights.
EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
#: The length each stored length byte stands for.
LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)


# Storage ----------------------------------------------------------------------------


def storage(path: str | os.PathLike) -> FileStorage:
    """The index files in ``path``, read without mmap (see the module docstring)."""
    return FileStorage(str(path), supports_mmap=False)


class PrivateTempStorage(FileStorage):
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


class WholeFileReads(FileStorage):
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


def open_segment(folder: str, schema: Any, segment: Any) -> SegmentReader:
    """A reader of one segment of the index in ``folder``, its files read whole."""
    return SegmentReader(WholeFileReads(folder), schema, segment)


def segments(ix: whoosh_index.Index) -> list:
    """The segments the latest table of contents of ``ix`` lists."""
    return ix._segments()


def write_toc(ix: whoosh_index.Index, segments: list) -> None:
    """Make ``segments`` the content of ``ix``: a new table of contents listing them, in
    order; files of no listed segment are removed."""
    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, segments)


# Writing ----------------------------------------------------------------------------


def posting_kind(fmt: Any) -> str | None:
    """``"positions"`` or ``"frequency"`` for a field format whose postings
    :func:`encode_positions` / :func:`encode_frequency` write, else None."""
    kind = type(fmt)
    if kind is Positions:
        return "positions"
    if kind is Frequency:
        return "frequency"
    return None


def encode_positions(positions: list[int]) -> bytes:
    """whoosh's :class:`~whoosh.formats.Positions` value of a posting (same bytes)."""
    deltas = [positions[0], *(b - a for a, b in itertools.pairwise(positions))]
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


_ONE_POSITION: dict[int, bytes] = {}


def encode_one_position(position: int) -> bytes:
    """:func:`encode_positions` of a single position (remembered: most postings)."""
    found = _ONE_POSITION.get(position)
    if found is None:
        found = encode_positions([position])
        if len(_ONE_POSITION) < 100_000:
            _ONE_POSITION[position] = found
    return found


#: whoosh's :class:`~whoosh.formats.Frequency` value of a posting of this frequency.
encode_frequency = pack_uint


def stored_length(length: int) -> int | None:
    """A field length as whoosh reads it back from its one stored byte (None for 0)."""
    stored = length_to_byte(length)
    return byte_to_length(stored) if stored else None


def write_postings(
    fieldwriter: Any,
    schema: Any,
    terms: dict[str, dict[bytes, tuple[Any, Any, list[bytes]]]],
    lengths: dict[str, dict[int, int]],
) -> None:
    """Write collected postings with a segment's field writer, a block at a time.

    ``terms``: field name → term bytes → (document numbers, weights, encoded values),
    documents ascending; ``lengths``: field name → document number → stored length.
    """
    for fieldname in sorted(terms):
        field_terms = terms[fieldname]
        fieldwriter.start_field(fieldname, schema[fieldname])
        postwriter = fieldwriter._postwriter
        limit = postwriter._blocklimit
        field_lengths = lengths.get(fieldname, {})
        for tbytes in sorted(field_terms):
            docnums, weights, values = field_terms[tbytes]
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
                found = [n for n in map(field_lengths.get, ids) if n]
                postwriter._minlength = min(found) if found else None
                postwriter._maxlength = max(found) if found else 0
                if end < count:
                    postwriter._write_block()
            fieldwriter.finish_term()  # writes the last block
        fieldwriter.finish_field()


# Reading ----------------------------------------------------------------------------


def _blocks(data: bytes) -> Iterator[tuple[int, int, int, int, int]]:
    """The blocks of one posting list (its bytes, read whole): for each, how many
    postings it holds, its last document number, whether its data is compressed, and
    where its data starts and ends in ``data``."""
    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("bad posting list")
    stream = io.BytesIO(data)
    stream.seek(4)
    while True:
        (blocklength,) = struct.unpack(">i", stream.read(4))
        blockstart = stream.tell()
        count, last, _, compression, _, _ = pickle.load(stream)
        yield count, last, compression, stream.tell(), blockstart + abs(blocklength)
        if blocklength < 0:
            return
        stream.seek(blockstart + blocklength)


def _block_postings(data: bytes, block: tuple, fixed: int | None) -> tuple[list, list, list]:
    """One block's document numbers, weights and values (whoosh3's ``_read_ids``,
    ``_read_weights`` and ``_read_values`` at once)."""
    count, _, compression, start, end = block
    raw = data[start:end]
    if compression:
        raw = zlib.decompress(raw)
    block_ids, block_weights, block_values = pickle.loads(raw)
    ids = list(itertools.accumulate(block_ids))  # stored as gaps
    if block_weights is None:
        weights = [1.0] * count
    elif isinstance(block_weights, float):
        weights = [block_weights] * count
    else:
        weights = list(block_weights)
    if fixed is None or fixed < 0:
        values = list(block_values)
    elif fixed > 0:
        values = [block_values[i : i + fixed] for i in range(0, len(block_values), fixed)]
    else:
        values = []
    return ids, weights, values


def _postings_of(postfile, terminfo) -> tuple[list, list, list] | bytes:
    """A term's postings as whoosh's term info gives them: inlined (document numbers,
    weights, values) or the bytes of its posting list, read in one piece."""
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        return list(ids), list(weights), list(values or ())
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # whoosh decodes the length as a 1-tuple
        (length,) = length
    return postfile.get(offset, length)


def _term_postings(segment_reader, fieldname: str, text: str):
    """:func:`_postings_of` the term in one segment (deleted documents included: the
    snapshot's live mask drops them); None when the segment does not hold it."""
    if segment_reader.is_closed:
        raise ReaderClosed
    if fieldname not in segment_reader.schema:
        return None
    terms = segment_reader._terms
    try:
        terminfo = terms.term_info(fieldname, segment_reader._text_to_bytes(fieldname, text))
    except TermNotFound:
        return None
    return _postings_of(terms._postfile, terminfo)


def _fixed_size(schema, fieldname: str) -> int | None:
    return schema[fieldname].format.fixed_value_size() if fieldname in schema else None


def iter_segment_postings(
    reader: SegmentReader,
) -> Iterator[tuple[tuple[str, bytes], list, list, list]]:
    """Every term of a (small) segment with its document numbers, weights and values.

    Reads the terms table in order and each posting list a block at a time from the
    postings file, instead of a whoosh matcher per term and a call per posting.
    """
    terms = reader._terms
    for (fieldname, tbytes), terminfo in terms.items():
        found = _postings_of(terms._postfile, terminfo)
        yield (fieldname, tbytes), *_unpack_term(reader, fieldname, found)


def _unpack_term(segment_reader, fieldname: str, found) -> tuple[list, list, list]:
    """Every posting of a term (:func:`_term_postings`'s answer): document numbers,
    weights and values, its blocks unpacked from memory."""
    if not isinstance(found, bytes):
        return found
    ids: list[int] = []
    weights: list[float] = []
    values: list = []
    fixed = _fixed_size(segment_reader.schema, fieldname)
    for block in _blocks(found):
        block_ids, block_weights, block_values = _block_postings(found, block, fixed)
        ids += block_ids
        weights += block_weights
        values += block_values
    return ids, weights, values


def read_term(
    segment_reader, fieldname: str, text: str
) -> tuple[np.ndarray, np.ndarray, StoredPositions | None]:
    """All of a term's (local) document numbers and frequencies in one segment, and for
    a field indexed with positions every posting's encoded positions as well
    (:class:`StoredPositions`; None for other fields).

    The posting list is read in one piece and its blocks unpacked from memory (whoosh's
    matcher reads each block header a few bytes at a time through the file). Unpacking
    a block decompresses its positions with its document numbers: kept, a later
    position check on the term needs neither the file nor zlib again.
    """
    found = _term_postings(segment_reader, fieldname, text)
    if found is None:
        return (*EMPTY, None)
    ids, weights, values = _unpack_term(segment_reader, fieldname, found)
    id_array = np.array(ids, dtype=np.int64)
    stored = None
    if (
        fieldname in segment_reader.schema
        and posting_kind(segment_reader.schema[fieldname].format) == "positions"
        and len(values) == len(ids)
    ):
        ends = np.fromiter(map(len, values), dtype=np.int64, count=len(values)).cumsum()
        data = np.frombuffer(b"".join(values), dtype=np.uint8)
        stored = StoredPositions(id_array, data, ends)
    return id_array, np.array(weights, dtype=np.float32), stored


#: No positions: (the document of each, the position).
EMPTY_POSITIONS = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


class StoredPositions(NamedTuple):
    """A term's postings in one segment with each posting's encoded positions (whoosh's
    :class:`~whoosh.formats.Positions` values, one after another in ``data``; the
    value of posting ``i`` ends at ``ends[i]``). Arrays only, to be counted in bytes."""

    ids: np.ndarray
    data: np.ndarray
    ends: np.ndarray

    def value(self, index: int) -> bytes:
        """The encoded positions of posting number ``index``."""
        start = int(self.ends[index - 1]) if index else 0
        return self.data[start : int(self.ends[index])].tobytes()


def decode_positions(value: bytes) -> list[int]:
    """The positions of one posting's :class:`~whoosh.formats.Positions` value."""
    if not value.endswith(b"."):  # whoosh may store the pickle without its STOP
        value += b"."
    return list(itertools.accumulate(pickle.loads(value[_UINT_SIZE:])))


class _Decoded:
    """Positions decoded for wanted documents, gathered into two arrays."""

    def __init__(self):
        self.docs: list[int] = []
        self.flat: list[int] = []
        self.counts: list[int] = []

    def add(self, ids: np.ndarray, wanted: np.ndarray, value: Callable[[int], bytes]) -> None:
        """Decode the positions of those of ``wanted`` that ``ids`` (ascending) holds;
        ``value(i)`` is the encoded value of posting ``i`` of ``ids``."""
        if not len(ids) or not len(wanted):
            return
        where = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
        held = ids[where] == wanted
        for docnum, index in zip(wanted[held].tolist(), where[held].tolist(), strict=True):
            positions = decode_positions(value(index))
            self.docs.append(docnum)
            self.counts.append(len(positions))
            self.flat += positions

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The document of each position, and the position."""
        return (
            np.repeat(np.array(self.docs, dtype=np.int64), self.counts),
            np.array(self.flat, dtype=np.int64),
        )


def stored_positions(stored: StoredPositions, docnums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`read_positions` from a term's :class:`StoredPositions` (no file read)."""
    decoded = _Decoded()
    decoded.add(stored.ids, docnums, stored.value)
    return decoded.arrays()


def read_positions(
    segment_reader, fieldname: str, text: str, docnums: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The term's positions in those of ``docnums`` (local, ascending) that hold it, as
    two arrays: the document of each position, and the position (by document, then
    position, ascending).

    The posting list is read in one piece; a block holding none of ``docnums`` is
    passed by its last document number without being unpacked, and only the wanted
    postings' positions are decoded.
    """
    found = _term_postings(segment_reader, fieldname, text)
    if found is None or not len(docnums):
        return EMPTY_POSITIONS
    if isinstance(found, bytes):
        fixed = _fixed_size(segment_reader.schema, fieldname)
        blocks = (
            (block, lambda block=block: _block_postings(found, block, fixed))
            for block in _blocks(found)
        )
    else:  # inlined: one block of its own
        blocks = iter([((len(found[0]), max(found[0], default=-1)), lambda: found)])
    decoded = _Decoded()
    at = 0
    for block, unpack in blocks:
        last = block[1]
        if last < docnums[at]:
            continue
        end = int(np.searchsorted(docnums, last, side="right"))
        block_ids, _, values = unpack()
        decoded.add(np.array(block_ids, dtype=np.int64), docnums[at:end], values.__getitem__)
        at = end
        if at >= len(docnums):
            break
    return decoded.arrays()


def segment_key(segment_reader) -> tuple:
    """What identifies a segment's contents (segments never change once written)."""
    segment = segment_reader.segment()
    return (segment.segment_id(), segment.doc_count_all())


def deleted_docnums(segment_reader) -> np.ndarray:
    """The (local) numbers of a segment's deleted documents."""
    return np.fromiter(segment_reader.segment().deleted_docs(), dtype=np.int64)


def segment_lengths(leaf, fieldname: str) -> np.ndarray:
    """Every document's length in ``fieldname`` in one segment (as whoosh stores it)."""
    size = leaf.doc_count_all()
    try:
        column = leaf._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        raw = np.frombuffer(column.load(), dtype=np.uint8) if column is not None else None
    except AttributeError:  # another codec: ask document by document
        raw = None
    if raw is None or len(raw) != size:
        return np.array(
            [leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(size)], dtype=np.float32
        )
    return LENGTH_OF_BYTE[raw]
