"""Parse a Chinese academic paper: front matter, outline and references.

A paper is one essay in a collection of its own. Its layout (GB/T 7713): column
labels and journal lines, the title (one or two lines), authors and affiliations,
摘要, 关键词 with classification numbers, the English title / Abstract / Key words,
then the body with numbered headings, and 参考文献 at the end. What is not the title
or the body is kept in ``front_matter``; nothing is dropped from ``raw_text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import cleaning, paper_marks, patterns
from .paper_headings import (
    Heading,
    Numbering,
    arabic_heading,
    chinese_heading,
    close_paren_heading,
    plain_heading,
)
from .paper_references import reference_entries
from .parsed import ParsedDocument, ParsedEssay, ParsedSection, SourceError

#: Front matter is looked for in this many lines from the top.
FRONT_LINES = 60
#: A title is at most this long.
MAX_TITLE = 150
_INSTITUTION = re.compile(
    r"大学|学院|研究所|研究院|研究中心|中心|医院|公司|实验室|科学院|部|局|\d{6}"
)
_SUBTITLE = re.compile(r"^(?:[—–-]{1,2}\s*.+|以.{2,30}为例)$")
#: Words a title's second line has and a line of authors' names has not.
_TITLE_WORDS = re.compile(
    r"的|与|和|及|对|在|中|于|为|下|研究|分析|影响|方法|机制|应用|探讨|综述|进展|模型|系统|"
    r"设计|评价|效果|观察|策略|技术|视角|理论|实践|现状|问题|对策"
)
#: A numbered line (a heading or a manuscript's line number), not ``60例…`` or ``2017年…``.
_NUMBERED_LINE = re.compile(r"^\d{1,3}(?:[.．]\d{1,2})*[.．、]?\s*(?![\d例名年月日岁%])")
#: A line of names: two or more tokens of 2–4 Chinese characters with affiliation marks.
_NAME = r"[\u4e00-\u9fff]{2,4}[\d¹²³⁴⁵⁶⁷⁸⁹,，*」’'\s]*"
_AUTHORS_LINE = re.compile(rf"^(?:{_NAME}[\s,，、]+){{1,}}{_NAME}$")
#: Manuscripts print line numbers: ``12 正文……``.
_LINE_NUMBER = re.compile(r"^(\d{1,4})\s+(?=\S)")
_KEYWORD_SEPARATORS = re.compile(r"\s*[;；,，、]\s*")
_CLOSING = "。！？!?；;：:…”」』)）"


@dataclass
class Line:
    """A line of the document and whether its source marked it as a heading."""

    text: str
    heading: bool = False
    #: The heading level the source gave (Word's heading styles), 0 when it gave none.
    level: int = 0


def looks_like_paper(lines: list[Line]) -> bool:
    """A document without ``篇N`` lines that has a 摘要 or 关键词 line near the top, or a
    参考文献 list."""
    if any(_essay_boundary(line.text) for line in lines if len(line.text) <= 60):
        return False
    texts = [line.text.strip() for line in lines if line.text.strip()]
    if any(_front_marker(text, index) for index, text in enumerate(texts[:FRONT_LINES])):
        return True
    return any(paper_marks.REFERENCES_HEADING.match(text) for text in texts[4:])


def parse_paper(lines: list[Line], raw_text: str, encoding: str) -> ParsedDocument:
    """Parse a paper's lines into a one-essay document; raises ``SourceError`` if no body."""
    lines = _clean(lines)
    refs_at = _references_heading(lines)
    main = lines[:refs_at] if refs_at is not None else lines
    references = reference_entries([ln.text for ln in lines[refs_at + 1 :]]) if refs_at else []

    front_matter: dict[str, object] = {}
    title_at, zone_end = _title_and_zone(main)
    title = main[title_at].text.rstrip("*＊†¹²³ ")  # a footnote mark after the title
    subtitle = ""
    after_title = title_at + 1
    if after_title < len(main) and _SUBTITLE.match(main[after_title].text):
        subtitle = main[after_title].text.lstrip("—–- ").strip()
        after_title += 1
    elif _title_continues(main, title_at):
        title += main[after_title].text
        after_title += 1
    zone_end = max(zone_end, after_title)
    above = [ln.text for ln in main[:title_at]]
    front = [ln.text for ln in main[after_title:zone_end]]
    keywords, abstract = _front_matter(above, front, front_matter)

    essay = ParsedEssay(number=1, title=title, subtitle=subtitle)
    essay.keywords = keywords
    essay.front_matter = front_matter
    essay.references = references
    intro = _build_outline(essay, main[zone_end:])
    essay.intro = "\n".join(part for part in (abstract, intro) if part)
    if not essay.intro and not essay.sections:
        raise SourceError("论文只有标题和摘要信息、没有正文：文件可能被截断或不完整。")
    return ParsedDocument(
        title=essay.title, essays=[essay], raw_text=raw_text, encoding=encoding, kind="paper"
    )


