"""What a parsed query matches, and how the matches rank, on one index snapshot.

- A word (a clause of :mod:`search.query`) matches the essays whose normalised text
  contains it; an unquoted compound also matches with its jieba parts close together
  in any order (城乡统筹 ~ 统筹城乡, 镇村一体化 ~ 镇村卫生服务一体化).
- A word typed in Latin letters that reads as pinyin also matches, as a second tier,
  the Chinese spellings of that reading found in the index (``laodongli`` → 劳动力).
- Groups of ``OR``-ed words must all match; ``-word`` leaves out essays containing it.
- An unquoted clause of several jieba words (人事部门服务态度) is also loosened into its
  words (:func:`search.query.loose_words`): after the essays matching the query as
  typed come those holding **all** its words anywhere (closer together first), then
  those holding **most** of them: words weighing more than half of the clause, each
  weighted by how informative it is (its IDF; a word no essay holds weighs most), so an
  essay never matches through 发展 alone, and a query whose main word the corpus lacks
  (量子计算) still finds nothing. Phrases, ``OR`` and ``-word`` keep their strict meaning.
- Score: BM25 of each word as a substring, plus its jieba words in titles (×6),
  headings and keywords (×3) and text (×1), plus reference years. These weights are the
  only field boosts: the index stores plain frequencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from search import query as q
from search.analysis import jieba_words
from search.backends.base import ALL_WORDS, EXACT, MOST_WORDS, PINYIN
from search.backends.rules import (
    CLOSENESS_CANDIDATES,
    HEAD_WEIGHT,
    MAX_CORRECTED_LENGTH,
    MAX_CORRECTED_SHARE,
    MAX_CORRECTIONS_CHECKED,
    MAX_SPELLINGS,
    MOST_SHARE,
    TITLE_WEIGHT,
)
from search.backends.rules import YEAR as _YEAR
from search.backends.whoosh import phrases, ranking
from search.backends.whoosh.snapshot import Snapshot
from search.pinyin import HAN, characters_reading, han_syllables, split_syllables
from search.stopwords import is_informative


@dataclass
class QueryMatch:
    """The essays a query matches on one snapshot, in tiers, and their scores."""

    direct: np.ndarray
    pinyin: np.ndarray
    scores: np.ndarray
    spellings: list[str] = field(default_factory=list)
    #: Essays holding all words of every loosened clause (not matching as typed).
    all_words: np.ndarray | None = None
    #: Essays holding most of them (by weight).
    most_words: np.ndarray | None = None
    #: The first ranking key within a tier (the score, or closeness / coverage).
    primary: np.ndarray | None = None
    #: The query's words and the documents holding each (what each hit ``matched``).
    words: list[tuple[str, np.ndarray]] = field(default_factory=list)

    @property
    def exact(self) -> np.ndarray:
        """Documents matching the whole query as typed (directly or by its reading)."""
        return self.direct | self.pinyin

    @property
    def everything(self) -> np.ndarray:
        """Every matching document, in any tier."""
        found = self.direct | self.pinyin
        for loose in (self.all_words, self.most_words):
            if loose is not None:
                found = found | loose
        return found

    def tiers(self) -> list[np.ndarray]:
        """The masks of the tiers, best first: :data:`~search.backends.base.EXACT`,
        ``PINYIN``, ``ALL_WORDS``, ``MOST_WORDS`` (the tier numbers, from 1)."""
        none = np.zeros_like(self.direct)
        by_tier = {
            EXACT: self.direct,
            PINYIN: self.pinyin,
            ALL_WORDS: none if self.all_words is None else self.all_words,
            MOST_WORDS: none if self.most_words is None else self.most_words,
        }
        return [by_tier[tier] for tier in sorted(by_tier)]

    def matched(self, docnum: int) -> list[str]:
        """The query's words held by document ``docnum``."""
        return [word for word, mask in self.words if mask[docnum]]


