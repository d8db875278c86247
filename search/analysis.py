"""Whoosh analysers for Chinese text: jieba words, character 1–2-grams, pinyin.

All three normalise first (:func:`essays.text.normalize.normalize`), so index and query
meet on the same simplified, half-width, lower-case text.

- :class:`JiebaTokenizer` — jieba's search-mode words with positions renumbered
  0, 1, 2 … (jieba's own whoosh tokenizer uses character offsets as positions, which
  breaks phrase and proximity queries).
- :class:`GramTokenizer` — every character and every pair of adjacent characters at
  the character's position: a one-character query is a unigram, a longer one a phrase
  of bigrams, so any substring of the text is found, however jieba split it.
- :class:`PinyinTokenizer` — the toneless syllable of each Chinese character.

Lines (``\\n``) are hard boundaries: positions jump, so no phrase spans two of the
parts (title, heading, paragraph…) an essay is indexed from.

Each analyser has a ``positions`` attribute (default True): the schema
(:func:`search.backend.ChineseWhooshSearchBackend.build_schema`) keeps positions only
for fields whose analyser asks for them (phrase and proximity queries need them; a
field that is only matched and scored word by word does not).

Indexing asks each tokenizer for :meth:`~_NormalisingTokenizer.term_positions` (every
term with its positions, in one call) instead of whoosh's token stream; inside
:func:`one_document` a line that several fields index (a title is also part of the
whole text) is cut by jieba once.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from essays.text.jieba_setup import ensure_jieba
from essays.text.normalize import collapse_whitespace, normalize
from search.pinyin import HAN, han_syllables

# A word token must hold a letter, digit or Chinese character (no lone punctuation).
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")
_LINE_GAP = 2
# jieba's cut of each line of the document being indexed (see one_document), else None.
_document_lines: dict[str, list[str]] | None = None
# Whether a word jieba yields is kept, and as what (stripped), remembered per word.
_kept_words: dict[str, str | None] = {}
_KEPT_WORDS_MAX = 200_000


def _token(positions, chars, removestops, mode, kwargs) -> Token:
    return Token(positions, chars, removestops=removestops, mode=mode, **kwargs)


@functools.lru_cache(maxsize=16)
def normalized(text: str) -> str:
    """:func:`normalize`, remembered for the last few texts.

    An essay is indexed into several fields from the same text (``text``, ``grams`` and
    ``pinyin`` all from the whole essay): the text is normalised once, not per field.
    """
    return normalize(text)


@contextlib.contextmanager
def one_document() -> Iterator[None]:
    """While indexing one document: each distinct line is cut by jieba only once.

    The ``text``, ``title`` and ``head`` fields are analysed from overlapping lines of
    the same essay; within this context the second field reuses the first's cut. The
    memory is per document, so nothing is reused from one essay to the next.
    """
    global _document_lines
    outer = _document_lines
    _document_lines = {}
    try:
        yield
    finally:
        _document_lines = outer


def _kept(word: str) -> str | None:
    """``word`` stripped, or None when it is blank or has no letter, digit or Han."""
    try:
        return _kept_words[word]
    except KeyError:
        pass
    stripped = word.strip()
    kept = stripped if stripped and _WORDLIKE.search(stripped) else None
    if len(_kept_words) >= _KEPT_WORDS_MAX:
        _kept_words.clear()
    _kept_words[word] = kept
    return kept


def _line_words(line: str) -> list[str]:
    """jieba's search-mode words of one normalised line, punctuation dropped."""
    lines = _document_lines
    if lines is not None:
        found = lines.get(line)
        if found is not None:
            return found
    kept = _kept
    words = [k for word in ensure_jieba().cut_for_search(line) if (k := kept(word)) is not None]
    if lines is not None:
        lines[line] = words
    return words


def _add_positions(found: dict[str, list[int]], terms: Iterator[tuple[int, str]]) -> None:
    for pos, term in terms:
        poses = found.get(term)
        if poses is None:
            found[term] = [pos]
        else:
            poses.append(pos)


