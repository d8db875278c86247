"""A paper's reference list: entries cut by their labels (``[1]`` ``［1］`` ``【1】`` ``(1)``
``1.``) in sequence, wherever the PDF put line breaks, or one entry a line when the list
is unlabelled (author–year style); a bilingual entry (Chinese, then its English version)
is one reference.
"""

from __future__ import annotations

import re

from . import paper_marks
from .bounds import LIMITS
from .parsed import ParsedReference
from .references import parse_reference

_OPEN, _CLOSE = r"[\[［【(（]", r"[\]］】)）]"
_FIRST_LABEL = re.compile(rf"^\s*(?:{_OPEN}\s*1\s*{_CLOSE}|1\s*[.．、](?!\d)|1(?=\s*[^\d\s.．、]))")
_KIND = re.compile(r"[\[［]\s*[A-Z]{1,2}(?:\s*/\s*OL)?\s*[\]］]")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_AUTHORS_SPLIT = re.compile(r"\s*[,，、;；]\s*|\s+and\s+")
_ET_AL = re.compile(r"\s*(?:等|et\s*al\.?|等人)\s*$", re.I)


def reference_entries(lines: list[str]) -> list[ParsedReference]:
    """Parse the lines after a 参考文献 heading into references."""
    lines = _until_end(lines)
    text = "\n".join(lines)
    entries = _labelled(text) if _FIRST_LABEL.match(text) else _unlabelled(lines)
    return [_entry(label, _normalise(body)) for label, body in entries if body.strip()]


#: Full-width punctuation read as its half-width form when taking an entry apart.
_HALF_WIDTH = str.maketrans({"：": ":", "，": ",", "．": ".", "；": ";", "（": "(", "）": ")"})


def _entry(label: str, text: str) -> ParsedReference:
    reference = parse_reference(label, text.translate(_HALF_WIDTH))
    reference.text = text
    return _bounded(reference)


def _bounded(reference: ParsedReference) -> ParsedReference:
    """A field parsed from an entry that cannot be that long was misread: leave it empty
    (the entry's whole text is kept)."""
    for name in ("authors", "title", "publisher", "place", "kind"):
        limit, _ = LIMITS[("reference", name)]
        if len(getattr(reference, name)) > limit:
            setattr(reference, name, "")
    if len(reference.label) > LIMITS[("reference", "label")][0]:
        reference.label = reference.label[:10]
    return reference


def split_authors(authors: str) -> tuple[list[str], bool]:
    """Authors as a list, and whether the list was cut short (``等`` / ``et al.``)."""
    cut = bool(_ET_AL.search(authors))
    names = [name.strip() for name in _AUTHORS_SPLIT.split(_ET_AL.sub("", authors))]
    return [name for name in names if name], cut


def _until_end(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if paper_marks.REFERENCES_END.match(line):
            kept = lines[:index]
            # An English title and its authors printed just before the English abstract.
            while kept and not (_YEAR.search(kept[-1]) or _KIND.search(kept[-1])):
                kept.pop()
            return kept
    return lines


def _labelled(text: str) -> list[tuple[str, str]]:
    """Cut at ``[1]``, ``[2]``, … in order, wherever each next label is printed."""
    style = _FIRST_LABEL.match(text).group(0).strip()  # type: ignore[union-attr]
    bracketed = style[0] in "[［【(（"
    bare = style == "1"
    entries: list[tuple[str, str]] = []
    position, number = 0, 1
    starts: list[tuple[int, int, str]] = []
    while True:
        pattern = _label_pattern(number, bracketed=bracketed, bare=bare)
        found = pattern.search(text, position)
        if not found:
            break
        starts.append((found.start("label"), found.end(), found.group("label").strip()))
        position, number = found.end(), number + 1
    for index, (_, end, label) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        body = text[end:stop]
        if index + 1 == len(starts):
            body = _last_entry(body)
        entries.append((_label_text(label), body))
    return entries


def _last_entry(body: str) -> str:
    """The last entry runs on only while its lines do not end (no text after the list)."""
    lines = body.split("\n")
    kept = [lines[0]]
    for line in lines[1:]:
        if _ended(kept[-1]):
            break
        kept.append(line)
    return "\n".join(kept)


def _ended(text: str) -> bool:
    return text.rstrip().endswith((".", "。", "．")) or bool(re.search(r"\d\s*$", text))


def _label_pattern(number: int, *, bracketed: bool, bare: bool = False) -> re.Pattern[str]:
    if bare:
        return re.compile(rf"^(?P<label>{number})(?=\s*[^\d\s.．、])", re.M)
    if bracketed:
        return re.compile(
            rf"(?:^|(?<=[\s.。,，;；\]］】)）]))(?P<label>{_OPEN}\s*{number}\s*{_CLOSE})", re.M
        )
    return re.compile(rf"^(?P<label>{number}\s*[.．、])(?!\d)", re.M)


def _label_text(label: str) -> str:
    digits = re.sub(r"\D", "", label)
    return f"({digits})" if label[0] in "(（" else f"[{digits}]"


def _unlabelled(lines: list[str]) -> list[tuple[str, str]]:
    """One entry a line; a line continues the entry before when that did not end, or when it
    is the English version of a Chinese entry."""
    entries: list[tuple[str, str]] = []
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if entries and (_continues(entries[-1][1], line)):
            entries[-1] = (entries[-1][0], f"{entries[-1][1]} {line}")
        else:
            entries.append(("", line))
    return [(label, body) for label, body in entries if _YEAR.search(body) or _KIND.search(body)]


def _continues(previous: str, line: str) -> bool:
    if line.startswith(("[", "［")) and paper_marks.is_english(line):
        return True  # ``[English version …]`` of the entry before
    finished = previous.rstrip().endswith((".", "。", "．", "]", "）", ")")) or bool(
        re.search(r"\d$", previous.rstrip())
    )
    return not finished and not (_YEAR.search(line) and _KIND.search(line))


def _normalise(body: str) -> str:
    text = re.sub(r"(?<=[A-Za-z,.])\s*\n\s*(?=[A-Za-z])", " ", body.strip())
    text = re.sub(r"\s*\n\s*", "", text)
    text = re.sub(r"[［]", "[", re.sub(r"[］]", "]", text))
    return re.sub(r"\s{2,}", " ", text).strip()