@dataclass
class _Matcher:
    snap: Snapshot
    substrings: dict[str, np.ndarray] = field(default_factory=dict)
    spellings: dict[str, list[str]] = field(default_factory=dict)

    def substring(self, text: str) -> np.ndarray:
        found = self.substrings.get(text)
        if found is None:
            found = self.snap.remembered(
                ("substring", text), lambda: phrases.substring(self.snap, text)
            )
            self.substrings[text] = found
        return found

    def clause(self, clause: q.Clause, *, with_pinyin: bool) -> np.ndarray:
        found = self.substring(clause.text)
        if not clause.phrase:
            parts = q.compound_parts(clause.text)
            # Parts that carry no meaning alone (如何 … 研究) never make a match.
            if 2 <= len(parts) <= 4 and any(is_informative(part) for part in parts):
                skip = found
                found = found | self.snap.remembered(
                    ("near", tuple(parts)),
                    lambda: phrases.near(self.snap, parts, q.NEAR_SLOP, skip=skip),
                )
            if with_pinyin and clause.is_pinyin:
                found = found | self.pinyin(clause.text)
        return found

    def pinyin(self, text: str) -> np.ndarray:
        return phrases.any_of(self.snap, (self.substring(s) for s in self.spell(text)))

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


def match(snap: Snapshot, parsed: q.ParsedQuery) -> QueryMatch:
    """The documents ``parsed`` matches directly, those only its pinyin reading matches,
    those holding all or most of its words, and a score for every document."""
    matcher = _Matcher(snap)
    direct = _required(matcher, parsed, with_pinyin=False)
    pinyin = snap.none()
    if any(c.is_pinyin for c in parsed.clauses):
        pinyin = _required(matcher, parsed, with_pinyin=True) & ~direct
    spellings = list(dict.fromkeys(s for found in matcher.spellings.values() for s in found))
    found = QueryMatch(direct, pinyin, _scores(matcher, parsed), spellings)
    if any(q.loose_words(c) for c in parsed.clauses):
        _loosen(matcher, parsed, found)
    found.words = _words(matcher, parsed, spellings)
    return found


def _weights(snap: Snapshot, masks: list[np.ndarray]) -> np.ndarray:
    """How informative each word is: its IDF over the essays holding it (most if none)."""
    return np.array([ranking.idf(snap, int(m.sum())) for m in masks], dtype=np.float32)


def _loosen(matcher: _Matcher, parsed: q.ParsedQuery, found: QueryMatch) -> None:
    """Fill ``found``'s all-words and most-words tiers and the ranking key within them."""
    snap = matcher.snap
    every, most = snap.live.copy(), snap.live.copy()
    coverage = np.zeros(snap.size, dtype=np.float32)
    loosened: list[list[str]] = []
    for group in parsed.groups:
        group_all, group_most = snap.none(), snap.none()
        group_cover = np.zeros(snap.size, dtype=np.float32)
        for clause in group:
            exact = matcher.clause(clause, with_pinyin=False)
            words = q.loose_words(clause)
            if not words:
                group_all |= exact
                group_most |= exact
                group_cover = np.maximum(group_cover, exact)
                continue
            loosened.append(words)
            masks = [matcher.substring(word) for word in words]
            weights = _weights(snap, masks)
            held = np.sum([w * m for w, m in zip(weights, masks, strict=True)], axis=0)
            share = np.where(exact, 1.0, held / weights.sum()).astype(np.float32)
            group_all |= exact | phrases.all_of(snap, masks)
            group_most |= exact | (share > MOST_SHARE)
            group_cover = np.maximum(group_cover, share)
        every &= group_all
        most &= group_most
        coverage += group_cover
    if parsed.excluded:
        excluded = phrases.any_of(snap, (matcher.substring(c.text) for c in parsed.excluded))
        every &= ~excluded
        most &= ~excluded
    exact = found.exact
    found.all_words = every & ~exact
    found.most_words = most & ~every & ~exact
    primary = found.scores.copy()
    if found.all_words.any():
        primary += found.scores * _closeness(snap, loosened, found.all_words, found.scores)
    primary[found.most_words] = np.round(coverage[found.most_words] / len(parsed.groups), 3)
    found.primary = primary


