"""Views of a parsed essay that the corpus expectations compare against."""

from __future__ import annotations

from pathlib import Path

from essays.importer import parse_document
from essays.importer.parsed import ParsedDocument, ParsedEssay
from tests.corpus import SOURCE_DIR


def parse_source(name: str) -> ParsedDocument:
    """Parse one of the bundled documents by file name."""
    return parse_document((Path(SOURCE_DIR) / name).read_bytes(), name)


def outline(essay: ParsedEssay) -> list[tuple[int, str, str, int | None]]:
    """The outline as (level, number, heading, parent-index) tuples."""
    return [(s.level, s.number, s.heading, s.parent) for s in essay.sections]


def paras(text: str) -> list[str]:
    """A text's paragraphs (one per line)."""
    return text.split("\n") if text else []


def all_paragraphs(essay: ParsedEssay) -> list[str]:
    """Every paragraph of the intro and the section texts of one essay."""
    out = paras(essay.intro)
    for section in essay.sections:
        out.extend(paras(section.text))
    return out
