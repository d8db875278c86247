"""How Chinese text becomes index terms: jieba words, character 1–2-grams, pinyin.

Backend-neutral (no search engine imported here): the whoosh analysers
(:mod:`search.backends.whoosh.analysis`) and any other backend build their documents
from these functions. All of them take normalised text
(:func:`essays.text.normalize.normalize`, or :func:`normalized`), so index and query
meet on the same simplified, half-width, lower-case text.

- :func:`jieba_terms` — jieba's search-mode words with positions 0, 1, 2 … (jieba's
  own whoosh tokenizer uses character offsets as positions, which breaks phrase and
  proximity queries).
- :func:`gram_terms` — every character and every pair of adjacent characters at the
  character's position: a one-character query is a unigram, a longer one a phrase of
  bigrams, so any substring of the text is found, however jieba split it.
- :func:`pinyin_terms` — the toneless syllable of each Chinese character.

Lines (``\\n``) are hard boundaries: positions jump, so no phrase spans two of the
parts (title, heading, paragraph…) an essay is indexed from.

:func:`jieba_positions` and :func:`gram_positions` give every term of a field with its
positions in one call (what indexing needs, faster than the ``(position, term)``
stream); inside :func:`one_document` a line that several fields index (a title is also
part of the whole text) is cut by jieba once.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator

from essays.text.jieba_setup import ensure_jieba
from essays.text.normalize import collapse_whitespace, normalize
from search.pinyin import HAN, han_syllables

# A word token must hold a letter, digit or Chinese character (no lone punctuation).
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")
#: How far positions jump from one line to the next (no phrase spans two lines).
LINE_GAP = 2
# jieba's cut of each line of the document being indexed (see one_document), else None.
_document_lines: dict[str, list[str]] | None = None
# Whether a word jieba yields is kept, and as what (stripped), remembered per word.
_kept_words: dict[str, str | None] = {}
_KEPT_WORDS_MAX = 200_000


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


def add_positions(found: dict[str, list[int]], terms: Iterator[tuple[int, str]]) -> None:
    """Append each ``(position, term)`` of ``terms`` to ``found[term]``."""
    for pos, term in terms:
        poses = found.get(term)
        if poses is None:
            found[term] = [pos]
        else:
            poses.append(pos)


def jieba_words(text: str) -> list[str]:
    """jieba's search-mode words of already normalised text, punctuation dropped."""
    words = []
    for line in text.split("\n"):
        words.extend(_line_words(line))
    return words


def gram_line(line: str) -> str:
    """One line as the gram field sees it: whitespace runs as one space."""
    return collapse_whitespace(line)


def grams(term: str) -> list[str]:
    """The gram-field terms that together spell ``term`` (already normalised)."""
    if len(term) <= 1:
        return [term] if term else []
    return [term[i : i + 2] for i in range(len(term) - 1)]


def jieba_terms(text: str, start_pos: int = 0) -> Iterator[tuple[int, str]]:
    """jieba's search-mode words of normalised ``text`` as ``(position, word)``, positions
    0, 1, 2 … from ``start_pos`` in the order jieba yields them."""
    pos = start_pos
    for line in text.split("\n"):
        for word in _line_words(line):
            yield pos, word
            pos += 1
        pos += LINE_GAP


def jieba_positions(value: str) -> dict[str, list[int]]:
    """Every jieba word of ``value`` (normalised here) with its ascending positions: the
    terms and positions of :func:`jieba_terms`, in one call."""
    found: dict[str, list[int]] = {}
    pos = 0
    for line in normalized(value or "").split("\n"):
        words = _line_words(line)
        add_positions(found, zip(range(pos, pos + len(words)), words, strict=True))
        pos += len(words) + LINE_GAP
    return found


def gram_terms(text: str, start_pos: int = 0) -> Iterator[tuple[int, str]]:
    """Each character (not whitespace) and each adjacent pair of normalised ``text``, both
    at the character's position, as ``(position, gram)``."""
    pos = start_pos
    for raw_line in text.split("\n"):
        line = gram_line(raw_line)
        for index, char in enumerate(line):
            if not char.isspace():
                yield pos + index, char
            if index + 1 < len(line):
                yield pos + index, line[index : index + 2]
        pos += len(line) + LINE_GAP


def gram_positions(value: str) -> dict[str, list[int]]:
    """Every character and adjacent pair of ``value`` (normalised here) with its
    positions: the terms and positions of :func:`gram_terms`, in one call."""
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
        pos += size + LINE_GAP
    return found


def pinyin_terms(text: str, start_pos: int = 0) -> Iterator[tuple[int, str]]:
    """The toneless syllable of each Chinese character of normalised ``text`` as
    ``(position, syllable)``; runs of Han are phrases, with a gap between runs."""
    pos = start_pos
    for match in HAN.finditer(text):
        for syllable in han_syllables(match.group(0)):
            yield pos, syllable
            pos += 1
        pos += LINE_GAP


def pinyin_positions(value: str) -> dict[str, list[int]]:
    """Every pinyin syllable of ``value`` (normalised here) with its positions."""
    found: dict[str, list[int]] = {}
    add_positions(found, pinyin_terms(normalized(value or "")))
    return found


#: The whoosh tokenizers once defined here: an index written before they moved to
#: :mod:`search.backends.whoosh.analysis` names them by this module in the schema it
#: pickled, so they stay reachable from here for unpickling (loaded only then).
_MOVED_TOKENIZERS = frozenset({"JiebaTokenizer", "GramTokenizer", "PinyinTokenizer"})


def __getattr__(name: str):
    """The moved whoosh tokenizers, for schemas pickled with their old path."""
    if name in _MOVED_TOKENIZERS:
        from search.backends.whoosh import analysis

        return getattr(analysis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