def _closeness(
    snap: Snapshot, loosened: list[list[str]], members: np.ndarray, scores: np.ndarray
) -> np.ndarray:
    """Mean closeness of each loosened clause's words in the best scored ``members``."""
    docnums = np.flatnonzero(members)
    if len(docnums) > CLOSENESS_CANDIDATES:
        docnums = docnums[np.argsort(-scores[docnums], kind="stable")[:CLOSENESS_CANDIDATES]]
    total = np.zeros(snap.size, dtype=np.float32)
    for words in loosened:
        total += phrases.closeness(snap, words, docnums)
    return total / max(1, len(loosened))


def _words(
    matcher: _Matcher, parsed: q.ParsedQuery, spellings: list[str]
) -> list[tuple[str, np.ndarray]]:
    """The query's scored words (:func:`search.query.scored_words`), each with its essays."""
    return [(word, matcher.substring(word)) for word in q.scored_words(parsed, spellings)]


def _required(matcher: _Matcher, parsed: q.ParsedQuery, *, with_pinyin: bool) -> np.ndarray:
    snap = matcher.snap
    clauses = parsed.clauses
    # "zhong shan shi": words that are all pinyin are read together, as one run.
    together = len(clauses) > 1 and not parsed.has_or and all(c.is_pinyin for c in clauses)
    each = with_pinyin and not together
    found = phrases.all_of(
        snap,
        (
            phrases.any_of(snap, (matcher.clause(c, with_pinyin=each) for c in group))
            for group in parsed.groups
        ),
    )
    if with_pinyin and together:
        found = found | matcher.pinyin("".join(c.text for c in clauses))
    if parsed.excluded:
        found = found & ~phrases.any_of(snap, (matcher.substring(c.text) for c in parsed.excluded))
    return found & snap.live


def _scores(matcher: _Matcher, parsed: q.ParsedQuery) -> np.ndarray:
    snap = matcher.snap
    total = np.zeros(snap.size, dtype=np.float32)
    for clause in parsed.clauses:
        total += ranking.substring_score(snap, clause.text, matcher.substring(clause.text))
        if clause.phrase:
            continue
        for word in dict.fromkeys(jieba_words(clause.text)):
            total += TITLE_WEIGHT * ranking.term_score(snap, "title", word)
            total += HEAD_WEIGHT * ranking.term_score(snap, "head", word)
            total += ranking.term_score(snap, "text", word)
        if _YEAR.match(clause.text):
            total += ranking.term_score(snap, "years", clause.text)
    for spelling in dict.fromkeys(s for found in matcher.spellings.values() for s in found):
        total += ranking.substring_score(snap, spelling, matcher.substring(spelling))
    return total


def homophones(snap: Snapshot, text: str) -> list[str]:
    """Strings of the index that read like Chinese ``text`` (toneless) and differ from
    it in a few characters, fewest differences first, then most essays.

    服物意识 → 服务意识, 统愁城乡 → 统筹城乡: a typo of the input method. Only strings
    the index holds as a substring (read from its own words) are returned.
    """
    if not HAN.fullmatch(text) or len(text) > MAX_CORRECTED_LENGTH:
        return []
    indexed = snap.characters("grams")
    prefixes = [""]
    for typed, syllable in zip(text, han_syllables(text), strict=True):
        chars = sorted((c for c in characters_reading(syllable) if c in indexed), key=typed.__ne__)
        extended = []
        for prefix in prefixes:
            following = snap.following("grams", prefix[-1]) if prefix else None
            extended.extend(prefix + c for c in chars if following is None or c in following)
        extended.sort(key=lambda p: _differences(p, text))
        prefixes = extended[:MAX_SPELLINGS]
        if not prefixes:
            return []
    allowed = max(1, int(len(text) * MAX_CORRECTED_SHARE))
    matcher = _Matcher(snap)
    found = []
    checked = 0
    for candidate in prefixes:  # fewest differences first
        differences = _differences(candidate, text)
        if not 0 < differences <= allowed:
            continue
        if (found and differences > found[0][0]) or checked >= MAX_CORRECTIONS_CHECKED:
            break  # the closest found are enough; each check reads the index
        checked += 1
        essays = int((matcher.substring(candidate) & snap.live).sum())
        if essays:
            found.append((differences, -essays, candidate))
    return [candidate for _, _, candidate in sorted(found)]


def _differences(candidate: str, text: str) -> int:
    return sum(a != b for a, b in zip(candidate, text, strict=False))
