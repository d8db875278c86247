"""Recover a document's real structure: essays, title blocks, headings and their tree."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from . import cleaning, patterns
from .parsed import ParsedDocument, ParsedEssay, ParsedSection, SourceError
from .references import parse_reference_block

#: A heading sentence longer than this is a numbered paragraph, not a heading.
MAX_HEADING_LENGTH = 50
#: An unnumbered heading or an ordinal-led heading is at most this long.
MAX_PLAIN_HEADING_LENGTH = 40
#: A standalone document's subtitle line is at most this long.
MAX_SUBTITLE_LENGTH = 20

_GLUED_CN_PAREN = re.compile(rf"(?<=[。!?;])\s*(?=[((][{patterns.CN_NUMERALS}]+[))])")
_GLUED_MODULE = re.compile(rf"\s*(?=第[{patterns.CN_NUMERALS}]+模块)")
_LEADING_ARABIC = re.compile(r"^(\d{1,2})[.、]")
_ANY_PUNCTUATION = re.compile(r"[。!?;:!?;:]")
_KEYWORD_SEPARATORS = re.compile(r"[,,;;、\s]+")


@dataclass
class EssayBlock:
    """The lines of one essay as cut from the document, before parsing."""

    number: int
    title: str
    lines: list[str] = field(default_factory=list)
    standalone: bool = False


def parse_text(text: str, encoding: str) -> ParsedDocument:
    """Parse decoded document text into a collection title and its essays."""
    lines = cleaning.cut_trailing_block(cleaning.normalise_lines(text))
    title, declared, blocks = split_essays(lines)
    essays = [parse_essay(block, collection_title=title) for block in blocks]
    if not any(essay.intro or essay.sections for essay in essays):
        raise SourceError("没有在文件中找到任何正文，无法导入。")
    for essay in essays:
        if not essay.intro and not any(s.text or s.heading for s in essay.sections):
            raise SourceError(
                f"篇{essay.number}《{essay.title}》只有标题、没有正文：文件可能被截断或不完整。"
            )
    return ParsedDocument(
        title=title,
        essays=essays,
        raw_text=text,
        encoding=encoding,
        declared_count=declared,
        explicit_title=declared is not None,
    )


def split_essays(lines: list[str]) -> tuple[str, int | None, list[EssayBlock]]:
    """Cut the document at its ``… 篇N`` lines; a document without them is one essay."""
    content = [line for line in lines if line and not cleaning.is_noise_line(line, set())]
    if not content:
        raise SourceError("文件里只有网站附带的说明文字，没有正文。")
    title, declared = content[0], None
    heading = patterns.COLLECTION_HEADING.match(content[0])
    if heading:
        title, declared = heading.group("title").strip(), int(heading.group("count"))

    blocks: list[EssayBlock] = []
    start = lines.index(content[0]) + 1
    for line in lines[start:]:
        boundary = patterns.ESSAY_BOUNDARY.match(line) if len(line) <= 60 else None
        if boundary:
            own_title = boundary.group("title").strip()
            blocks.append(EssayBlock(number=int(boundary.group("number")), title=own_title))
        elif blocks:
            blocks[-1].lines.append(line)
        else:
            blocks.append(EssayBlock(number=0, title=title, lines=[line]))

    if blocks and blocks[0].number == 0:
        preamble = blocks.pop(0)
        if not blocks:  # a standalone essay: the first line is its title
            preamble.number = 1
            preamble.standalone = True
            return title, declared, [preamble]
        if any(line and not cleaning.is_noise_line(line, {title}) for line in preamble.lines):
            raise SourceError("文集标题与第一篇文章之间有无法归属的正文。")
    if not blocks:
        raise SourceError("没有在文件中找到任何文章。")
    numbers = [block.number for block in blocks]
    if len(set(numbers)) != len(numbers):
        raise SourceError(f"文件中的篇号有重复：{numbers}。")
    return title, declared, blocks


def parse_essay(block: EssayBlock, *, collection_title: str) -> ParsedEssay:
    """Parse one essay's lines into title block, intro, keywords, sections and references."""
    titles = {collection_title, block.title}
    lines = [line for line in block.lines if not cleaning.is_noise_line(line, titles)]
    paragraphs = [cleaning.repair_digits(p) for p in cleaning.join_broken_lines(lines)]
    paragraphs = [piece for p in paragraphs for piece in split_glued_headings(p)]

    essay = ParsedEssay(
        number=block.number,
        title=block.title or collection_title,
        has_own_title=block.standalone or block.title != collection_title,
    )
    body: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        keywords = patterns.KEYWORDS_LINE.match(paragraph)
        if keywords:
            essay.keywords = [w for w in _KEYWORD_SEPARATORS.split(keywords.group("words")) if w]
        elif patterns.REFERENCES_HEADING.match(paragraph):
            essay.references = parse_reference_block(paragraphs[index + 1 :])
            break
        else:
            body.append(paragraph)

    body = _take_subtitle(essay, body, standalone=block.standalone)
    _build_outline(essay, body)
    return essay


def split_glued_headings(paragraph: str) -> list[str]:
    """Split off headings glued to the end of a line (``…核心能力。(二)、搭建…``)."""
    pieces = [p for p in _GLUED_CN_PAREN.split(paragraph) if p]
    pieces = [q.strip() for p in pieces for q in _split_at(p, _GLUED_MODULE) if q.strip()]
    result: list[str] = []
    for piece in pieces:
        result.extend(_split_glued_arabic(piece))
    return result


