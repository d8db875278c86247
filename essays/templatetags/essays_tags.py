"""Template filters for reading pages."""

from __future__ import annotations

from django import template

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
