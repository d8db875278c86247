"""What a parsed query matches on the PostgreSQL backend, in the tiers of
:mod:`search.matching` (the same rules, on sets of essay ids answered by SQL):

1. the string as typed, as a substring (and an unquoted compound's parts close
   together in any order), so never fewer essays than a substring scan finds;
2. its pinyin reading, spelled in the Chinese the index holds (:mod:`search.pinyin`);
3. all the informative jieba words of each unspaced clause, closer together first;
4. most of them: words carrying more than half of the clause's IDF weight.

Phrases, ``OR`` and ``-word`` keep their strict meaning. Within a tier essays rank by
a BM25 of the query's strings and words, the words weighted as in whoosh: title ×6,
keywords and headings ×3, text ×1 (the text's term frequency counted in chunks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from search import query as q
from search.analysis import jieba_words
from search.backends.base import ALL_WORDS, EXACT, MOST_WORDS, PINYIN
from search.backends.postgres.reading import Reader
from search.backends.rules import (
    CLOSENESS_CANDIDATES,
    HEAD_WEIGHT,
    K1,
    MAX_CORRECTED_LENGTH,
    MAX_CORRECTED_SHARE,
    MAX_CORRECTIONS_CHECKED,
    MAX_SPELLINGS,
    MOST_SHARE,
    TITLE_WEIGHT,
    B,
)
from search.backends.rules import YEAR as _YEAR
from search.pinyin import HAN, characters_reading, han_syllables, split_syllables
from search.stopwords import is_informative


@dataclass
class Found:
    """The essays a query matches, by tier, with their ranking keys."""

    tiers: list[set[int]]
    scores: dict[int, float]
    primary: dict[int, float]
    spellings: list[str]
    words: list[tuple[str, set[int]]] = field(default_factory=list)

    @property
    def everything(self) -> set[int]:
        """Every matching essay, in any tier."""
        return set().union(*self.tiers)

    @property
    def exact(self) -> set[int]:
        """Essays matching the whole query as typed (or as its pinyin reads)."""
        return self.tiers[EXACT - 1] | self.tiers[PINYIN - 1]

    def ranked(self, allow: set[int] | None) -> list[tuple[int, int]]:
        """(essay, tier) best first: by tier, then primary key, score, essay id."""
        order: list[tuple[int, int]] = []
        seen: set[int] = set()
        for number, members in enumerate(self.tiers, start=1):
            members = members - seen
            seen |= members
            if allow is not None:
                members &= allow
            order.extend(
                (pk, number)
                for pk in sorted(
                    members,
                    key=lambda pk: (-self.primary.get(pk, 0.0), -self.scores.get(pk, 0.0), pk),
                )
            )
        return order

    def matched(self, essay_id: int) -> tuple[str, ...]:
        """The query's words essay ``essay_id`` holds."""
        return tuple(word for word, holders in self.words if essay_id in holders)


@dataclass
class Matcher:
    """One query's matching on one :class:`Reader`."""

    reader: Reader
    spellings: dict[str, list[str]] = field(default_factory=dict)

    def substring(self, text: str) -> set[int]:
        return self.reader.holders(text)

    def clause(self, clause: q.Clause, *, with_pinyin: bool) -> set[int]:
        found = self.substring(clause.text)
        if not clause.phrase:
            parts = q.compound_parts(clause.text)
            if 2 <= len(parts) <= 4 and any(is_informative(part) for part in parts):
                found = found | self.reader.near(parts, q.NEAR_SLOP, skip=found)
            if with_pinyin and clause.is_pinyin:
                found = found | self.pinyin(clause.text)
        return found

    def pinyin(self, text: str) -> set[int]:
        found: set[int] = set()
        for spelling in self.spell(text):
            found |= self.substring(spelling)
        return found

    def spell(self, text: str) -> list[str]:
        """Chinese strings in the index that read as the pinyin ``text``."""
        text = text.replace(" ", "")
        found = self.spellings.get(text)
        if found is None:
            spelled: list[str] = []
            for syllables in split_syllables(text):
                spelled.extend(self._spellings(syllables))
            found = self.spellings[text] = list(dict.fromkeys(spelled))[:MAX_SPELLINGS]
        return found

    def _spellings(self, syllables: tuple[str, ...]) -> list[str]:
        prefixes = [""]
        for syllable in syllables:
            chars = characters_reading(syllable)
            asked = set(chars) | {p[-1] + c for p in prefixes if p for c in chars}
            held = self.reader.indexed(asked)
            extended = []
            for prefix in prefixes:
                extended.extend(
                    prefix + c
                    for c in chars
                    if c in held and (not prefix or prefix[-1] + c in held)
                )
                if len(extended) >= MAX_SPELLINGS:
                    break
            prefixes = extended[:MAX_SPELLINGS]
            if not prefixes:
                break
        return prefixes


