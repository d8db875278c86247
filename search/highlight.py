"""Jieba-aware highlighting on escaped text.

Matches are found in the folded text (:func:`essays.text.normalize.fold`: simplified,
half-width, lower case — one character per character), so a traditional or full-width
query marks the simplified text it matched, and the same offsets are then marked in the
original.  Every piece of text is escaped before ``<mark>`` is put around it: nothing
from the text or the query ever comes through as markup.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from essays.text.normalize import fold
from search.pinyin import HAN, han_syllables, split_syllables

SNIPPET_LENGTH = 120
_SEPARATOR = "\x1f"  # the unit separator: never in essay text, and fold keeps it


def find_spans(
    text: str, terms: Iterable[str], pinyin: Iterable[str] = ()
) -> list[tuple[int, int]]:
    """Merged ``(start, end)`` spans of ``text`` where a term (or pinyin reading) occurs."""
    return find_folded_spans(fold(text), terms, pinyin)


def fold_all(texts: list[str]) -> list[str]:
    """:func:`fold` of each of ``texts``, converted together (one call, not one per text)."""
    joined = _fold_joined(_SEPARATOR.join(texts))
    parts = joined.split(_SEPARATOR)
    return parts if len(parts) == len(texts) else [fold(text) for text in texts]


@functools.lru_cache(maxsize=256)
def _fold_joined(joined: str) -> str:
    """An essay's sections, folded: the same essays come back in result after result."""
    return fold(joined)


def find_folded_spans(
    folded: str, terms: Iterable[str], pinyin: Iterable[str] = ()
) -> list[tuple[int, int]]:
    """:func:`find_spans` on text already folded.

    A term inside a longer term that the text holds is not marked on its own: for
    服务态度 the text's 服务态度 is marked, not every 服务 around it. Spans that touch,
    or that only whitespace separates, are one mark (no gap inside a marked word).
    """
    return held_spans(folded, held_terms(folded, terms), pinyin)


def held_spans(
    folded: str, held: Iterable[str], pinyin: Iterable[str] = ()
) -> list[tuple[int, int]]:
    """:func:`find_folded_spans` for terms already known to be the text's
    :func:`held_terms` (they are not looked for again)."""
    spans: list[tuple[int, int]] = []
    for term in held:
        start = folded.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    for word in {w for w in pinyin if w}:
        spans.extend(_pinyin_spans(folded, word))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or not folded[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def held_terms(folded: str, terms: Iterable[str]) -> list[str]:
    """The ``terms`` that ``folded`` holds, less those inside a longer one it holds."""
    held = sorted({t for t in terms if t and t in folded}, key=len, reverse=True)
    kept: list[str] = []
    for term in held:
        if not any(term in longer for longer in kept):
            kept.append(term)
    return kept


def _pinyin_spans(folded: str, word: str) -> list[tuple[int, int]]:
    spans = []
    for split in split_syllables(word.replace(" ", "")):
        size = len(split)
        for run in HAN.finditer(folded):
            syllables = han_syllables(run.group(0))
            for i in range(len(syllables) - size + 1):
                if tuple(syllables[i : i + size]) == split:
                    spans.append((run.start() + i, run.start() + i + size))
    return spans


def best_window(text: str, spans: list[tuple[int, int]], length: int) -> tuple[int, int]:
    """The ``length``-character window of ``text`` that covers the most matched characters.

    Windows start a quarter of their length before each span (the first best wins). The
    cover of each is read from prefix sums over the spans (sorted, merged first), so a
    long section where a common word occurs thousands of times costs n log n, not n².
    """
    if len(text) <= length or not spans:
        return 0, min(len(text), length)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    starts = [s for s, _ in merged]
    ends = [e for _, e in merged]
    covered = [0]
    for s, e in merged:
        covered.append(covered[-1] + e - s)
    best_start, best_cover = 0, -1
    for anchor, _ in spans:
        start = max(0, min(anchor - length // 4, len(text) - length))
        end = start + length
        first = bisect.bisect_right(ends, start)  # the first span ending inside the window
        last = bisect.bisect_left(starts, end)  # the first span starting after it
        cover = 0
        if first < last:
            cover = covered[last] - covered[first]
            cover -= max(0, start - starts[first]) + max(0, ends[last - 1] - end)
        if cover > best_cover:
            best_start, best_cover = start, cover
    return best_start, best_start + length


def mark(text: str, spans: list[tuple[int, int]]) -> SafeString:
    """``text`` escaped, with each span in ``<mark>``."""
    pieces, cursor = [], 0
    for start, end in spans:
        pieces.append(escape(text[cursor:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(escape(text[cursor:]))
    return mark_safe("".join(pieces))


def snippet(
    text: str, terms: Iterable[str], pinyin: Iterable[str] = (), length: int = SNIPPET_LENGTH
) -> SafeString:
    """An escaped excerpt of ``text`` around its densest matches, matches in ``<mark>``."""
    text = re.sub(r"\s+", " ", text or "").strip()
    spans = find_spans(text, terms, pinyin)
    start, end = best_window(text, spans, length)
    for span_start, span_end in spans:  # never cut a marked word at the window's edge
        if span_start < start < span_end:
            start = span_start
        if span_start < end < span_end:
            end = span_end
    inside = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    ]
    body = mark(text[start:end], inside)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(f"{prefix}{body}{suffix}")
