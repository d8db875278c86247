"""What the reading pages compute from an essay already loaded: reading time, in-text
reference markers, topic extracts and short descriptions.

Pure Python over loaded rows: nothing here queries the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from essays.models import Essay, Reference, Section

#: Characters a reader gets through in a minute of Chinese prose (a calm pace).
CHARS_PER_MINUTE = 400

#: ``[1]`` in the running text: one to three digits in square brackets, ASCII or
#: full-width. Longer numbers (``成委发[2008]37号``) are document numbers, not markers.
MARKER = re.compile(r"[\[［]([0-9]{1,3})[\]］]")

_WORD_CHARS = re.compile(r"[\w\u3400-\u9fff]")


def reading_minutes(essay: Essay, sections: Iterable[Section]) -> int:
    """Whole minutes to read ``essay`` (intro and every section), at least 1."""
    text = essay.intro + "".join(section.heading + section.text for section in sections)
    characters = len(_WORD_CHARS.findall(text))
    return max(1, round(characters / CHARS_PER_MINUTE))


class MarkerTargets(dict[int, str]):
    """Which anchor each marker number links to, remembering where each reference was cited.

    ``cited`` maps a reference's anchor to the ids given to its markers, in reading order,
    as :func:`link_markers` links them: the reference list links back to each.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.cited: dict[str, list[str]] = {}

    def marker_id(self, anchor: str) -> str:
        """A new id for a marker of the reference at ``anchor``, remembered for it."""
        ids = self.cited.setdefault(anchor, [])
        ids.append(f"cite-{anchor}-{len(ids) + 1}")
        return ids[-1]


def reference_targets(references: Iterable[Reference]) -> MarkerTargets:
    """Which anchor an in-text marker ``[n]`` links to, for each number ``n``.

    A reference carries the numbers printed in its label (``[1]`` carries 1, ``(1) (3)``
    carries 1 and 3); a reference without a label carries its order. The first reference
    that carries a number wins. A number no reference carries gets no link.
    """
    targets = MarkerTargets()
    for reference in references:
        numbers = [int(n) for n in re.findall(r"[0-9]+", reference.label)] or [reference.order]
        for number in numbers:
            targets.setdefault(number, reference.anchor)
    return targets


def link_markers(paragraph: str, targets: Mapping[int, str]) -> SafeString:
    """``paragraph`` escaped, with each marker ``[n]`` that has a reference linked to it.

    Every piece of the text is escaped; only the link markup this function writes is
    trusted.
    """
    parts: list[str] = []
    position = 0
    for match in MARKER.finditer(paragraph):
        anchor = targets.get(int(match.group(1)))
        if anchor is None:
            continue
        parts.append(conditional_escape(paragraph[position : match.start()]))
        if isinstance(targets, MarkerTargets):
            parts.append(
                format_html(
                    '<a class="ref-marker" id="{}" href="#{}" aria-label="参考文献 {}">{}</a>',
                    targets.marker_id(anchor),
                    anchor,
                    match.group(1),
                    match.group(0),
                )
            )
        else:
            parts.append(
                format_html(
                    '<a class="ref-marker" href="#{}" aria-label="参考文献 {}">{}</a>',
                    anchor,
                    match.group(1),
                    match.group(0),
                )
            )
        position = match.end()
    parts.append(conditional_escape(paragraph[position:]))
    return mark_safe("".join(parts))  # every part above is escaped or built by format_html


def description(*texts: str, length: int = 120) -> str:
    """The first non-blank text, on one line, cut to ``length`` characters (for meta tags)."""
    for text in texts:
        flat = " ".join((text or "").split())
        if flat:
            return flat if len(flat) <= length else flat[: length - 1] + "…"
    return ""


def lede(essay: Essay, *, length: int = 40) -> str:
    """What tells an essay apart in a listing: its subtitle, the start of its intro, or
    its first heading (from :func:`essays.selectors.with_lede`'s annotations)."""
    return description(
        essay.subtitle,
        getattr(essay, "lede_intro", ""),
        getattr(essay, "lede_heading", "") or "",
        length=length,
    )


@dataclass(frozen=True)
class Extract:
    """A short passage of a section around a topic keyword: ``before`` ``match`` ``after``."""

    section: Section
    before: str
    match: str
    after: str


#: How much text an extract shows on each side of the keyword.
EXTRACT_CONTEXT = 36


def topic_extracts(
    sections: Iterable[Section], keywords: Mapping[str, float], *, limit: int = 2
) -> list[Extract]:
    """The sections that carry a topic, best first, each with a passage around its keyword.

    A section's weight is the sum of the topic's keyword weights over the keywords'
    occurrences in its heading and text; sections that carry none are left out. The
    passage is centred on the first occurrence of the heaviest keyword in the text; a
    section that carries the topic in its heading only shows the start of its text.
    """
    words = sorted(
        ((word, float(weight)) for word, weight in keywords.items() if word),
        key=lambda item: (-item[1], -len(item[0])),
    )
    scored: list[tuple[float, int, Section, str]] = []
    for section in sections:
        body = f"{section.heading}\n{section.text}"
        weight = sum(body.count(word) * w for word, w in words)
        if weight <= 0:
            continue
        in_text = [word for word, _ in words if word in section.text]
        best_word = in_text[0] if in_text else ""
        scored.append((weight, section.order, section, best_word))
    scored.sort(key=lambda item: (-item[0], item[1]))
    extracts = []
    for _, _, section, word in scored[:limit]:
        text = " ".join(section.text.split())
        if not word:  # the topic is in the heading only: the heading is shown; add the text
            cut = text[: 2 * EXTRACT_CONTEXT]
            after = cut + ("…" if len(text) > len(cut) else "")
            extracts.append(Extract(section=section, before="", match="", after=after))
            continue
        start = text.index(word)
        end = start + len(word)
        before = text[max(0, start - EXTRACT_CONTEXT) : start]
        after = text[end : end + EXTRACT_CONTEXT]
        extracts.append(
            Extract(
                section=section,
                before=("…" if start > EXTRACT_CONTEXT else "") + before,
                match=word,
                after=after + ("…" if end + EXTRACT_CONTEXT < len(text) else ""),
            )
        )
    return extracts