def _all_of(sets: list[set[int]]) -> set[int]:
    if not sets:
        return set()
    result = set(sets[0])
    for other in sets[1:]:
        result &= other
    return result


def _any_of(sets) -> set[int]:
    result: set[int] = set()
    for other in sets:
        result |= other
    return result


def _required(matcher: Matcher, parsed: q.ParsedQuery, *, with_pinyin: bool) -> set[int]:
    clauses = parsed.clauses
    together = len(clauses) > 1 and not parsed.has_or and all(c.is_pinyin for c in clauses)
    each = with_pinyin and not together
    found = _all_of(
        [_any_of(matcher.clause(c, with_pinyin=each) for c in group) for group in parsed.groups]
    )
    if with_pinyin and together:
        found |= matcher.pinyin("".join(c.text for c in clauses))
    if parsed.excluded:
        found -= _any_of(matcher.substring(c.text) for c in parsed.excluded)
    return found


def idf(documents: int, frequency: int) -> float:
    """whoosh's inverse document frequency."""
    return math.log(max(documents, 1) / (frequency + 1)) + 1


def match(reader: Reader, parsed: q.ParsedQuery) -> Found:
    """The essays ``parsed`` matches, in tiers, with their scores."""
    matcher = Matcher(reader)
    direct = _required(matcher, parsed, with_pinyin=False)
    pinyin: set[int] = set()
    if any(c.is_pinyin for c in parsed.clauses):
        pinyin = _required(matcher, parsed, with_pinyin=True) - direct
    spellings = list(dict.fromkeys(s for found in matcher.spellings.values() for s in found))
    found = Found([direct, pinyin, set(), set()], {}, {}, spellings)
    loosened: list[list[str]] = []
    coverage: dict[int, float] = {}
    if any(q.loose_words(c) for c in parsed.clauses):
        loosened, coverage = _loosen(matcher, parsed, found)
    found.scores = _scores(matcher, parsed, spellings, found.everything)
    found.primary = dict(found.scores)
    if loosened and found.tiers[ALL_WORDS - 1]:
        members = sorted(found.tiers[ALL_WORDS - 1], key=lambda pk: -found.scores.get(pk, 0.0))
        best = members[:CLOSENESS_CANDIDATES]
        total = dict.fromkeys(best, 0.0)
        for words in loosened:
            for pk, near in reader.closeness(words, best).items():
                total[pk] += near
        for pk in best:
            found.primary[pk] += found.scores.get(pk, 0.0) * total[pk] / len(loosened)
    for pk in found.tiers[MOST_WORDS - 1]:
        found.primary[pk] = round(coverage.get(pk, 0.0) / len(parsed.groups), 3)
    found.words = _words(matcher, parsed, spellings)
    return found


def _loosen(
    matcher: Matcher, parsed: q.ParsedQuery, found: Found
) -> tuple[list[list[str]], dict[int, float]]:
    """Fill the all-words and most-words tiers; the loosened words and each essay's coverage."""
    documents, _ = matcher.reader.stats()
    every: set[int] | None = None
    most: set[int] | None = None
    coverage: dict[int, float] = {}
    loosened: list[list[str]] = []
    for group in parsed.groups:
        group_all: set[int] = set()
        group_most: set[int] = set()
        group_cover: dict[int, float] = {}
        for clause in group:
            exact = matcher.clause(clause, with_pinyin=False)
            words = q.loose_words(clause)
            if not words:
                group_all |= exact
                group_most |= exact
                for pk in exact:
                    group_cover[pk] = 1.0
                continue
            loosened.append(words)
            holders = [matcher.substring(word) for word in words]
            weights = [idf(documents, len(h)) for h in holders]
            total = sum(weights)
            held: dict[int, float] = {}
            for weight, essays in zip(weights, holders, strict=True):
                for pk in essays:
                    held[pk] = held.get(pk, 0.0) + weight
            share = {pk: value / total for pk, value in held.items()}
            share.update(dict.fromkeys(exact, 1.0))
            group_all |= exact | _all_of(holders)
            group_most |= exact | {pk for pk, value in share.items() if value > MOST_SHARE}
            for pk, value in share.items():
                group_cover[pk] = max(group_cover.get(pk, 0.0), value)
        every = group_all if every is None else every & group_all
        most = group_most if most is None else most & group_most
        for pk, value in group_cover.items():
            coverage[pk] = coverage.get(pk, 0.0) + value
    every, most = every or set(), most or set()
    if parsed.excluded:
        excluded = _any_of(matcher.substring(c.text) for c in parsed.excluded)
        every -= excluded
        most -= excluded
    exact = found.exact
    found.tiers[ALL_WORDS - 1] = every - exact
    found.tiers[MOST_WORDS - 1] = most - every - exact
    return loosened, coverage


