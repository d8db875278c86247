"""Whoosh analysers for Chinese text: jieba words, character 1–2-grams, pinyin.

All three normalise first (:func:`search.normalize.normalize`), so index and query
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
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from search.jieba_setup import ensure_jieba
from search.normalize import collapse_whitespace, normalize
from search.pinyin import HAN, han_syllables

# A word token must hold a letter, digit or Chinese character (no lone punctuation).
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")
_LINE_GAP = 2


def _token(positions, chars, removestops, mode, kwargs) -> Token:
    return Token(positions, chars, removestops=removestops, mode=mode, **kwargs)


@functools.lru_cache(maxsize=16)
def normalized(text: str) -> str:
    """:func:`normalize`, remembered for the last few texts.

    An essay is indexed into several fields from the same text (``text``, ``grams`` and
    ``pinyin`` all from the whole essay): the text is normalised once, not per field.
    """
    return normalize(text)


class _NormalisingTokenizer(Tokenizer):
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
        raise NotImplementedError


def jieba_words(text: str) -> list[str]:
    """jieba's search-mode words of already normalised text, punctuation dropped."""
    tokenizer = ensure_jieba()
    words = []
    for line in text.split("\n"):
        words.extend(
            word.strip()
            for word in tokenizer.cut_for_search(line)
            if word.strip() and _WORDLIKE.search(word)
        )
    return words


class JiebaTokenizer(_NormalisingTokenizer):
    """jieba search-mode words, positions 0, 1, 2 … in the order jieba yields them."""

    def terms(self, text, start_pos):
        tokenizer = ensure_jieba()
        pos = start_pos
        for line in text.split("\n"):
            for word in tokenizer.cut_for_search(line):
                word = word.strip()
                if word and _WORDLIKE.search(word):
                    yield pos, word
                    pos += 1
            pos += _LINE_GAP


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


class PinyinTokenizer(_NormalisingTokenizer):
    """The toneless syllable of each Chinese character; runs of Han are phrases."""

    def terms(self, text, start_pos):
        pos = start_pos
        for match in HAN.finditer(text):
            for syllable in han_syllables(match.group(0)):
                yield pos, syllable
                pos += 1
            pos += _LINE_GAP


def JiebaAnalyzer():
    """jieba words, normalised."""
    return JiebaTokenizer()


def GramAnalyzer():
    """Character unigrams and bigrams, normalised."""
    return GramTokenizer()


def PinyinAnalyzer():
    """Toneless pinyin syllables, normalised."""
    return PinyinTokenizer()


def grams(term: str) -> list[str]:
    """The gram-field terms that together spell ``term`` (already normalised)."""
    if len(term) <= 1:
        return [term] if term else []
    return [term[i : i + 2] for i in range(len(term) - 1)]
