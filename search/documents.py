"""What of an essay is searchable, in one place for the index, ranking and tests."""

from __future__ import annotations

from dataclasses import dataclass

from essays.models import Essay


@dataclass(frozen=True)
class EssayText:
    """An essay's searchable text, grouped by how much a hit there weighs."""

    title: list[str]
    head: list[str]  # keywords and section headings
    body: list[str]  # intro, section texts, references

    @property
    def all(self) -> list[str]:
        return [*self.title, *self.head, *self.body]


def essay_text(essay: Essay) -> EssayText:
    """The essay's searchable parts; uses prefetched sections and references if any."""
    sections = list(essay.sections.all())
    references = list(essay.references.all())
    return EssayText(
        title=[part for part in (essay.title, essay.subtitle) if part],
        head=[*essay.keyword_list, *(s.heading for s in sections)],
        body=[
            essay.intro,
            *(section.text for section in sections),
            *(reference.text for reference in references),
        ],
    )


def join_lines(parts: list[str]) -> str:
    """Parts as indexed: one per line, so no phrase runs from one part into the next."""
    return "\n".join(line for part in parts if part for line in part.splitlines())


def reference_years(essay: Essay) -> list[int]:
    """The years of the essay's references (a year such as ``2004.11`` is one jieba token)."""
    return sorted({ref.year for ref in essay.references.all() if ref.year})