def _clean(lines: list[Line]) -> list[Line]:
    lines = _without_line_numbers(lines)
    kept = []
    for line in lines:
        text = line.text.replace("\u3000", " ").strip()
        if text and not cleaning.is_noise_line(text, set()):
            kept.append(Line(text=text, heading=line.heading, level=line.level))
    return kept


def _essay_boundary(text: str) -> bool:
    """A ``标题 篇N`` line; not a table row of counts (``篇 1篇 4篇 12``)."""
    match = patterns.ESSAY_BOUNDARY.match(text.strip())
    if not match:
        return False
    title = match.group("title")
    return paper_marks.cjk_count(title) >= 2 and not re.search(r"篇\s*\d", title)


def _without_line_numbers(lines: list[Line]) -> list[Line]:
    """Drop a manuscript's line numbers (``1 题目``, ``2 作者`` …) from the run of lines
    at the top that counts up from 1 (at least five lines)."""
    result, expected = [], 1
    for line in lines:
        text = line.text.strip()
        match = _LINE_NUMBER.match(text) if text else None
        if match and int(match.group(1)) == expected:
            expected += 1
            text = text[match.end() :]
        elif text:
            expected = -1  # the run ended
        result.append(Line(text=text, heading=line.heading, level=line.level))
    return result if expected == -1 and _numbered_run(lines) >= 5 else lines


def _numbered_run(lines: list[Line]) -> int:
    count = 0
    for line in (line.text.strip() for line in lines if line.text.strip()):
        match = _LINE_NUMBER.match(line)
        if not match or int(match.group(1)) != count + 1:
            break
        count += 1
    return count


def _front_marker(text: str, index: int) -> bool:
    if paper_marks.KEYWORDS.match(text) or paper_marks.ABSTRACT.match(text):
        return True
    if paper_marks.ENGLISH_ABSTRACT.match(text) or paper_marks.ENGLISH_KEYWORDS.match(text):
        return True
    if paper_marks.METADATA_FIELD.match(text) and len(text) <= 120:
        return True
    # ``…北京 100190【摘要】…``: an abstract glued to the affiliation line.
    return index < 15 and bool(re.search(r"[【\[［]\s*摘\s*要|\d{6}\s*[)）]?\s*摘\s*要", text))


def _references_heading(lines: list[Line]) -> int | None:
    for index, line in enumerate(lines):
        if index > 3 and paper_marks.REFERENCES_HEADING.match(line.text):
            return index
    return None


def _title_and_zone(lines: list[Line]) -> tuple[int, int]:
    """Index of the title line and the end of the front matter."""
    markers = [i for i, ln in enumerate(lines[:FRONT_LINES]) if _front_marker(ln.text, i)]
    zone_end = markers[-1] + 1 if markers else 0
    limit = zone_end if zone_end else min(len(lines), 12)
    candidates = [i for i in range(limit) if _title_candidate(lines[i].text)]
    if len(candidates) > 1 and paper_marks.COLUMN_LABEL.match(lines[candidates[0]].text):
        candidates.pop(0)
    if not candidates:  # the title after the abstract and keywords (printed last)
        candidates = [
            i
            for i in range(zone_end, min(len(lines), zone_end + 6))
            if _title_candidate(lines[i].text)
        ]
        if candidates:
            end = candidates[0] + 1
            while end < len(lines) and _author_or_affiliation(lines[end].text):
                end += 1
            return candidates[0], end
    if not candidates:
        first = next((i for i, ln in enumerate(lines) if ln.text), None)
        if first is None:
            raise SourceError("没有在文件中找到任何正文。")
        return first, max(zone_end, first + 1)
    return candidates[0], max(zone_end, candidates[0] + 1)


