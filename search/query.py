"""The search box's query language: what the user typed, as clauses to match.

- words separated by spaces must all match (AND);
- ``OR`` between two words (or phrases) matches either;
- ``-word`` leaves out essays containing the word;
- ``"…"`` matches the exact phrase.

Anything else is plain text: :func:`parse` never raises on user input.  Every term is
normalised like the indexed text and matched as a substring of it (character grams),
so one-character words, numbers and Latin are found however jieba split the text; a
compound also matches with its parts in either order (城乡统筹 ~ 统筹城乡).  A term
typed in Latin letters that reads as pinyin also matches the Chinese it spells, as a
second tier shown after the direct matches. Each backend does the matching (whoosh's:
:mod:`search.backends.whoosh.matching`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from essays.text.normalize import collapse_whitespace, normalize
from search.analysis import jieba_words
from search.pinyin import split_syllables
from search.stopwords import is_informative

MAX_QUERY_LENGTH = 200
MAX_CLAUSES = 24
# How many words may stand between the parts of a compound (镇村医疗卫生一体化 ~ 镇村一体化).
NEAR_SLOP = 4
TOO_LONG_MESSAGE = f"查询太长了：最多 {MAX_QUERY_LENGTH} 个字，请缩短后再搜索。"
NOTHING_TO_FIND_MESSAGE = "请输入要查找的词；只有排除词（-词）时没有可搜索的内容。"

# Quotes and minus signs people type with a Chinese input method.
_QUOTES = str.maketrans({"“": '"', "”": '"', "＂": '"', "「": '"', "」": '"', "－": "-"})
_TOKEN = re.compile(r'-?"[^"]*(?:"|$)|\S+')
_OR = {"OR", "|", "｜"}
_LATIN = re.compile(r"^[a-zü]+$")


@dataclass(frozen=True)
class Clause:
    """One word or phrase of the query, normalised."""

    text: str
    phrase: bool = False

    @property
    def is_pinyin(self) -> bool:
        if self.phrase or not _LATIN.match(self.text):
            return False
        return bool(split_syllables(self.text))


@dataclass
class ParsedQuery:
    """What the user asked for: all ``groups`` (each one of its clauses), none of ``excluded``."""

    raw: str
    groups: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    error: str = ""
    #: Chinese spellings the index holds for its pinyin words (set by the search).
    spellings: list[str] = field(default_factory=list)

    @property
    def clauses(self) -> list[Clause]:
        return [clause for group in self.groups for clause in group]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def has_or(self) -> bool:
        return any(len(group) > 1 for group in self.groups)

    def segmented(self) -> list[str]:
        """The query's words as jieba segments them (shown on the results page)."""
        words: list[str] = []
        for clause in self.clauses:
            if clause.phrase:
                words.append(f'"{clause.text}"')
            else:
                words.extend(jieba_cut(clause.text))
        return words


def jieba_cut(text: str) -> list[str]:
    """jieba's default-mode words of normalised text (what the user sees)."""
    from essays.text.jieba_setup import ensure_jieba

    return [word for word in ensure_jieba().cut(text) if word.strip()]


def _clean(text: str, *, phrase: bool) -> str:
    text = normalize(text)
    return collapse_whitespace(text) if phrase else text.strip()


def parse(raw: str | None) -> ParsedQuery:
    """Parse what the user typed; problems are reported in ``error``, never raised."""
    raw = (raw or "").strip()
    parsed = ParsedQuery(raw=raw)
    if len(raw) > MAX_QUERY_LENGTH:
        parsed.error = TOO_LONG_MESSAGE
        return parsed
    # Full-width forms first, so "ＯＲ", "－词" and "＂…＂" are operators too.
    text = raw.translate(_QUOTES).translate({0x3000: 0x20, 0xFF0D: 0x2D})
    join_next = False
    for token in _TOKEN.findall(text):
        if token in _OR or token.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}) in _OR:
            join_next = bool(parsed.groups)
            continue
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        phrase = body.startswith('"')
        if phrase:
            body = body[1:-1] if body.endswith('"') and len(body) > 1 else body[1:]
        body = _clean(body, phrase=phrase)
        if not body:
            join_next = False
            continue
        clause = Clause(body, phrase=phrase or " " in body)
        if negated:
            parsed.excluded.append(clause)
        elif join_next:
            parsed.groups[-1].append(clause)
        else:
            parsed.groups.append([clause])
        join_next = False
        if len(parsed.clauses) + len(parsed.excluded) >= MAX_CLAUSES:
            break
    if parsed.is_empty and parsed.excluded:
        parsed.error = NOTHING_TO_FIND_MESSAGE
    return parsed


# Words --------------------------------------------------------------------------------


def leaf_words(text: str) -> list[str]:
    """The finest words jieba finds in ``text`` (城乡统筹 → 城乡, 统筹)."""
    words = list(dict.fromkeys(jieba_words(text)))
    return [w for w in words if not any(o != w and o in w for o in words)]


def compound_parts(text: str) -> list[str]:
    """``text`` as the fewest (at least two) jieba words that spell it exactly.

    城乡统筹 → 城乡, 统筹; 劳动力转移 → 劳动力, 转移; ``[]`` when jieba has no such split
    (服务型政府 has no word 服务型, so it is not loosened into 服务 … 政府).
    """
    words = {w for w in jieba_words(text) if w != text and len(w) > 1}
    best: list[list[str] | None] = [None] * (len(text) + 1)
    best[0] = []
    for end in range(1, len(text) + 1):
        for start in range(end):
            piece = text[start:end]
            if best[start] is not None and piece in words:
                candidate = [*best[start], piece]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    parts = best[len(text)]
    return parts if parts and len(parts) >= 2 else []


def loose_words(clause: Clause) -> list[str]:
    """The words an unquoted clause is loosened into when no essay holds all of it.

    jieba's words of the clause as the reader sees them (:meth:`ParsedQuery.segmented`),
    without the words that carry no meaning alone (:mod:`search.stopwords`);
    ``[]`` for a phrase, a pinyin word and a clause jieba reads as one word.
    """
    if clause.phrase or clause.is_pinyin:
        return []
    words = jieba_cut(clause.text)
    if len(words) < 2:
        return []
    return list(dict.fromkeys(w for w in words if is_informative(w)))


def scored_words(parsed: ParsedQuery, spellings: Iterable[str] = ()) -> list[str]:
    """The words a match is scored by, each once, in order: every clause's loosened words
    (the clause itself when it has none; pinyin clauses aside), then the Chinese
    spellings its pinyin matched."""
    words: list[str] = []
    for clause in parsed.clauses:
        if clause.is_pinyin:
            continue
        words.extend(loose_words(clause) or [clause.text])
    words.extend(spellings)
    return list(dict.fromkeys(words))
