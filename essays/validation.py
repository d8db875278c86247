"""What editors may store in the corpus's text and keyword fields, and reading stored
values defensively.

Validators (used by the model fields, so the admin's forms and ``full_clean`` both run
them) refuse:

- control characters in any text (C0 except tab, line feed and carriage return; DEL;
  C1; U+FFFE/U+FFFF; surrogates): they are invisible, and XML (the Atom feed) cannot
  carry them, so one in a title broke the feed for every reader;
- essay keywords that are not a list of short strings;
- topic keywords that are not a mapping of short strings to finite numeric weights.

:class:`BoundedJSONField` refuses JSON nested deeper than keywords can be before it is
parsed (5,000 levels made ``json.loads`` hit the recursion limit: a 500).

The readers :func:`essay_keyword_list` and :func:`topic_keyword_weights` return only
the well-formed part of a stored value, so a value written before validation (or by a
raw query) cannot break a public page, the API or an import.
"""

from __future__ import annotations

import math
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput

#: Characters no text field may hold.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")

MAX_ESSAY_KEYWORDS = 100
MAX_TOPIC_KEYWORDS = 500
MAX_KEYWORD_LENGTH = 100
MAX_KEYWORD_WEIGHT = 1000
#: Deepest JSON the keyword fields accept (a topic's mapping is 1 level, an essay's list 1).
MAX_JSON_DEPTH = 3


def _describe(character: str) -> str:
    return f"U+{ord(character):04X}"


def validate_no_control_characters(value: Any) -> None:
    """Refuse text holding a control character, naming it and its position."""
    if not isinstance(value, str):
        return
    match = CONTROL_CHARACTERS.search(value)
    if match:
        raise ValidationError(
            "含有不可见的控制字符 %(char)s（第 %(position)s 个字符），请删除后再保存。",
            code="control_character",
            params={"char": _describe(match.group()), "position": match.start() + 1},
        )


def strip_control_characters(text: str) -> str:
    """``text`` without control characters (for output that cannot carry them)."""
    return CONTROL_CHARACTERS.sub("", text)


def _validate_keyword(keyword: Any, *, where: str) -> None:
    if not isinstance(keyword, str) or not keyword.strip():
        raise ValidationError(
            "%(where)s的每个关键词都必须是非空的文字（用双引号括起来）。",
            code="keyword_type",
            params={"where": where},
        )
    if len(keyword) > MAX_KEYWORD_LENGTH:
        raise ValidationError(
            "关键词“%(start)s…”太长：每个关键词最多 %(limit)s 个字符。",
            code="keyword_length",
            params={"start": keyword[:10], "limit": MAX_KEYWORD_LENGTH},
        )
    validate_no_control_characters(keyword)


def validate_essay_keywords(value: Any) -> None:
    """Essay keywords: a JSON list of non-empty strings, e.g. ``["城乡统筹", "镇村"]``."""
    if not isinstance(value, list):
        raise ValidationError(
            '关键词必须是由文字组成的列表，例如 ["城乡统筹", "公共服务"]。',
            code="keywords_shape",
        )
    if len(value) > MAX_ESSAY_KEYWORDS:
        raise ValidationError(
            "关键词太多：最多 %(limit)s 个。",
            code="keywords_count",
            params={"limit": MAX_ESSAY_KEYWORDS},
        )
    for keyword in value:
        _validate_keyword(keyword, where="关键词列表")


def _is_weight(weight: Any) -> bool:
    return (
        isinstance(weight, int | float)
        and not isinstance(weight, bool)
        and math.isfinite(weight)
        and 0 < weight <= MAX_KEYWORD_WEIGHT
    )


def validate_topic_keywords(value: Any) -> None:
    """Topic keywords: a JSON mapping of words to weights, e.g. ``{"城乡统筹": 5}``."""
    if not isinstance(value, dict):
        raise ValidationError(
            '关键词权重必须是“词语: 权重”的映射，例如 {"城乡统筹": 5, "城乡": 1}。',
            code="keywords_shape",
        )
    if len(value) > MAX_TOPIC_KEYWORDS:
        raise ValidationError(
            "关键词太多：最多 %(limit)s 个。",
            code="keywords_count",
            params={"limit": MAX_TOPIC_KEYWORDS},
        )
    for keyword, weight in value.items():
        _validate_keyword(keyword, where="关键词权重")
        if not _is_weight(weight):
            raise ValidationError(
                "“%(keyword)s”的权重必须是大于 0、不超过 %(limit)s 的数字。",
                code="keyword_weight",
                params={"keyword": keyword[:20], "limit": MAX_KEYWORD_WEIGHT},
            )


def essay_keyword_list(value: Any) -> list[str]:
    """The usable keywords of a stored essay value: its non-empty strings, else none."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [strip_control_characters(k) for k in value if isinstance(k, str) and k.strip()]


def topic_keyword_weights(value: Any) -> dict[str, float]:
    """The usable keyword weights of a stored topic value: string → positive number."""
    if not isinstance(value, dict):
        return {}
    return {
        keyword: float(weight)
        for keyword, weight in value.items()
        if isinstance(keyword, str) and keyword.strip() and _is_weight(weight)
    }


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON ``text`` nests arrays/objects deeper than ``limit`` (without parsing)."""
    depth = 0
    in_string = escaped = False
    for character in text:
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            if depth > limit:
                return True
        elif character in "]}":
            depth -= 1
    return False


TOO_DEEP = "内容嵌套太深：关键词只能是一层列表或映射。"


class BoundedJSONField(forms.JSONField):
    """A JSON form field that refuses deep nesting before parsing it."""

    def to_python(self, value: Any) -> Any:
        """Parse the input, refusing deep nesting with a Chinese message."""
        if isinstance(value, str) and json_too_deep(value):
            raise ValidationError(TOO_DEEP, code="json_depth")
        try:
            return super().to_python(value)
        except RecursionError as error:  # pragma: no cover - json_too_deep comes first
            raise ValidationError(TOO_DEEP, code="json_depth") from error

    def bound_data(self, data: Any, initial: Any) -> Any:
        """Show refused input as typed, without parsing it."""
        if isinstance(data, str) and json_too_deep(data):
            return InvalidJSONInput(data)
        return super().bound_data(data, initial)


def json_field_overrides() -> dict[Any, dict[str, Any]]:
    """ModelAdmin ``formfield_overrides`` entries that bound JSON input."""
    from django.db import models

    return {models.JSONField: {"form_class": BoundedJSONField}}


__all__ = [
    "BoundedJSONField",
    "essay_keyword_list",
    "json_too_deep",
    "strip_control_characters",
    "topic_keyword_weights",
    "validate_essay_keywords",
    "validate_no_control_characters",
    "validate_topic_keywords",
]
