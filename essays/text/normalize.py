"""Text normalisation shared by indexing, querying and highlighting.

Everything the index sees and everything a user types goes through :func:`normalize`,
so 統籌城鄉, ＭＢＴＩ and ｍｂｔｉ all meet 统筹城乡 and mbti in the index.

:func:`fold` is length-preserving (one character in, one character out), which lets
the highlighter find matches in folded text and mark the same offsets of the original.
"""

from __future__ import annotations

import functools
import re
import sys

import numpy as np
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


@functools.cache
def _all_t2s_keys() -> frozenset[str]:
    """Every key of the t2s conversion's dictionaries (characters and phrases)."""
    keys: set[str] = set()

    def collect(chain) -> None:
        for item in chain:
            if isinstance(item, list):
                collect(item)
            else:
                keys.update(item[2])  # (longest key, shortest key, mapping)

    collect(_t2s()._dict_chain_data)
    return frozenset(keys)


def _phrase_keys() -> list[str]:
    """The t2s keys longer than one character, longest first."""
    return sorted((key for key in _all_t2s_keys() if len(key) > 1), key=len, reverse=True)


@functools.cache
def _t2s_keys() -> tuple[frozenset[str], re.Pattern[str]]:
    """What the t2s conversion would replace: its one-character keys, and a pattern
    matching any of its longer keys (grouped by first character, which keeps the
    search fast)."""
    keys = _all_t2s_keys()
    by_first: dict[str, list[str]] = {}
    for key in _phrase_keys():
        by_first.setdefault(key[0], []).append(re.escape(key[1:]))
    longer = "|".join(
        f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in by_first.items()
    )
    return frozenset(key for key in keys if len(key) == 1), re.compile(longer or "(?!)")


def _has_t2s_key(text: str) -> bool:
    singles, longer = _t2s_keys()
    return not singles.isdisjoint(text) or longer.search(text) is not None


def _simplify(text: str) -> str:
    """``OpenCC("t2s").convert(text)``, converting only the pieces that need it.

    OpenCC converts the pieces between punctuation one by one, and a piece holding
    none of its dictionaries' keys comes back unchanged; almost every piece of the
    (simplified) corpus is such a piece, so they are not converted at all.
    """
    if not _has_t2s_key(text):
        return text
    converter = _t2s()
    parts = converter.split_chars_re.split(text)
    for index in range(0, len(parts), 2):  # pieces; the odd indexes are separators
        if _has_t2s_key(parts[index]):
            parts[index] = converter.convert(parts[index])
    return "".join(parts)


def _lower_char(char: str) -> str:
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def _lower(text: str) -> str:
    """Lower case, character by character (a character whose lower case is longer stays)."""
    lowered = text.lower()
    # Same length: every character lowered to one character. Σ is the exception, as
    # str.lower() writes it ς at the end of a word but σ on its own.
    if len(lowered) == len(text) and "Σ" not in text:
        return lowered
    return "".join(_lower_char(char) for char in text)


def _fold_whole(text: str) -> str:
    """:func:`fold` the long way round: full-width, then OpenCC piece by piece, then
    lower case (a conversion that would change the length goes character by character)."""
    text = text.translate(_FULLWIDTH)
    simplified = _simplify(text)
    if len(simplified) != len(text):
        converter = _t2s()
        simplified = "".join(
            converted if len(converted := converter.convert(char)) == 1 else char for char in text
        )
    return _lower(simplified)


@functools.cache
def _char_table() -> np.ndarray:
    """Every code point's fold on its own, as a lookup table (4.4 MB, built once).

    Outside OpenCC's phrases a character folds the same wherever it stands: its
    full-width form, its t2s character entry and its lower case depend on it alone.
    So a text holding no phrase key folds as one table look-up per character, in numpy.
    """
    singles, _ = _t2s_keys()
    table = np.arange(sys.maxunicode + 1, dtype=np.uint32)
    changing = {*_FULLWIDTH, *map(ord, singles)}
    changing.update(
        point
        for point in range(sys.maxunicode + 1)
        if not 0xD800 <= point < 0xE000 and chr(point).lower() != chr(point)
    )
    for point in changing:
        folded = _fold_whole(chr(point))
        if len(folded) == 1:
            table[point] = ord(folded)
    return table


