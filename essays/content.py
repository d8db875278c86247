"""One canonical form of an essay's content, for parsed and stored essays alike.

The importer stores the digest of what it wrote; comparing it with the digest of what
is stored now tells whether an editor has changed the essay since.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .importer.parsed import ParsedEssay
from .models import Essay, Reference, Section


def parsed_essay_content(essay: ParsedEssay) -> dict[str, Any]:
    """The canonical content of a parsed essay (front matter only when it has any, so
    essays imported before papers were read keep their fingerprints)."""
    content = {
        "title": essay.title,
        "subtitle": essay.subtitle,
        "intro": essay.intro,
        "keywords": list(essay.keywords),
        "sections": [[s.level, s.number, s.heading, s.text, s.parent] for s in essay.sections],
        "references": [
            [r.label, r.text, r.kind, r.year, r.authors, r.title, r.publisher, r.place]
            for r in essay.references
        ],
    }
    if essay.front_matter:
        content["front_matter"] = essay.front_matter
    return content


def stored_essay_content(
    essay: Essay,
    *,
    sections: list[Section] | None = None,
    references: list[Reference] | None = None,
) -> dict[str, Any]:
    """The canonical content of an essay as stored now (sections in reading order).

    Callers that loaded many essays' rows at once pass them in ``sections`` and
    ``references`` (each in order); otherwise they are read here.
    """
    if sections is None:
        sections = list(essay.sections.order_by("order"))
    if references is None:
        references = list(essay.references.order_by("order"))
    position = {section.pk: index for index, section in enumerate(sections)}
    content = {
        "title": essay.title,
        "subtitle": essay.subtitle,
        "intro": essay.intro,
        "keywords": essay.keyword_list,
        "sections": [
            [s.level, s.number, s.heading, s.text, position.get(s.parent_id)] for s in sections
        ],
        "references": [
            [r.label, r.text, r.kind, r.year, r.authors, r.title, r.publisher, r.place]
            for r in references
        ],
    }
    if essay.front_matter:
        content["front_matter"] = essay.front_matter
    return content


def content_fingerprint(content: dict[str, Any]) -> str:
    """A stable digest of canonical content."""
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
