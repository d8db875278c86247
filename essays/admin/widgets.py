"""Form fields and widgets shared by the admin pages: text boxes that fit their content,
text normalised so that only real changes are saved, keywords typed as plain text."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from essays.text_normalize import NormalizedCharField
from essays.validation import TOO_DEEP, BoundedJSONField, json_too_deep

#: Keyword fields: JSON nested deeper than keywords can be is refused before parsing.
BOUNDED_JSON = {models.JSONField: {"form_class": BoundedJSONField}}

#: Characters per line of a full-width text box at 1280 px (for its starting height).
CHARS_PER_LINE = 60
MAX_ROWS = 30


class AutoGrowTextarea(forms.Textarea):
    """A textarea as tall as its text (up to ``MAX_ROWS`` lines; the stylesheet's
    ``field-sizing: content`` grows it while typing where the browser supports it)."""

    def __init__(self, attrs: dict[str, Any] | None = None, min_rows: int = 2) -> None:
        super().__init__({"class": "autogrow", "rows": min_rows, **(attrs or {})})
        self.min_rows = min_rows

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        """Set ``rows`` from the number of lines the value takes."""
        context = super().get_context(name, value, attrs)
        text = str(value or "")
        lines = sum(max(1, -(-len(line) // CHARS_PER_LINE)) for line in text.split("\n"))
        context["widget"]["attrs"]["rows"] = min(MAX_ROWS, max(self.min_rows, lines))
        return context


#: Model text fields in admin forms: normalised, in boxes that fit their content.
TEXT_OVERRIDES: dict[type[models.Field], dict[str, Any]] = {
    models.TextField: {"form_class": NormalizedCharField, "widget": AutoGrowTextarea},
    models.CharField: {"form_class": NormalizedCharField},
}

#: What separates keywords when an editor types them: ；; 、，, and line breaks.
KEYWORD_SEPARATORS = re.compile(r"[；;、，,\n\r]+")


class KeywordsField(forms.CharField):
    """An essay's keywords typed as text separated by ；or 、, stored as a list of strings.

    A value that still looks like the old JSON list (``["甲", "乙"]``) is read as one.
    """

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.setdefault(
            "help_text", "用“；”或“、”分隔，例如：劳动力；转移；城乡就业。顺序即显示顺序。"
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        """The stored list shown as ``甲；乙``."""
        if isinstance(value, str):  # what the editor typed, shown back as typed
            return value
        if isinstance(value, list | tuple):
            return "；".join(str(item) for item in value)
        return "" if value is None else str(value)

    def to_python(self, value: Any) -> list[str]:
        """The typed text as a list of distinct, trimmed keywords."""
        if isinstance(value, list | tuple):
            items = [str(item) for item in value]
        else:
            text = str(value or "").strip()
            if text.startswith("["):
                if json_too_deep(text):
                    raise ValidationError(TOO_DEEP, code="too_deep")
                try:
                    loaded = json.loads(text)
                except ValueError as error:
                    raise ValidationError(
                        "关键词请用“；”或“、”分隔，不需要引号和方括号。", code="invalid"
                    ) from error
                if not isinstance(loaded, list) or not all(isinstance(i, str) for i in loaded):
                    raise ValidationError(
                        "关键词请用“；”或“、”分隔；每个关键词是非空的文字。", code="invalid"
                    )
                items = loaded
            else:
                items = KEYWORD_SEPARATORS.split(text)
        keywords = []
        for item in items:
            item = " ".join(item.split()).strip("\"'“”‘’")
            if item and item not in keywords:
                keywords.append(item)
        return keywords

    def validate(self, value: Any) -> None:
        """Keywords are optional; each must fit a line."""
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        for keyword in value:
            if len(keyword) > 50:
                raise ValidationError(
                    "关键词“%(word)s…”太长（最多 50 个字）：是不是少了分隔符“；”？",
                    code="too_long",
                    params={"word": keyword[:10]},
                )

    def has_changed(self, initial: Any, data: Any) -> bool:
        """Changed only when the list of keywords differs."""
        try:
            return self.to_python(initial or []) != self.to_python(data)
        except ValidationError:
            return True
