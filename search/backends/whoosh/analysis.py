"""Whoosh analysers for Chinese text: jieba words, character 1–2-grams, pinyin.

Thin whoosh tokenizers over the backend-neutral term functions of
:mod:`search.analysis` (normalisation, jieba, grams, pinyin, line gaps):

- :class:`JiebaTokenizer` — jieba's search-mode words with positions renumbered
  0, 1, 2 … (jieba's own whoosh tokenizer uses character offsets as positions).
- :class:`GramTokenizer` — every character and every pair of adjacent characters at
  the character's position.
- :class:`PinyinTokenizer` — the toneless syllable of each Chinese character.

Each analyser has a ``positions`` attribute (default True): the schema
(:meth:`search.backends.whoosh.haystack.ChineseWhooshSearchBackend.build_schema`)
keeps positions only for fields whose analyser asks for them (phrase and proximity
queries need them; a field that is only matched and scored word by word does not).

Indexing asks each tokenizer for :meth:`~_NormalisingTokenizer.term_positions` (every
term with its positions, in one call) instead of whoosh's token stream
(:mod:`search.backends.whoosh.bulk_writer`).
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from search.analysis import (
    gram_positions,
    gram_terms,
    jieba_positions,
    jieba_terms,
    normalized,
    pinyin_positions,
    pinyin_terms,
)


def _token(positions, chars, removestops, mode, kwargs) -> Token:
    return Token(positions, chars, removestops=removestops, mode=mode, **kwargs)


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
        raise NotImplementedError


class JiebaTokenizer(_NormalisingTokenizer):
    """jieba search-mode words, positions 0, 1, 2 … in the order jieba yields them."""

    def terms(self, text, start_pos):
        return jieba_terms(text, start_pos)

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Every jieba word of ``value`` with its positions."""
        return jieba_positions(value)


class GramTokenizer(_NormalisingTokenizer):
    """Each character and each adjacent pair, both at the character's position."""

    def terms(self, text, start_pos):
        return gram_terms(text, start_pos)

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Every character and adjacent pair of ``value`` with its positions."""
        return gram_positions(value)


class PinyinTokenizer(_NormalisingTokenizer):
    """The toneless syllable of each Chinese character; runs of Han are phrases."""

    def terms(self, text, start_pos):
        return pinyin_terms(text, start_pos)

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Every syllable of ``value`` with its positions."""
        return pinyin_positions(value)


def JiebaAnalyzer(positions: bool = True) -> JiebaTokenizer:
    """jieba words, normalised; ``positions=False`` for a field without phrase queries."""
    return JiebaTokenizer(positions)


def GramAnalyzer(positions: bool = True) -> GramTokenizer:
    """Character unigrams and bigrams, normalised."""
    return GramTokenizer(positions)


def PinyinAnalyzer(positions: bool = True) -> PinyinTokenizer:
    """Toneless pinyin syllables, normalised."""
    return PinyinTokenizer(positions)
