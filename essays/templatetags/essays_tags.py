"""Template filters for reading pages."""

from __future__ import annotations

from collections.abc import Mapping

from django import template
from django.template import Context
from django.utils.safestring import SafeString

from essays.models import Essay, Reference
from essays.reading import MarkerTargets, link_markers
from essays.reading import lede as essay_lede

register = template.Library()


@register.filter
def paragraphs(text: str | None) -> list[str]:
    """The non-blank lines of ``text`` (split on ``\\n``), one per paragraph.

    The lines are returned unescaped as plain strings, so the template's autoescaping
    still applies when they are output.
    """
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


@register.filter
def heading_tag(level: int | None) -> str:
    """The HTML heading element for a section ``level``: h2 for 1, h3 for 2 … h6 at most."""
    try:
        level = int(level or 1)
    except (TypeError, ValueError):
        level = 1
    return f"h{min(max(level, 1) + 1, 6)}"


@register.filter
def with_reference_links(paragraph: str, targets: Mapping[int, str] | None) -> SafeString:
    """The paragraph escaped, each in-text marker like ``[1]`` linked to its reference."""
    return link_markers(paragraph, targets if targets is not None else {})


@register.filter
def cited_at(targets: MarkerTargets | None, reference: Reference) -> list[str]:
    """The ids of the in-text markers that cite ``reference`` (for links back to them)."""
    if not isinstance(targets, MarkerTargets):
        return []
    return targets.cited.get(reference.anchor, [])


@register.simple_tag(takes_context=True)
def canonical_url(context: Context, path: str | None = None) -> str:
    """The absolute URL of ``path`` (default: this page's path, without its query string)."""
    request = context.get("request")
    if request is None:
        return ""
    return request.build_absolute_uri(path or request.path)


@register.filter
def printed_label(reference: Reference) -> str:
    """The reference's printed label when it says more than its place in the list.

    ``[2]`` on the second reference says nothing new and gives ``""``; ``(1) (3)`` is kept.
    """
    label = (reference.label or "").strip()
    return "" if label in {"", f"[{reference.order}]"} else label


@register.filter
def lede(essay: Essay) -> str:
    """One line saying what the essay is about: its ``summary`` when a selector attached
    one (:func:`essays.selectors.with_summaries`), else drawn from its annotations."""
    summary = getattr(essay, "summary", None)
    return essay_lede(essay) if summary is None else summary


#: Unicode's first-strong isolate and pop directional isolate.
FSI, PDI = "\u2068", "\u2069"


@register.filter
def isolate(text: str | None) -> str:
    """``text`` as a directional isolate (FSI … PDI), for plain-text places such as
    ``<title>`` where ``<bdi>`` cannot go: a right-to-left override (U+202E) in a title
    then cannot reverse the words around it."""
    return f"{FSI}{text or ''}{PDI}"