def _title_candidate(text: str) -> bool:
    return (
        paper_marks.cjk_count(text) >= 4
        and len(text) <= MAX_TITLE
        and not text.endswith(("。", "．"))
        and not paper_marks.JOURNAL_LINE.search(text)
        and not paper_marks.NOT_TITLE.match(text)
        and not _front_marker(text, 99)
        and not _NUMBERED_LINE.match(text)
        and not _AUTHORS_LINE.match(text)
        and not text.startswith(("：", ":", "（", "("))
        and not re.search(r"\d{6}", text)
        and text.count("，") + text.count(",") < 3
        and not re.search(rf"[{patterns.CJK}]\s*[.．]\s*[{patterns.CJK}].*\d{{4}}", text)
    )


def _title_continues(lines: list[Line], title_at: int) -> bool:
    if title_at + 1 >= len(lines):
        return False
    title, following = lines[title_at].text, lines[title_at + 1].text
    return (
        len(title) >= 12
        and 5 <= len(following) <= 20
        and paper_marks.cjk_count(following) >= 4
        and not re.search(r"[\s\d,，、;；:：()（）*]", following)
        and not _INSTITUTION.search(following)
        and not _front_marker(following, 99)
        and bool(_TITLE_WORDS.search(following))  # words, not a run of names
    )


def _author_or_affiliation(text: str) -> bool:
    return len(text) <= 80 and bool(_INSTITUTION.search(text) or len(text) <= 20)


def _front_matter(
    above: list[str], front: list[str], meta: dict[str, object]
) -> tuple[list[str], str]:
    """Fill ``meta`` from the lines above the title and the front matter after it."""
    labels = [t for t in above if paper_marks.COLUMN_LABEL.match(t)]
    if labels:
        meta["column"] = labels
    header = [t for t in above if t not in labels]
    if header:
        meta["header"] = header
    keywords: list[str] = []
    abstract: list[str] = []
    english: dict[str, str] = {}
    people: list[str] = []
    other: list[str] = []
    state = "people"
    for text in front:
        glued = re.search(r"[【\[［]\s*摘\s*要|摘\s*要\s*[:：]|(?<=\d{6})\s*[)）]?\s*摘\s*要", text)
        if glued and glued.start() > 0 and state == "people":
            people.append(text[: glued.start()].strip())
            text = text[glued.start() :].lstrip(")） ")
        if paper_marks.ABSTRACT.match(text):
            state = "abstract"
            abstract.append(paper_marks.ABSTRACT.sub("", text, count=1))
        elif paper_marks.KEYWORDS.match(text) or (
            state == "abstract" and paper_marks.KEYWORDS.search(text)
        ):
            before, _, words = _split_keywords_line(text)
            if before:
                abstract.append(before)
            keywords, metadata = _keywords_and_metadata(words)
            if metadata:
                meta.setdefault("metadata", {}).update(metadata)  # type: ignore[union-attr]
            state = "after-keywords"
        elif paper_marks.ENGLISH_ABSTRACT.match(text):
            english["abstract"] = paper_marks.ENGLISH_ABSTRACT.sub("", text, count=1)
            state = "english-abstract"
        elif paper_marks.ENGLISH_KEYWORDS.match(text):
            english["keywords"] = paper_marks.ENGLISH_KEYWORDS.sub("", text, count=1)
            state = "done"
        elif paper_marks.METADATA_FIELD.match(text):
            _, metadata = _keywords_and_metadata(text)
            meta.setdefault("metadata", {}).update(metadata)  # type: ignore[union-attr]
        elif state == "abstract":
            abstract.append(text)
        elif state == "english-abstract":
            english["abstract"] += " " + text
        elif (
            state in ("after-keywords",) and paper_marks.is_english(text) and "title" not in english
        ):
            english["title"] = text
        elif state == "people":
            people.append(text)
        else:
            other.append(text)
    if people:
        meta["authors"] = people[0]
        if len(people) > 1:
            meta["affiliations"] = people[1:]
    if abstract:
        meta["abstract"] = "\n".join(abstract)
    if english:
        meta["english"] = english
    if other:
        meta["other"] = other
    return keywords, "\n".join(abstract)


