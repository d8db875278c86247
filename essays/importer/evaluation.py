"""How well the importer reads papers: each markdown paper's plain-text form is parsed and
compared with what its markdown shows (title, numbered headings, keywords, reference count).

What the markdown shows: the title is the longest ``#`` line with Chinese text above the
abstract; numbered headings are the ``#`` lines numbered ``1`` / ``2.1`` …; keywords are the
关键词 line's words; the references are the entries after the ``#`` 参考文献 line, counted by
their labels ``[1]`` … in sequence, or one a line when unlabelled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import paper_marks
from .markdown import markdown_lines, plain_text
from .paper_references import reference_entries
from .parsed import ParsedDocument, SourceError

_NUMBERED = re.compile(
    r"^(?P<number>\d{1,2}(?:\s?[.．]\s?\d{1,2}){0,3}(?:\s*[)）])?)[.．、]?\s*(?P<rest>[^\d\s.)）].*)$"
)
_QUANTITY = re.compile(r"^[年月日个次例%]")
#: Targets of issue 13.
TARGETS = {"title": 0.95, "keywords": 0.90, "references": 0.90, "headings": 0.95}


@dataclass
class Truth:
    """What a paper's markdown shows."""

    title: str
    headings: list[tuple[str, str]]
    keywords: list[str]
    reference_count: int


@dataclass
class PaperResult:
    """One paper: what was expected, what the importer found, and where they differ."""

    name: str
    truth: Truth
    title: str = ""
    keywords: list[str] = field(default_factory=list)
    reference_count: int = 0
    headings_found: int = 0
    missing_headings: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def title_ok(self) -> bool:
        """The title is the markdown's."""
        return _squash(self.title) == _squash(self.truth.title)

    @property
    def keywords_ok(self) -> bool:
        """The keyword list is the markdown's."""
        return [_squash(k) for k in self.keywords] == [_squash(k) for k in self.truth.keywords]

    @property
    def references_ok(self) -> bool:
        """The reference count is within 10 % of the markdown's."""
        expected = self.truth.reference_count
        return abs(self.reference_count - expected) <= 0.1 * expected


def markdown_truth(markdown: str) -> Truth:
    """Title, numbered headings, keywords and reference count as the markdown shows them."""
    lines = markdown_lines(markdown)
    first_marker = next(
        (i for i, ln in enumerate(lines) if not ln.heading and _marker(ln.text)), len(lines)
    )
    titled = [
        (i, ln.text.rstrip("*＊†¹²³ "))  # without a footnote mark
        for i, ln in enumerate(lines)
        if ln.heading
        and paper_marks.cjk_count(ln.text) >= 4
        and not ln.text.startswith(("（", "("))  # a note such as （…专题研究论文之四）
    ]
    above = [item for item in titled if item[0] < first_marker] or titled[:1]
    title_at, title = max(above, key=lambda item: len(item[1])) if above else (0, "")
    following = next((ln for ln in lines[title_at + 1 :] if ln.text.strip()), None)
    if title.endswith(("：", ":", "—")) and following is not None and following.heading:
        title, title_at = title + following.text, lines.index(following)  # over two lines
    refs_at = next(
        (
            i
            for i, ln in enumerate(lines)
            if i > title_at and paper_marks.REFERENCES_HEADING.match(ln.text)
        ),
        len(lines),
    )
    headings = []
    for line in lines[title_at + 1 : refs_at]:
        match = _NUMBERED.match(line.text) if line.heading else None
        rest = match.group("rest") if match else ""
        if match and not _QUANTITY.match(rest) and not paper_marks.CAPTION.match(rest):
            number = re.sub(r"\s", "", match.group("number"))
            headings.append((number.replace("．", ".").replace("）", ")"), rest))
    return Truth(
        title=title,
        headings=headings,
        keywords=_truth_keywords(lines),
        reference_count=_truth_references(lines, refs_at),
    )


def evaluate(path: Path) -> PaperResult:
    """Parse the plain-text form of the markdown paper at ``path`` and compare."""
    from . import parse_document

    markdown = path.read_text(encoding="utf-8")
    result = PaperResult(name=path.name, truth=markdown_truth(markdown))
    try:
        document = parse_document(
            plain_text(markdown).encode("utf-8"), path.with_suffix(".txt").name
        )
    except SourceError as error:
        result.error = str(error)
        return result
    _fill(result, document)
    return result


def summary(results: list[PaperResult]) -> dict[str, float]:
    """Shares: titles right, keywords right, reference counts within 10 %, headings found."""
    total = len(results) or 1
    expected = sum(len(r.truth.headings) for r in results) or 1
    return {
        "title": sum(r.title_ok for r in results) / total,
        "keywords": sum(r.keywords_ok for r in results) / total,
        "references": sum(r.references_ok for r in results) / total,
        "headings": sum(r.headings_found for r in results) / expected,
    }


def _fill(result: PaperResult, document: ParsedDocument) -> None:
    essay = document.essays[0]
    result.title = essay.title
    result.keywords = list(essay.keywords)
    result.reference_count = sum(len(e.references) for e in document.essays)
    sections = [(s.number, _squash(s.heading)) for e in document.essays for s in e.sections]
    for number, heading in result.truth.headings:
        wanted = _squash(heading)
        if any(
            n == number and h and (wanted.startswith(h) or h.startswith(wanted))
            for n, h in sections
        ):
            result.headings_found += 1
        else:
            result.missing_headings.append(f"{number} {heading}")


def _marker(text: str) -> bool:
    return bool(paper_marks.ABSTRACT.match(text) or paper_marks.KEYWORDS.match(text))


def _truth_keywords(lines: list) -> list[str]:
    for line in lines:
        match = paper_marks.KEYWORDS.match(line.text)
        if match:
            words = line.text[match.end() :]
            field_at = paper_marks.METADATA_FIELD.search(words)
            words = (words[: field_at.start()] if field_at else words).strip().rstrip("。.；;")
            parts = (
                re.split(r"\s*[;；,，、]\s*", words)
                if re.search(r"[;；,，、]", words)
                else words.split()
            )
            return [p.strip() for p in parts if p.strip()]
    return []


def _truth_references(lines: list, refs_at: int) -> int:
    block = []
    for line in lines[refs_at + 1 :]:
        if line.heading and not paper_marks.REFERENCES_HEADING.match(line.text):
            break
        if not paper_marks.REFERENCES_HEADING.match(line.text):
            block.append(line.text)
    return len(reference_entries(block))


def _squash(text: str) -> str:
    return re.sub(r"[\s\u3000]", "", text)
