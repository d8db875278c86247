"""Suggestions: a query closer to what the reader meant that finds essays as typed.

- :func:`correction` — an input-method typo corrected to the index's own words read
  the same way (服物意识 → 服务意识, 统愁城乡 → 统筹城乡, or word by word: 农民工陪训 →
  农民工培训), offered as "您要找的是不是";
- :func:`suggest` — when nothing is found: the query without its exclusions, without
  the words that find nothing, or its words joined by ``OR``.

A suggestion is offered only when the query it proposes itself finds essays matching
it as typed (a correction: essays holding all its words), not merely holding some of
its words, so it never leads to essays about something else: ``量子计算`` is not cut
down to ``计算``.
"""

from __future__ import annotations

from essays.models import Topic
from essays.text.normalize import fold
from search import query as q
from search.backends import ALL_WORDS, SearchBackend, get_backend
from search.services import search_essays


def _show(clause: q.Clause) -> str:
    return f'"{clause.text}"' if clause.phrase else clause.text


def _finds_as_typed(raw: str, topic: Topic | None) -> bool:
    outcome = search_essays(raw, topic=topic)
    return bool(outcome.exact_count)


def _finds_all_words(raw: str, topic: Topic | None) -> bool:
    """Whether some essay holds the whole of ``raw`` or all of its words."""
    outcome = search_essays(raw, topic=topic, first=1)
    return bool(outcome.hits) and outcome.hits[0].tier <= ALL_WORDS


def _corrected(backend: SearchBackend, clause: q.Clause) -> str:
    """``clause`` with a homophone the index holds for it, or for each of its words
    the index lacks (农民工陪训 → 农民工培训); '' when nothing is corrected."""
    if clause.phrase or backend.holds(clause.text):
        return ""
    found = backend.homophones(clause.text)
    if found:
        return found[0]
    words = q.jieba_cut(clause.text)
    fixed = []
    for word in words:
        if len(word) > 1 and not backend.holds(word):
            # A word jieba indexed somewhere, not two characters across a word boundary
            # (量子 is not 大量资金's 量资).
            words_held = backend.homophones(word, whole_words=True)
            word = next(iter(words_held), word)
        fixed.append(word)
    text = "".join(fixed)
    return text if text != clause.text else ""


def correction(parsed: q.ParsedQuery, *, topic: Topic | None = None) -> str:
    """``parsed`` with its misspelt Chinese words replaced by homophones the index
    holds, when that finds essays as typed ('' if there is nothing to correct)."""
    if parsed.is_empty or parsed.error:
        return ""
    backend = get_backend()
    words = []
    changed = False
    for group in parsed.groups:
        shown = []
        for clause in group:
            text = _corrected(backend, clause)
            changed = changed or bool(text)
            shown.append(text or _show(clause))
        words.append(" OR ".join(shown))
    if not changed:
        return ""
    words.extend(f"-{_show(c)}" for c in parsed.excluded)
    candidate = " ".join(words)
    return candidate if _finds_all_words(candidate, topic) else ""


def suggest(parsed: q.ParsedQuery, *, topic: Topic | None = None) -> str:
    """A query that finds something when ``parsed`` finds nothing ('' if none)."""
    clauses = parsed.clauses
    if not clauses:
        return ""
    candidates: list[str] = []
    if parsed.excluded:  # without the exclusions
        candidates.append(" ".join(_show(c) for c in clauses))
    if len(clauses) > 1:  # drop the words that find nothing on their own
        found = [c for c in clauses if _finds_as_typed(_show(c), topic)]
        if found and len(found) < len(clauses):
            candidates.append(" ".join(_show(c) for c in found))
        candidates.append(" OR ".join(_show(c) for c in clauses))
    for candidate in dict.fromkeys(candidates):
        if candidate and fold(candidate) != fold(parsed.raw) and _finds_as_typed(candidate, topic):
            return candidate
    return ""