def _split_keywords_line(text: str) -> tuple[str, str, str]:
    match = paper_marks.KEYWORDS.search(text)
    assert match is not None
    return text[: match.start()].strip(), match.group(0), text[match.end() :]


def _keywords_and_metadata(words: str) -> tuple[list[str], dict[str, str]]:
    """``a；b；c中图分类号：TN914.3 文献标识码：A`` → keywords and the trailing fields."""
    metadata: dict[str, str] = {}
    fields = list(paper_marks.METADATA_FIELD.finditer(words))
    if fields:
        for index, found in enumerate(fields):
            end = fields[index + 1].start() if index + 1 < len(fields) else len(words)
            metadata[found.group("name")] = words[found.end() : end].strip(" ；;，,")
        words = words[: fields[0].start()]
    words = words.strip().rstrip("。.；;")
    parts = _KEYWORD_SEPARATORS.split(words) if _KEYWORD_SEPARATORS.search(words) else words.split()
    return [p.strip() for p in parts if p.strip()], metadata


def _build_outline(essay: ParsedEssay, body: list[Line]) -> str:
    """Classify the body's lines into headings and text; return the intro text."""
    numbering = Numbering()
    intro: list[str] = []
    current: ParsedSection | None = None
    seen_cn = False
    for line in body:
        heading = _heading(line, numbering)
        if heading is None:
            target = intro if current is None else None
            if target is not None:
                _append(target, line.text)
            else:
                assert current is not None
                current.text = _joined(current.text, line.text)
            continue
        if heading.style == "cn":
            seen_cn = True
        depth = heading.depth if heading.style != "cn-paren" or seen_cn else 1
        previous = essay.sections[-1].level if essay.sections else 0
        level = max(1, min(depth, previous + 1, 9))
        current = ParsedSection(
            level=level,
            number=heading.number,
            heading=heading.heading,
            text=heading.text,
            parent=_parent(essay.sections, level),
        )
        essay.sections.append(current)
    return "\n".join(intro)


def _heading(line: Line, numbering: Numbering) -> Heading | None:
    text = line.text
    if paper_marks.CAPTION.match(text):
        return None
    found = (
        arabic_heading(text, numbering, marked=line.heading)
        or close_paren_heading(text, numbering, marked=line.heading)
        or chinese_heading(text)
    )
    if found is None and len(text) <= 60:
        found = plain_heading(text)
    if found is None and line.heading and len(text) <= 60 and paper_marks.cjk_count(text) >= 2:
        found = Heading(number="", depth=max(1, line.level), heading=text, style="plain")
    return found


def _append(paragraphs: list[str], text: str) -> None:
    if paragraphs and _unfinished(paragraphs[-1]):
        paragraphs[-1] += text
    else:
        paragraphs.append(text)


def _joined(existing: str, text: str) -> str:
    if not existing:
        return text
    last = existing.rsplit("\n", 1)[-1]
    return existing + text if _unfinished(last) else f"{existing}\n{text}"


def _unfinished(text: str) -> bool:
    return len(text) >= 40 and text[-1] not in _CLOSING and paper_marks.cjk_count(text[-3:]) > 0


def _parent(sections: list[ParsedSection], level: int) -> int | None:
    for index in range(len(sections) - 1, -1, -1):
        if sections[index].level < level:
            return index
    return None
