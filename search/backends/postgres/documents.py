"""An essay as the PostgreSQL backend stores it: parts, chunks, and their tsvectors.

An essay is cut into **parts** (its title, its keywords and section headings, its intro,
each section's text, its references), each hashed from its source text, so that
re-indexing an essay re-analyses only the parts whose text changed. A part is
normalised like the whoosh index's text (:func:`essays.text.normalize.normalize`,
whitespace collapsed per line) and cut into **chunks** of whole lines of at most
:data:`CHUNK_CHARS` characters; a longer line is cut into windows that overlap by
:data:`~search.query.MAX_QUERY_LENGTH` characters, so any string a query can hold lies
whole inside one chunk. That keeps every tsvector far below PostgreSQL's limits (1 MB,
positions up to 16,383, 256 positions per word).

Each chunk carries two tsvectors, fed by the same analysers as the whoosh index
(:mod:`search.analysis`):

- ``words``: jieba's search-mode words with positions numbered as whoosh numbers them
  (one per word, a gap of two between lines), weighted A (title), B (keywords and
  headings) or C (text), for compounds near each other (``<N>``) and ranking;
- ``grams``: every character and every pair of adjacent characters, without positions:
  the candidates of a substring search, checked against the chunk's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from essays.models import Essay
from essays.text.normalize import collapse_whitespace, normalize
from search.analysis import jieba_words
from search.pinyin import HAN
from search.query import MAX_QUERY_LENGTH

#: A chunk holds whole lines up to this many characters (a longer line is windowed).
CHUNK_CHARS = 2000
#: Windows of one long line overlap by this much: a query never falls between two.
OVERLAP = MAX_QUERY_LENGTH
#: The gap in word positions between lines (as in the whoosh index).
LINE_GAP = 2
#: PostgreSQL's largest position in a tsvector.
MAX_POSITION = 16383
#: Words longer than this are not kept as words (a lexeme may hold 2 KB; the text is
#: still found by its characters).
MAX_WORD_CHARS = 100
#: The weight classes: title, keywords and headings, text.
TITLE, HEAD, TEXT = "A", "B", "C"


@dataclass(frozen=True)
class Part:
    """One part of an essay: a stable key, its weight class and its source lines."""

    key: str
    kind: str
    lines: tuple[str, ...]

    @property
    def digest(self) -> str:
        """A hash of what the part's chunks are made from."""
        data = "\x1f".join((self.kind, *self.lines)).encode("utf-8")
        return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Chunk:
    """A chunk ready to be written: its text and both tsvectors (as PostgreSQL input)."""

    part: str
    seq: int
    kind: str
    digest: str
    body: str
    words: str
    grams: str
    length: int
    vocabulary: frozenset[str]


def _lines(*texts: str) -> tuple[str, ...]:
    return tuple(line for text in texts if text for line in text.splitlines())


def essay_parts(essay: Essay) -> list[Part]:
    """The essay's parts, each with a key that stays the same across edits (a section's
    part is keyed by its id); uses prefetched sections and references if any."""
    sections = list(essay.sections.all())
    references = list(essay.references.all())
    parts = [
        Part("title", TITLE, _lines(essay.title, essay.subtitle)),
        Part("head", HEAD, _lines(*essay.keyword_list, *(s.heading for s in sections))),
        Part("intro", TEXT, _lines(essay.intro)),
        *(Part(f"s{section.pk}", TEXT, _lines(section.text)) for section in sections),
        Part("refs", TEXT, _lines(*(reference.text for reference in references))),
    ]
    return [part for part in parts if part.lines]


def normalised_lines(part: Part) -> list[str]:
    """The part's lines as searched: normalised, whitespace collapsed, none empty."""
    lines = (collapse_whitespace(line) for line in normalize("\n".join(part.lines)).split("\n"))
    return [line for line in lines if line]


def _windows(line: str) -> Iterator[str]:
    """``line`` in windows of at most CHUNK_CHARS overlapping by OVERLAP characters."""
    if len(line) <= CHUNK_CHARS:
        yield line
        return
    step = CHUNK_CHARS - OVERLAP
    start = 0
    while True:
        yield line[start : start + CHUNK_CHARS]
        if start + CHUNK_CHARS >= len(line):
            return
        start += step


def chunk_lines(lines: Iterable[str]) -> list[list[str]]:
    """Lines grouped into chunks of at most CHUNK_CHARS characters (long lines windowed)."""
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        for window in _windows(line):
            if current and size + len(window) + 1 > CHUNK_CHARS:
                chunks.append(current)
                current, size = [], 0
            current.append(window)
            size += len(window) + 1
    if current:
        chunks.append(current)
    return chunks


def lexeme(text: str) -> str:
    """``text`` as a quoted lexeme of tsvector or tsquery input."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _words_vector(lines: list[str], kind: str) -> tuple[str, int]:
    positions: dict[str, list[int]] = {}
    pos = 1
    count = 0
    for line in lines:
        for word in jieba_words(line):
            if len(word) <= MAX_WORD_CHARS:
                positions.setdefault(word, []).append(min(pos, MAX_POSITION))
            pos += 1
            count += 1
        pos += LINE_GAP
    vector = " ".join(
        f"{lexeme(word)}:{','.join(f'{p}{kind}' for p in dict.fromkeys(poses))}"
        for word, poses in positions.items()
    )
    return vector, count


def line_grams(line: str) -> set[str]:
    """Every character (but a space) and every adjacent pair of ``line``."""
    found = {char for char in line if char != " "}
    found.update(map(str.__add__, line, line[1:]))
    return found


def _grams_vector(lines: list[str]) -> tuple[str, frozenset[str]]:
    grams: set[str] = set()
    for line in lines:
        grams |= line_grams(line)
    vocabulary = frozenset(gram for gram in grams if HAN.fullmatch(gram))
    return " ".join(lexeme(gram) for gram in sorted(grams)), vocabulary


def part_chunks(part: Part) -> list[Chunk]:
    """The analysed chunks of one part."""
    digest = part.digest
    chunks = []
    for seq, lines in enumerate(chunk_lines(normalised_lines(part))):
        words, length = _words_vector(lines, part.kind)
        grams, vocabulary = _grams_vector(lines)
        body = "\n".join(lines)
        chunks.append(
            Chunk(part.key, seq, part.kind, digest, body, words, grams, length, vocabulary)
        )
    return chunks