def _bm25(idf_value: float, frequency: float, length: float, average: float) -> float:
    norm = K1 * (1 - B + B * length / average)
    return idf_value * frequency * (K1 + 1) / (frequency + norm)


def _scores(
    matcher: Matcher, parsed: q.ParsedQuery, spellings: list[str], essays: set[int]
) -> dict[int, float]:
    """BM25 of the query's strings and jieba words in each of ``essays``."""
    reader = matcher.reader
    if not essays:
        return {}
    documents, average = reader.stats()
    chunks = reader.chunk_counts()
    scores = dict.fromkeys(essays, 0.0)

    def add_string(text: str) -> None:
        held = reader.substring(text)
        weight = idf(documents, len(held))
        for pk in essays & held.keys():
            scores[pk] += _bm25(weight, held[pk], chunks.get(pk, 0) + 1, average + 1)

    for clause in parsed.clauses:
        add_string(clause.text)
        if clause.phrase:
            continue
        words = list(dict.fromkeys(jieba_words(clause.text)))
        if _YEAR.match(clause.text) and clause.text not in words:
            words.append(clause.text)
        for word in words:
            held = reader.word(word)
            weight = idf(documents, len(held))
            for pk in essays & held.keys():
                title, head, text = held[pk]
                scores[pk] += TITLE_WEIGHT * _bm25(weight, min(title, 1), 1, 1)
                scores[pk] += HEAD_WEIGHT * _bm25(weight, min(head, 1), 1, 1)
                scores[pk] += _bm25(weight, text, chunks.get(pk, 0) + 1, average + 1)
    for spelling in spellings:
        add_string(spelling)
    return scores


def _words(
    matcher: Matcher, parsed: q.ParsedQuery, spellings: list[str]
) -> list[tuple[str, set[int]]]:
    """The query's scored words (:func:`search.query.scored_words`), each with its essays."""
    return [(word, matcher.substring(word)) for word in q.scored_words(parsed, spellings)]


def homophones(reader: Reader, text: str) -> list[str]:
    """Strings the index holds that read like Chinese ``text`` and differ from it in a
    few characters, fewest differences first, then most essays (服物意识 → 服务意识)."""
    if not HAN.fullmatch(text) or len(text) > MAX_CORRECTED_LENGTH:
        return []
    prefixes = [""]
    for typed, syllable in zip(text, han_syllables(text), strict=True):
        chars = sorted(characters_reading(syllable), key=typed.__ne__)
        held = reader.indexed(set(chars) | {p[-1] + c for p in prefixes if p for c in chars})
        extended = []
        for prefix in prefixes:
            extended.extend(
                prefix + c for c in chars if c in held and (not prefix or prefix[-1] + c in held)
            )
        extended.sort(key=lambda p: _differences(p, text))
        prefixes = extended[:MAX_SPELLINGS]
        if not prefixes:
            return []
    allowed = max(1, int(len(text) * MAX_CORRECTED_SHARE))
    found = []
    checked = 0
    for candidate in prefixes:
        differences = _differences(candidate, text)
        if not 0 < differences <= allowed:
            continue
        if (found and differences > found[0][0]) or checked >= MAX_CORRECTIONS_CHECKED:
            break
        checked += 1
        essays = len(reader.substring(candidate))
        if essays:
            found.append((differences, -essays, candidate))
    return [candidate for _, _, candidate in sorted(found)]


def _differences(candidate: str, text: str) -> int:
    return sum(a != b for a, b in zip(candidate, text, strict=False))
