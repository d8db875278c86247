"""What readers see an essay by: a short title drawn from its content when its own title
does not tell it apart, and a one-line summary of what it is about.

Many source documents print the collection's title over every essay (8 of the 12 bundled
essays are titled 提升服务意识 统筹城乡发展). For those the importer suggests a short title:
the heading or opening clause that carries most of the essay's key terms (jieba TF-IDF
over the whole text). Headings of four characters or fewer (引言, 课程背景, 基本情况,
结束语) are labels, not subjects, and are never used, neither for titles nor summaries.

Pure functions over strings: nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

#: A heading this short is a label (引言, 背景, 基本情况), not what the essay is about.
LABEL_LENGTH = 4
#: A subject longer than this is cut at a clause boundary (or not used).
SUBJECT_MAX = 20
#: How many key terms of the essay weigh the candidate subjects.
KEY_TERMS = 20
#: How long a listing's one-line summary may be.
SUMMARY_LENGTH = 48

#: Ordinal openers of a heading or clause: 首先是…, 其次要…, 第四，…, 第一模块 …
_ORDINAL = re.compile(
    r"^(?:首先|其次|再次|再者|然后|最后|另外|此外|"
    r"第[一二三四五六七八九十百0-9]+(?:[章节部分模块条点个方面])?)"
    r"(?:是|要|在于)?[,，、:：\s]*"
)
#: Where a heading's subject ends: a colon, a bracket, a quote, a dash run.
_SUBJECT_END = re.compile(r"[:：（(]|—{1,}|-{2,}")
_CLAUSE = re.compile(r"[,，;；。！？!?]")
_SENTENCE = re.compile(r"(?<=[。！？!?])")


@dataclass(frozen=True)
class Heading:
    """A section heading as the title helpers need it: its level and text (no number)."""

    level: int
    text: str


@dataclass(frozen=True)
class EssayText:
    """What a short title is drawn from: an essay's number, title, intro, headings and
    the rest of its text (section bodies)."""

    number: int
    title: str
    intro: str
    headings: Sequence[Heading]
    body: str = ""


def _clean(text: str) -> str:
    text = " ".join((text or "").split())
    text = _ORDINAL.sub("", text)
    return text.strip(" ,，、;；:：。")


def _longest_common(first: str, second: str) -> str:
    match = SequenceMatcher(None, first, second, autojunk=False).find_longest_match()
    return first[match.a : match.a + match.size]


def is_label(heading: str) -> bool:
    """Whether ``heading`` is a bare label (引言, 课程背景) rather than a subject."""
    return len(_clean(heading)) <= LABEL_LENGTH


#: How much a candidate weighs by where it stands: top-level heading, subheading, intro.
_TOP, _SUB, _INTRO = 1.0, 0.75, 0.7


def _candidates(intro: str, headings: Sequence[Heading]) -> list[tuple[str, float]]:
    """Possible subjects in reading order, each with the weight of where it stands."""
    found: list[tuple[str, float]] = []
    for heading in headings:
        if heading.level > 2:
            continue
        head = _SUBJECT_END.split(_clean(heading.text), maxsplit=1)[0]
        clauses = _CLAUSE.split(head)
        weight = _TOP if heading.level == 1 else _SUB
        found.extend((_clean(clause), weight) for clause in clauses)
    top = [_clean(h.text) for h in headings if h.level == 1]
    for i, first in enumerate(top):  # what several top-level headings share
        for second in top[i + 1 :]:
            found.append((_clean(_longest_common(first, second)), _TOP))
    first = next((s for s in _SENTENCE.split(intro or "") if s.strip()), "")
    found.extend((_clean(clause), _INTRO) for clause in _CLAUSE.split(first))
    seen: set[str] = set()
    unique = []
    for text, weight in found:
        if LABEL_LENGTH < len(text) <= SUBJECT_MAX and text not in seen:
            seen.add(text)
            unique.append((text, weight))
    return unique


def key_terms(text: str) -> dict[str, float]:
    """The essay's key terms with their TF-IDF weights (jieba, with the portal's dictionary)."""
    import jieba.analyse

    from essays.text.jieba_setup import ensure_jieba

    ensure_jieba()
    terms = jieba.analyse.extract_tags(text, topK=KEY_TERMS, withWeight=True)
    return {word: float(weight) for word, weight in terms if len(word) > 1}


def subject(*, intro: str, headings: Sequence[Heading], terms: dict[str, float]) -> str:
    """The heading or opening clause that carries most of the essay's key terms.

    A candidate counts more the more top-level headings repeat it (the subject of
    城乡公共文化服务的本质… and …发展实现“均等化” is 城乡公共文化服务); a heading wins
    a tie with the intro, an earlier candidate a tie with a later one; ``""`` when there
    is no candidate of 5–20 characters.
    """
    best, best_score = "", 0.0
    texts = [_clean(h.text) for h in headings if h.level == 1]
    for text, where in _candidates(intro, headings):
        score = sum(weight for word, weight in terms.items() if word in text)
        score *= where * max(1, sum(text in t for t in texts)) ** 0.5
        if score > best_score:
            best, best_score = text, score
    return best


def needs_short_title(title: str, titles: Iterable[str], collection_title: str) -> bool:
    """Whether ``title`` fails to tell its essay apart: empty, or shared with another essay
    of the collection (``titles`` are all the collection's essay titles, its own included)."""
    titles = list(titles)
    return (
        not title.strip()
        or titles.count(title) > 1
        or (title == collection_title and len(titles) > 1)
    )


def suggest_short_titles(*, collection_title: str, essays: Sequence[EssayText]) -> dict[int, str]:
    """A short title for each essay of one collection that needs one, keyed by number.

    ``essays`` are all the collection's essays. Each suggestion is the essay's subject;
    where two would be the same (or none is found), the essay's number is added:
    ``农村劳动力转移（篇2）``.
    """
    titles = [essay.title for essay in essays]
    suggestions: dict[int, str] = {}
    for essay in essays:
        if not needs_short_title(essay.title, titles, collection_title):
            continue
        heads = "\n".join(h.text for h in essay.headings)
        # headings and the intro say what the essay is about more than any paragraph
        text = "\n".join([heads, heads, essay.intro, essay.body])
        suggestions[essay.number] = subject(
            intro=essay.intro, headings=essay.headings, terms=key_terms(text)
        )
    taken = [essay.title for essay in essays if essay.number not in suggestions]
    for number, text in sorted(suggestions.items()):
        if not text:
            text = f"{collection_title or '文章'}（篇{number}）"
        elif text in taken or list(suggestions.values()).count(text) > 1:
            text = f"{text}（篇{number}）"
        suggestions[number] = text
        taken.append(text)
    return suggestions


def summary(
    *, subtitle: str, intro: str, headings: Sequence[Heading], shown_title: str = ""
) -> str:
    """One line saying what the essay is about, for listings under its title.

    The subtitle, else the intro's first sentence, else its main headings (top level,
    labels such as 引言 left out, and those the title already says), cut to
    ``SUMMARY_LENGTH`` characters. Never the title again.
    """

    def cut(text: str) -> str:
        flat = " ".join(text.split())
        return flat if len(flat) <= SUMMARY_LENGTH else flat[: SUMMARY_LENGTH - 1] + "…"

    subtitle = _clean(subtitle.lstrip("—－- "))
    if subtitle and subtitle != shown_title:
        return cut(subtitle)
    first = next((s for s in _SENTENCE.split(intro or "") if s.strip()), "")
    if first.strip():
        return cut(first)
    shown = shown_title.split("（")[0]
    for labels_too in (False, True):
        for level in (1, 2, 3):
            main = []
            for heading in headings:
                text = _SUBJECT_END.split(_clean(heading.text), maxsplit=1)[0].strip()
                if heading.level != level or not text or text in shown:
                    continue
                if labels_too or not is_label(text):
                    main.append(text)
            if main:
                return cut("；".join(main))
    return ""
