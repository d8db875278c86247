"""Text normalisation shared by indexing, querying and highlighting.

Everything the index sees and everything a user types goes through :func:`normalize`,
so 統籌城鄉, ＭＢＴＩ and ｍｂｔｉ all meet 统筹城乡 and mbti in the index.

:func:`fold` is length-preserving (one character in, one character out), which lets
the highlighter find matches in folded text and mark the same offsets of the original.
"""

from __future__ import annotations

import functools
import re

from opencc import OpenCC

# Full-width ASCII (！ … ～) sits 0xFEE0 above its half-width form; U+3000 is the
# ideographic space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

# Digits spaced out by OCR, as the importer repairs them: ``2 0 0 3年`` → ``2003年``,
# ``6 0 0万`` → ``600万``, ``2 7.5%`` → ``27.5%``.  Only runs of single digits that
# run into a number's unit are joined, so a query ``2003 2004`` stays two words.
_SPACED_DIGITS = re.compile(r"(?<![\w.])\d(?: \d)+(?:\.\d+)?(?=\s?[%年月日万亿元千百个人岁])")
_WHITESPACE = re.compile(r"\s+")


@functools.cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def _lower_char(char: str) -> str:
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def fold(text: str) -> str:
    """Traditional → simplified, full-width → half-width, Latin lower case.

    The result has exactly the length of ``text``: a conversion that would change
    the length (a rare phrase mapping) falls back to character-by-character.
    """
    if not text:
        return ""
    text = text.translate(_FULLWIDTH)
    converter = _t2s()
    simplified = converter.convert(text)
    if len(simplified) != len(text):
        simplified = "".join(
            converted if len(converted := converter.convert(char)) == 1 else char for char in text
        )
    return "".join(_lower_char(char) for char in simplified)


def repair_digits(text: str) -> str:
    """Join digits spaced out by OCR (``2 0 0 3年`` → ``2003年``)."""
    return _SPACED_DIGITS.sub(lambda match: match.group(0).replace(" ", ""), text)


def normalize(text: str) -> str:
    """The one normalisation applied to indexed text and to queries."""
    return repair_digits(fold(text or ""))


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace (newlines included) as one space, trimmed."""
    return _WHITESPACE.sub(" ", text).strip()
