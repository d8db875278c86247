"""What the importer makes of a source document, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field


class SourceError(Exception):
    """A source document that cannot be imported; the message is for the user (Chinese)."""


@dataclass
class ParsedSection:
    """A heading and its own text; ``parent`` is the index of the parent section or None."""

    level: int
    number: str
    heading: str
    text: str = ""
    parent: int | None = None


@dataclass
class ParsedReference:
    """One reference entry and the fields parsed from it."""

    label: str
    text: str
    kind: str = ""
    year: int | None = None
    authors: str = ""
    title: str = ""
    publisher: str = ""
    place: str = ""


@dataclass
class ParsedEssay:
    """One essay (篇) of a document: its title block, intro, outline and references."""

    number: int
    title: str
    subtitle: str = ""
    intro: str = ""
    keywords: list[str] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)
    references: list[ParsedReference] = field(default_factory=list)
    #: False when the essay has no title of its own and shows the collection's.
    has_own_title: bool = True
    #: A paper's front matter besides its title: column label, journal lines, authors,
    #: affiliations, abstract, classification numbers, DOI, English title and abstract.
    front_matter: dict[str, object] = field(default_factory=dict)

    def full_text(self) -> str:
        """All the essay's visible text, for topic suggestion and search."""
        parts = [self.title, self.subtitle, " ".join(self.keywords), self.intro]
        for section in self.sections:
            parts.extend([section.heading, section.text])
        return "\n".join(part for part in parts if part)


@dataclass
class ParsedDocument:
    """A whole source document: the collection title, its essays and the raw text."""

    title: str
    essays: list[ParsedEssay]
    raw_text: str
    encoding: str
    declared_count: int | None = None
    #: ``"collection"`` (essays cut at 篇N lines, or one essay) or ``"paper"``.
    kind: str = "collection"
    #: Whether the title came from an explicit ``X(共N篇)`` collection heading.
    explicit_title: bool = False