def _split_at(text: str, pattern: re.Pattern[str]) -> list[str]:
    cuts = [m.start() for m in pattern.finditer(text) if m.start() > 0 and m.end() < len(text)]
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


def _split_glued_arabic(paragraph: str) -> list[str]:
    """``3.哪些…要求的4.公司…``: item N+1 glued to item N of a list of short items."""
    lead = _LEADING_ARABIC.match(paragraph)
    if not lead or patterns.has_sentence_end(paragraph):
        return [paragraph]
    following = int(lead.group(1)) + 1
    glued = re.search(rf"(?<=[{patterns.CJK}”]){following}[.、](?=[{patterns.CJK}“])", paragraph)
    if not glued:
        return [paragraph]
    return [paragraph[: glued.start()], *_split_glued_arabic(paragraph[glued.start() :])]


def _take_subtitle(essay: ParsedEssay, body: list[str], *, standalone: bool) -> list[str]:
    """Take the subtitle off the body: a lone ``——`` line, or a standalone essay's short line."""
    if not body:
        return body
    first = body[0]
    dash_lines = [p for p in body if p.startswith("——")]
    if first.startswith("——") and len(dash_lines) == 1:
        essay.subtitle = first.lstrip("—").strip()
        return body[1:]
    if (
        standalone
        and len(body) > 1
        and len(first) <= MAX_SUBTITLE_LENGTH
        and not patterns.heading_mark(first)
        and not _ANY_PUNCTUATION.search(first)
        and "," not in first
        and "," not in first
    ):
        essay.subtitle = first
        return body[1:]
    return body


@dataclass
class _Heading:
    style: tuple[str, int]
    number: str
    heading: str
    text: str


def _build_outline(essay: ParsedEssay, body: list[str]) -> None:
    """Classify paragraphs into headings and text and build the section tree."""
    ordinal_headings = any(_is_standalone_ordinal(p) for p in body)
    levels = _LevelTracker()
    intro: list[str] = []
    current: ParsedSection | None = None
    previous_was_heading = False
    for index, paragraph in enumerate(body):
        following = body[index + 1] if index + 1 < len(body) else None
        heading = _classify(
            paragraph,
            following=following,
            previous_was_heading=previous_was_heading,
            ordinal_headings=ordinal_headings,
        )
        if heading is None:
            if current is None:
                intro.append(paragraph)
            else:
                current.text = f"{current.text}\n{paragraph}" if current.text else paragraph
            previous_was_heading = False
            continue
        level = levels.level_for(heading.style)
        parent = _parent_index(essay.sections, level)
        current = ParsedSection(
            level=level,
            number=heading.number,
            heading=heading.heading,
            text=heading.text,
            parent=parent,
        )
        essay.sections.append(current)
        previous_was_heading = not heading.text
    essay.intro = "\n".join(intro)


def _classify(
    paragraph: str, *, following: str | None, previous_was_heading: bool, ordinal_headings: bool
) -> _Heading | None:
    mark = patterns.heading_mark(paragraph)
    if mark:
        heading, text = _heading_and_text(mark.rest)
        return _Heading(
            style=mark.style, number=_clean_number(mark.number), heading=heading, text=text
        )
    if ordinal_headings and patterns.ORDINAL_LEAD.match(paragraph):
        first, rest = patterns.split_first_sentence(paragraph)
        if len(first.rstrip("。")) <= MAX_PLAIN_HEADING_LENGTH:
            return _Heading(style=("ordinal", 1), number="", heading=first.rstrip("。"), text=rest)
    if (
        len(paragraph) <= MAX_PLAIN_HEADING_LENGTH
        and not _ANY_PUNCTUATION.search(paragraph)
        and not previous_was_heading
        and following is not None
        and not patterns.heading_mark(following)
    ):
        return _Heading(style=("plain", 1), number="", heading=paragraph, text="")
    return None


def _heading_and_text(rest: str) -> tuple[str, str]:
    first, remainder = patterns.split_first_sentence(rest)
    heading = first[:-1] if first.endswith("。") else first
    if len(heading) > MAX_HEADING_LENGTH:
        return "", rest
    return heading.strip(), remainder


def _clean_number(number: str) -> str:
    return number.rstrip("、.").strip()


def _is_standalone_ordinal(paragraph: str) -> bool:
    first, rest = patterns.split_first_sentence(paragraph)
    return (
        bool(patterns.ORDINAL_LEAD.match(paragraph))
        and not rest
        and len(first.rstrip("。")) <= MAX_PLAIN_HEADING_LENGTH
    )


def _parent_index(sections: list[ParsedSection], level: int) -> int | None:
    for index in range(len(sections) - 1, -1, -1):
        if sections[index].level < level:
            return index
    return None


class _LevelTracker:
    """Levels from the order numbering styles appear in (a stack of styles)."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int]] = []

    def level_for(self, style: tuple[str, int]) -> int:
        if style[0] == "plain":
            self.stack = [style]
            return 1
        if style in self.stack:
            del self.stack[self.stack.index(style) + 1 :]
            return len(self.stack)
        if style[0] != "ordinal" and ("plain", 1) in self.stack:
            self.stack = [style]
            return 1
        self.stack.append(style)
        return len(self.stack)
