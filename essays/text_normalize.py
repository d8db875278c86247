"""Normalising the text editors and the importer write, so that only real changes are
changes: browsers send every textarea's line breaks as CRLF, and a save of an untouched
paragraph must not differ from what is stored.

Line breaks (CRLF, CR, U+2028, U+2029, NEL) become ``\\n``; spaces at the end of a line
and blank lines around the text are dropped. Spaces at the start of a line are kept (a
paragraph may be indented on purpose).
"""

from __future__ import annotations

import re

from django import forms

_LINE_BREAK = re.compile(r"\r\n|[\r\u2028\u2029\x85]")
_TRAILING_SPACE = re.compile(r"[ \t\u3000\xa0]+$", re.MULTILINE)


def normalize_text(value: str) -> str:
    """``value`` with ``\\n`` line ends, no trailing spaces, no surrounding blank lines."""
    if not value:
        return value
    value = _LINE_BREAK.sub("\n", value)
    value = _TRAILING_SPACE.sub("", value)
    return value.strip("\n").rstrip()


def normalize_line(value: str) -> str:
    """A one-line value without surrounding white space (ASCII, full-width, no-break)."""
    return normalize_text(value).strip(" \t\u3000\xa0\n")


class NormalizedCharField(forms.CharField):
    """A form text field whose value is normalised before it is compared or saved, so an
    unchanged textarea (sent back with CRLF) is not a change."""

    def to_python(self, value: object) -> str:
        """The submitted text, normalised (see :func:`normalize_text`)."""
        text = super().to_python(value)
        if not isinstance(text, str):
            return text
        return (
            normalize_text(text)
            if isinstance(self.widget, forms.Textarea)
            else normalize_line(text)
        )

    def has_changed(self, initial: object, data: object) -> bool:
        """Changed only when the normalised texts differ."""
        old = normalize_text(str(initial)) if initial not in (None, "") else ""
        return old != (self.to_python(data) or "")