class _NormalisingTokenizer(Tokenizer):
    positions = True  # whether the field keeps positions (see the module docstring)

    def __init__(self, positions: bool = True):
        self.positions = positions

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __hash__(self):
        return hash(self.__class__)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = _token(positions, chars, removestops, mode, kwargs)
        for pos, text in self.terms(normalized(value or ""), start_pos):
            token.text = text
            if keeporiginal:
                token.original = text
            token.stopped = False
            token.boost = 1.0
            if positions:
                token.pos = pos
            if chars:  # offsets in the normalised text are all callers may rely on
                token.startchar = start_char
                token.endchar = start_char + len(text)
            yield token

    def terms(self, text: str, start_pos: int) -> Iterator[tuple[int, str]]:
        """``(position, term)`` pairs of normalised ``text``, positions from ``start_pos``."""
        raise NotImplementedError

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Every term of ``value`` with its ascending positions (what a field indexes).

        The same terms and positions as the token stream, in one call.
        """
        found: dict[str, list[int]] = {}
        _add_positions(found, self.terms(normalized(value or ""), 0))
        return found


def jieba_words(text: str) -> list[str]:
    """jieba's search-mode words of already normalised text, punctuation dropped."""
    words = []
    for line in text.split("\n"):
        words.extend(_line_words(line))
    return words


class JiebaTokenizer(_NormalisingTokenizer):
    """jieba search-mode words, positions 0, 1, 2 … in the order jieba yields them."""

    def terms(self, text, start_pos):
        pos = start_pos
        for line in text.split("\n"):
            for word in _line_words(line):
                yield pos, word
                pos += 1
            pos += _LINE_GAP

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Every jieba word of ``value`` with its positions."""
        found: dict[str, list[int]] = {}
        pos = 0
        for line in normalized(value or "").split("\n"):
            words = _line_words(line)
            _add_positions(found, zip(range(pos, pos + len(words)), words, strict=True))
            pos += len(words) + _LINE_GAP
        return found


def gram_line(line: str) -> str:
    """One line as the gram field sees it: whitespace runs as one space."""
    return collapse_whitespace(line)


class GramTokenizer(_NormalisingTokenizer):
    """Each character and each adjacent pair, both at the character's position."""

    def terms(self, text, start_pos):
        pos = start_pos
        for raw_line in text.split("\n"):
            line = gram_line(raw_line)
            for index, char in enumerate(line):
                if not char.isspace():
                    yield pos + index, char
                if index + 1 < len(line):
                    yield pos + index, line[index : index + 2]
            pos += len(line) + _LINE_GAP

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Every character and adjacent pair of ``value`` with its positions."""
        found: dict[str, list[int]] = {}
        pos = 0
        for raw_line in normalized(value or "").split("\n"):
            line = gram_line(raw_line)
            size = len(line)
            for index, char in enumerate(line, pos):
                poses = found.get(char)
                if poses is None:
                    found[char] = [index]
                else:
                    poses.append(index)
            if " " in line:  # a space is no unigram (it is part of bigrams)
                found.pop(" ", None)
            for index, pair in enumerate(map(str.__add__, line, line[1:]), pos):
                poses = found.get(pair)
                if poses is None:
                    found[pair] = [index]
                else:
                    poses.append(index)
            pos += size + _LINE_GAP
        return found


class PinyinTokenizer(_NormalisingTokenizer):
    """The toneless syllable of each Chinese character; runs of Han are phrases."""

    def terms(self, text, start_pos):
        pos = start_pos
        for match in HAN.finditer(text):
            for syllable in han_syllables(match.group(0)):
                yield pos, syllable
                pos += 1
            pos += _LINE_GAP


def JiebaAnalyzer(positions: bool = True) -> JiebaTokenizer:
    """jieba words, normalised; ``positions=False`` for a field without phrase queries."""
    return JiebaTokenizer(positions)


def GramAnalyzer(positions: bool = True) -> GramTokenizer:
    """Character unigrams and bigrams, normalised."""
    return GramTokenizer(positions)


def PinyinAnalyzer(positions: bool = True) -> PinyinTokenizer:
    """Toneless pinyin syllables, normalised."""
    return PinyinTokenizer(positions)


def grams(term: str) -> list[str]:
    """The gram-field terms that together spell ``term`` (already normalised)."""
    if len(term) <= 1:
        return [term] if term else []
    return [term[i : i + 2] for i in range(len(term) - 1)]
