"""Parse reference entries (GB/T 7714 style, as printed) into their parts."""

from __future__ import annotations

import re

from . import patterns
from .parsed import ParsedReference

_KIND = re.compile(r"\[(?P<kind>[A-Z]{1,2})(?:/OL)?\]")
_YEAR = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})(?!\d)")
_AUTHOR_END = re.compile(r"[::.。]")
_TITLE_END = re.compile(r"\s*[.。]")
_PLACE_PUBLISHER = re.compile(r"^(?P<place>[^:,:,\d]{1,20})[::](?P<publisher>[^,,]+)")


def parse_reference_block(paragraphs: list[str]) -> list[ParsedReference]:
    """Parse the paragraphs after a ``参考文献`` heading; unlabelled lines continue an entry."""
    references: list[ParsedReference] = []
    for paragraph in paragraphs:
        entry = patterns.REFERENCE_ENTRY.match(paragraph)
        if entry:
            references.append(parse_reference(entry.group("label"), entry.group("body")))
        elif references:
            last = references[-1]
            references[-1] = parse_reference(last.label, f"{last.text}{paragraph}")
    return references


def parse_reference(label: str, text: str) -> ParsedReference:
    """Parse one entry's text: kind letter, year, authors, title, place and publisher."""
    text = text.strip()
    reference = ParsedReference(label=re.sub(r"\s+", " ", label), text=text)
    author_end = _AUTHOR_END.search(text)
    if not author_end:
        reference.title = text
        return reference
    reference.authors = text[: author_end.start()].strip()
    rest = text[author_end.end() :].strip()

    kind = _KIND.search(rest)
    if kind:
        reference.kind = kind.group("kind")
        reference.title = rest[: kind.start()].strip()
        tail = rest[kind.end() :].lstrip(" .。")
    else:
        title_end = _TITLE_END.search(rest)
        reference.title = (rest[: title_end.start()] if title_end else rest).strip()
        tail = rest[title_end.end() :].strip() if title_end else ""

    year = _YEAR.search(tail)
    reference.year = int(year.group("year")) if year else None
    place_publisher = _PLACE_PUBLISHER.match(tail)
    if place_publisher and reference.kind in {"M", ""}:
        reference.place = place_publisher.group("place").strip()
        reference.publisher = place_publisher.group("publisher").strip()
    elif tail and not tail[0].isdigit():
        reference.publisher = re.split(r"[,,]|\s*\d{4}", tail, maxsplit=1)[0].strip(" .。")
    return reference
