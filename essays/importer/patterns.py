"""The textual marks the importer recognises: headings, references, boundaries, sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: CJK unified ideographs (basic block and extension A), for character classes.
CJK = "\u3400-\u4dbf\u4e00-\u9fff"
CN_NUMERALS = "一二三四五六七八九十"

#: Punctuation that closes a sentence or a line of prose.
_CLOSING = "。!?;:!?;:…"
_CLOSING_QUOTES = "”’」』\"'"
_SENTENCE_END = re.compile(r"[。!?!?]")

#: ``提升服务意识 统筹城乡发展(共11篇)``
COLLECTION_HEADING = re.compile(r"^(?P<title>.+?)\s*[((]共\s*(?P<count>\d+)\s*篇[))]$")
#: ``提升服务意识 统筹城乡发展 篇1``
ESSAY_BOUNDARY = re.compile(r"^(?P<title>.+?)\s*篇\s*(?P<number>\d{1,3})$")
KEYWORDS_LINE = re.compile(r"^(?:【关键词】|关键词\s*[::])\s*(?P<words>.*)$")
REFERENCES_HEADING = re.compile(r"^【?参考文献】?\s*[::]?$")
REFERENCE_ENTRY = re.compile(
    r"^(?P<label>\[\d{1,3}\]|[((]\d{1,3}[))](?:\s*[((]\d{1,3}[))])*)\s*(?P<body>.*)$"
)
ORDINAL_LEAD = re.compile(
    rf"^(首先|其次|再次|再者|其三|最后|第[{CN_NUMERALS}]+)(?!模块)(?=[,,、是要])"
)


@dataclass(frozen=True)
class HeadingMark:
    """A numbering mark at the start of a paragraph: its style, printed label and the rest."""

    style: tuple[str, int]
    number: str
    rest: str


#: Heading marks in the order they are tried. Each gives a style key and the label.
_HEADING_MARKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^(?P<number>第[{CN_NUMERALS}]+模块)\s*[::]?\s*(?P<rest>.+)$"), "module"),
    (re.compile(r"^◆\s*(?P<rest>.+)$"), "diamond"),
    (re.compile(r"^——\s*(?P<rest>.+)$"), "dash"),
    (re.compile(rf"^(?P<number>[{CN_NUMERALS}]+)、\s*(?P<rest>.+)$"), "cn"),
    (re.compile(rf"^(?P<number>[((][{CN_NUMERALS}]+[))])、?\s*(?P<rest>.+)$"), "cn-paren"),
    (re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2})+)\s+(?P<rest>.+)$"), "dotted"),
    (
        re.compile(rf"^(?P<number>\d{{1,2}})(?:[、.]+\s*|\s+)(?P<rest>(?:\D|\d+[{CJK}]).*)$"),
        "arabic",
    ),
    (re.compile(r"^(?P<number>[((]\d{1,2}[))])\s*(?P<rest>.+)$"), "arabic-paren"),
]


def heading_mark(paragraph: str) -> HeadingMark | None:
    """The numbering mark a paragraph starts with, if any."""
    for pattern, style in _HEADING_MARKS:
        match = pattern.match(paragraph)
        if not match:
            continue
        number = match.groupdict().get("number") or ""
        depth = 1
        if style == "dotted":
            depth = number.count(".") + 1
            style = "arabic"
        return HeadingMark(style=(style, depth), number=number, rest=match.group("rest").strip())
    return None


def starts_block(line: str) -> bool:
    """Whether a line starts a new block: heading, reference, keywords, boundary."""
    return bool(
        heading_mark(line)
        or REFERENCE_ENTRY.match(line)
        or REFERENCES_HEADING.match(line)
        or KEYWORDS_LINE.match(line)
        or ESSAY_BOUNDARY.match(line)
    )


def is_reference_line(line: str) -> bool:
    """Whether a line is a reference entry (``[1]…``, ``(1)…``) with bibliographic data."""
    return bool(REFERENCE_ENTRY.match(line)) and bool(re.search(r"\d{4}|\[[A-Z]", line))


def ends_sentence(text: str) -> bool:
    """Whether text ends with closing punctuation (optionally followed by a closing quote)."""
    stripped = text.rstrip(_CLOSING_QUOTES + " ")
    if stripped != text.rstrip() and stripped and stripped[-1] in _CLOSING:
        return True
    return bool(text) and text[-1] in _CLOSING


def has_sentence_end(text: str) -> bool:
    """Whether text contains the end of a sentence (。!?)."""
    return bool(_SENTENCE_END.search(text))


def split_first_sentence(text: str) -> tuple[str, str]:
    """Split text after its first sentence end (。!?); the second part may be empty."""
    match = _SENTENCE_END.search(text)
    if not match:
        return text, ""
    return text[: match.end()], text[match.end() :].strip()
