"""Reading the PostgreSQL backend's tables: which essays hold a string, a word, words
near each other; how often; which characters the index holds. One :class:`Reader` per
search, on one generation, remembering what it has asked.

Every answer is a set of essay ids (or counts per essay) computed by PostgreSQL from the
GIN indexes of the chunks' ``grams`` and ``words`` tsvectors:

- a string of one or two characters is one gram: the index answers exactly;
- a longer string takes the chunks holding all its character pairs (``'ab' & 'bc'``)
  and checks them against the chunk's text (``strpos``): exactly the essays a
  substring scan finds, never fewer;
- the parts of a compound near each other (城乡统筹 ~ 统筹城乡) are phrase queries on
  the word positions (``'城乡' <1> '统筹' | '统筹' <1> '城乡' | …``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from search.analysis import grams as string_grams
from search.backends.postgres.documents import MAX_WORD_CHARS, lexeme
from search.backends.postgres.store import CHUNKS, DOCUMENTS, GRAMS


def id_array(ids: Iterable[int]) -> str:
    """Ids as one array literal for ``= ANY(%s::bigint[])``: psycopg2 sends a Python list
    as ``ARRAY[1, 2, …]``, which PostgreSQL parses element by element (~5× slower at
    a few thousand ids)."""
    return "{" + ",".join(str(int(pk)) for pk in sorted(ids)) + "}"


#: Phrase alternatives beyond this many (long compounds) keep the typed order and its
#: reverse only.
MAX_NEAR_ALTERNATIVES = 200


def _compositions(total: int, parts: int) -> Iterable[tuple[int, ...]]:
    """Every tuple of ``parts`` non-negative numbers summing to at most ``total``."""
    if parts == 0:
        yield ()
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def near_query(words: Sequence[str], slop: int) -> str:
    """A tsquery: ``words`` in any order, at most ``slop`` other words between them."""
    words = list(dict.fromkeys(words))
    orders = list(itertools.permutations(words))
    gaps = list(_compositions(slop, len(words) - 1))
    if len(orders) * len(gaps) > MAX_NEAR_ALTERNATIVES:
        orders = [tuple(words), tuple(reversed(words))]
    alternatives = []
    for order in orders:
        for gap in gaps:
            text = lexeme(order[0])
            for word, between in zip(order[1:], gap, strict=True):
                text = f"({text} <{between + 1}> {lexeme(word)})"
            alternatives.append(text)
    return " | ".join(alternatives)


@dataclass
class Reader:
    """Questions about one generation of the index, answered in SQL and remembered."""

    cursor: object
    generation: int
    _substrings: dict[str, dict[int, int]] = field(default_factory=dict)
    _words: dict[str, dict[int, tuple[int, int, int]]] = field(default_factory=dict)
    _near: dict[tuple, set[int]] = field(default_factory=dict)
    _chunks: dict[int, int] | None = None

    def _fetch(self, sql: str, params: list) -> list[tuple]:
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    # Strings ----------------------------------------------------------------------

    def substring(self, text: str) -> dict[int, int]:
        """Essays whose normalised text contains ``text``, with how many of their chunks do."""
        found = self._substrings.get(text)
        if found is None:
            found = self._substrings[text] = self._substring(text)
        return found

    def holders(self, text: str) -> set[int]:
        """The essays holding ``text`` (a substring)."""
        return set(self.substring(text))

    def _substring(self, text: str) -> dict[int, int]:
        terms = list(dict.fromkeys(string_grams(text)))
        if not terms or "\x00" in text:  # PostgreSQL text never holds NUL
            return {}
        if len(text) <= 2:  # one gram: the index itself answers
            rows = self._fetch(
                f"SELECT essay_id, count(*) FROM {CHUNKS} "
                "WHERE generation = %s AND grams @@ %s::tsquery GROUP BY essay_id",
                [self.generation, lexeme(text)],
            )
            return dict(rows)
        rows = self._fetch(
            f"SELECT essay_id, count(*) FROM {CHUNKS} "
            "WHERE generation = %s AND grams @@ %s::tsquery AND strpos(body, %s) > 0 "
            "GROUP BY essay_id",
            [self.generation, " & ".join(lexeme(term) for term in terms), text],
        )
        return dict(rows)

    def near(self, words: Sequence[str], slop: int, skip: set[int]) -> set[int]:
        """Essays (not in ``skip``) holding jieba's ``words`` close together in any order."""
        if any("\x00" in word for word in words):
            return set()
        key = (tuple(words), slop)
        found = self._near.get(key)
        if found is None:
            # One condition: GIN takes the phrase query's words as an AND and rechecks
            # the positions, each chunk's tsvector read (and decompressed) once.
            rows = self._fetch(
                f"SELECT DISTINCT essay_id FROM {CHUNKS} "
                "WHERE generation = %s AND words @@ %s::tsquery",
                [self.generation, near_query(words, slop)],
            )
            found = self._near[key] = {row[0] for row in rows}
        return found - skip

    # Words ------------------------------------------------------------------------

    def word(self, word: str) -> dict[int, tuple[int, int, int]]:
        """Essays holding jieba word ``word``: in their title, in their keywords and
        headings (0 or 1 each), and in how many text chunks."""
        found = self._words.get(word)
        if found is None:
            found = {}
            if 0 < len(word) <= MAX_WORD_CHARS and "\x00" not in word:
                rows = self._fetch(
                    f"SELECT essay_id, kind, count(*) FROM {CHUNKS} "
                    "WHERE generation = %s AND words @@ %s::tsquery GROUP BY essay_id, kind",
                    [self.generation, lexeme(word)],
                )
                counts: dict[int, list[int]] = {}
                for essay_id, kind, count in rows:
                    held = counts.setdefault(essay_id, [0, 0, 0])
                    held["ABC".index(kind)] += count
                found = {pk: (held[0], held[1], held[2]) for pk, held in counts.items()}
            self._words[word] = found
        return found

    def whole_word(self, word: str) -> bool:
        """Whether some essay holds ``word`` as a jieba word of its own."""
        return bool(self.word(word))

    def closeness(self, words: Sequence[str], essay_ids: Iterable[int]) -> dict[int, float]:
        """How close ``words`` stand in each essay (PostgreSQL's cover density, at most 1)."""
        words = list(
            dict.fromkeys(w for w in words if 0 < len(w) <= MAX_WORD_CHARS and "\x00" not in w)
        )
        ids = sorted(essay_ids)
        if len(words) < 2 or not ids:
            return {}
        rows = self._fetch(
            f"""
            SELECT essay_id, max(ts_rank_cd('{{1,1,1,1}}', words, %s::tsquery, 0))
            FROM {CHUNKS}
            WHERE generation = %s AND essay_id = ANY(%s::bigint[]) AND words @@ %s::tsquery
            GROUP BY essay_id
            """,
            [
                " & ".join(map(lexeme, words)),
                self.generation,
                id_array(ids),
                " & ".join(map(lexeme, words)),
            ],
        )
        return {pk: min(1.0, float(rank)) for pk, rank in rows}

    # Documents --------------------------------------------------------------------

    def _documents(self) -> dict[int, int]:
        if self._chunks is None:
            rows = self._fetch(
                f"SELECT essay_id, chunks FROM {DOCUMENTS} WHERE generation = %s",
                [self.generation],
            )
            self._chunks = dict(rows)
        return self._chunks

    def stats(self) -> tuple[int, float]:
        """How many essays the generation holds, and their mean number of text chunks."""
        chunks = self._documents()
        return len(chunks), max(1.0, sum(chunks.values()) / max(1, len(chunks)))

    def chunk_counts(self) -> dict[int, int]:
        """Each essay's number of text chunks (one read of every document's row: cheaper
        than looking up thousands of matching essays one by one)."""
        return self._documents()

    # Vocabulary -------------------------------------------------------------------

    def indexed(self, grams: Iterable[str]) -> set[str]:
        """Which of these Chinese characters and character pairs the index holds."""
        grams = sorted(set(grams))
        if not grams:
            return set()
        rows = self._fetch(
            f"SELECT gram FROM {GRAMS} WHERE generation = %s AND gram = ANY(%s)",
            [self.generation, grams],
        )
        return {row[0] for row in rows}