@functools.cache
def _phrase_starts() -> tuple[np.ndarray, np.ndarray]:
    """The first two characters of OpenCC's phrase keys: a table of code points (bit 1:
    begins a key, bit 2: is a key's second character), and the sorted pairs
    (``first << 21 | second``)."""
    table = np.zeros(sys.maxunicode + 1, dtype=np.uint8)
    pairs = set()
    for key in _phrase_keys():
        table[ord(key[0])] |= 1
        table[ord(key[1])] |= 2
        pairs.add(ord(key[0]) << 21 | ord(key[1]))
    return table, np.array(sorted(pairs), dtype=np.int64)


def _may_hold_phrase_key(codes: np.ndarray) -> bool:
    """Whether the text of ``codes`` holds the first two characters of a phrase key
    anywhere (most papers hold none: then its regular expression need not run)."""
    table, pairs = _phrase_starts()
    flags = table.take(codes)
    at = np.flatnonzero((flags[:-1] & 1) & (flags[1:] >> 1))
    if not len(at):
        return False
    found = codes[at].astype(np.int64) << 21 | codes[at + 1]
    where = np.minimum(np.searchsorted(pairs, found), len(pairs) - 1)  # not np.isin: it
    return bool((pairs[where] == found).any())  # hashes both arrays on every call


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _from_code_points(codes: np.ndarray) -> str:
    return codes.tobytes().decode("utf-32-le", "surrogatepass")


def _widened(codes: np.ndarray) -> str:
    """``text.translate(_FULLWIDTH)`` of the text of ``codes`` (a dict look-up per
    character is slow on long texts)."""
    codes = codes.copy()
    codes[(codes >= 0xFF01) & (codes < 0xFF5F)] -= 0xFEE0
    codes[codes == 0x3000] = 0x20
    return _from_code_points(codes)


def _phrase_pieces(widened: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each piece of ``widened`` (full-width already made
    half-width) that holds one of OpenCC's phrase keys: the pieces it would convert
    as phrases rather than character by character."""
    _, longer = _t2s_keys()
    separator = _t2s().split_chars_re
    pieces: list[tuple[int, int]] = []
    for found in longer.finditer(widened):
        if pieces and found.start() < pieces[-1][1]:
            continue  # in the piece already taken
        start = found.start()
        while start > 0 and not separator.match(widened, start - 1):
            start -= 1
        after = separator.search(widened, found.end())
        pieces.append((start, after.start() if after else len(widened)))
    return pieces


def build_tables() -> None:
    """Build the folding tables now (about 0.3 s and 6 MB): in a server's master process
    before its workers fork, so they share them instead of each building its own on
    its first request."""
    _char_table()
    _phrase_starts()


def fold(text: str) -> str:
    """Traditional → simplified, full-width → half-width, Latin lower case.

    The result has exactly the length of ``text``: a conversion that would change
    the length (a rare phrase mapping) falls back to character-by-character.
    Characters fold through one look-up table; only the rare pieces holding an
    OpenCC phrase key (such as 乾隆) go through OpenCC itself.
    """
    if not text:
        return ""
    codes = _code_points(text)
    folded = _from_code_points(_char_table().take(codes))
    # Phrase keys hold no full-width character: the text as given is searched for them.
    if not _may_hold_phrase_key(codes) or _t2s_keys()[1].search(text) is None:
        return folded
    widened = _widened(codes)
    converter = _t2s()
    parts, done = [], 0
    for start, end in _phrase_pieces(widened):
        converted = converter.convert(widened[start:end])
        if len(converted) != end - start:
            return _fold_whole(text)
        parts += [folded[done:start], "".join(_lower_char(char) for char in converted)]
        done = end
    parts.append(folded[done:])
    return "".join(parts)


def repair_digits(text: str) -> str:
    """Join digits spaced out by OCR (``2 0 0 3年`` → ``2003年``)."""
    return _SPACED_DIGITS.sub(lambda match: match.group(0).replace(" ", ""), text)


def normalize(text: str) -> str:
    """The one normalisation applied to indexed text and to queries."""
    return repair_digits(fold(text or ""))


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace (newlines included) as one space, trimmed."""
    return _WHITESPACE.sub(" ", text).strip()
