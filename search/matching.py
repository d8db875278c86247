"""What a parsed query matches, and how the matches rank, on one index snapshot.

- A word (a clause of :mod:`search.query`) matches the essays whose normalised text
  contains it; an unquoted compound also matches with its jieba parts close together
  in any order (城乡统筹 ~ 统筹城乡, 镇村一体化 ~ 镇村卫生服务一体化).
- A word typed in Latin letters that reads as pinyin also matches, as a second tier,
  the Chinese spellings of that reading found in the index (``laodongli`` → 劳动力).
- Groups of ``OR``-ed words must all match; ``-word`` leaves out essays containing it.
- Score: BM25 of each word as a substring, plus its jieba words in titles (×6),
  headings and keywords (×3) and text (×1), plus reference years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from search import engine
from search import query as q
from search.analysis import jieba_words
from search.pinyin import characters_reading, split_syllables

TITLE_WEIGHT = 6.0
HEAD_WEIGHT = 3.0
#: At most this many Chinese spellings are tried for one pinyin reading.
MAX_SPELLINGS = 64
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass
class QueryMatch:
    """The essays a query matches on one snapshot, in tiers, and their scores."""

    direct: np.ndarray
    pinyin: np.ndarray
    scores: np.ndarray
    spellings: list[str] = field(default_factory=list)

    @property
    def everything(self) -> np.ndarray:
        """Every matching document, direct or through pinyin."""
        return self.direct | self.pinyin


@dataclass
class _Matcher:
    snap: engine.Snapshot
    substrings: dict[str, np.ndarray] = field(default_factory=dict)
    spellings: dict[str, list[str]] = field(default_factory=dict)

    def substring(self, text: str) -> np.ndarray:
        found = self.substrings.get(text)
        if found is None:
            found = self.snap.remembered(
                ("substring", text), lambda: engine.substring(self.snap, text)
            )
            self.substrings[text] = found
        return found

    def clause(self, clause: q.Clause, *, with_pinyin: bool) -> np.ndarray:
        found = self.substring(clause.text)
        if not clause.phrase:
            parts = q.compound_parts(clause.text)
            if 2 <= len(parts) <= 4:
                skip = found
                found = found | self.snap.remembered(
                    ("near", tuple(parts)),
                    lambda: engine.near(self.snap, parts, q.NEAR_SLOP, skip=skip),
                )
            if with_pinyin and clause.is_pinyin:
                found = found | self.pinyin(clause.text)
        return found

    def pinyin(self, text: str) -> np.ndarray:
        return engine.any_of(self.snap, (self.substring(s) for s in self.spell(text)))

    def spell(self, text: str) -> list[str]:
        """Chinese strings in the index that read as the pinyin ``text``."""
        text = text.replace(" ", "")
        found = self.spellings.get(text)
        if found is None:
            found = self.spellings[text] = self.snap.remembered(
                ("spellings", text), lambda: self._spell(text)
            )
        return found

    def _spell(self, text: str) -> list[str]:
        found = []
        for syllables in split_syllables(text):
            found.extend(self._spellings(syllables))
        return list(dict.fromkeys(found))[:MAX_SPELLINGS]

    def _spellings(self, syllables: tuple[str, ...]) -> list[str]:
        prefixes = [""]
        for syllable in syllables:
            indexed = self.snap.characters("grams")
            chars = [c for c in characters_reading(syllable) if c in indexed]
            extended = []
            for prefix in prefixes:
                following = self.snap.following("grams", prefix[-1]) if prefix else None
                extended.extend(prefix + c for c in chars if following is None or c in following)
                if len(extended) >= MAX_SPELLINGS:
                    break
            prefixes = extended[:MAX_SPELLINGS]
            if not prefixes:
                break
        return prefixes


def match(snap: engine.Snapshot, parsed: q.ParsedQuery) -> QueryMatch:
    """The documents ``parsed`` matches directly, those only its pinyin reading matches,
    and a score for every document."""
    matcher = _Matcher(snap)
    direct = _required(matcher, parsed, with_pinyin=False)
    pinyin = snap.none()
    if any(c.is_pinyin for c in parsed.clauses):
        pinyin = _required(matcher, parsed, with_pinyin=True) & ~direct
    spellings = list(dict.fromkeys(s for found in matcher.spellings.values() for s in found))
    return QueryMatch(direct, pinyin, _scores(matcher, parsed), spellings)


def _required(matcher: _Matcher, parsed: q.ParsedQuery, *, with_pinyin: bool) -> np.ndarray:
    snap = matcher.snap
    clauses = parsed.clauses
    # "zhong shan shi": words that are all pinyin are read together, as one run.
    together = len(clauses) > 1 and not parsed.has_or and all(c.is_pinyin for c in clauses)
    each = with_pinyin and not together
    found = engine.all_of(
        snap,
        (
            engine.any_of(snap, (matcher.clause(c, with_pinyin=each) for c in group))
            for group in parsed.groups
        ),
    )
    if with_pinyin and together:
        found = found | matcher.pinyin("".join(c.text for c in clauses))
    if parsed.excluded:
        found = found & ~engine.any_of(snap, (matcher.substring(c.text) for c in parsed.excluded))
    return found & snap.live


def _scores(matcher: _Matcher, parsed: q.ParsedQuery) -> np.ndarray:
    snap = matcher.snap
    total = np.zeros(snap.size, dtype=np.float32)
    for clause in parsed.clauses:
        total += engine.substring_score(snap, clause.text, matcher.substring(clause.text))
        if clause.phrase:
            continue
        for word in dict.fromkeys(jieba_words(clause.text)):
            total += TITLE_WEIGHT * engine.term_score(snap, "title", word)
            total += HEAD_WEIGHT * engine.term_score(snap, "head", word)
            total += engine.term_score(snap, "text", word)
        if _YEAR.match(clause.text):
            total += engine.term_score(snap, "years", clause.text)
    for spelling in dict.fromkeys(s for found in matcher.spellings.values() for s in found):
        total += engine.substring_score(snap, spelling, matcher.substring(spelling))
    return total
