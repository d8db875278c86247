"""History URLs with an id that is not a number answer 404, not 500.

simple-history's views (and the essay admin's own) pass the ids of
``…/<object_id>/history/`` and ``…/history/<version_id>/`` straight into queries on
integer columns, where ``abc`` raises ``ValueError``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def require_integer_id(value: str) -> None:
    """Raise Http404 unless ``value`` is a plain non-negative integer."""
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):
        raise Http404("没有这个记录。")


class IntegerHistoryIdsMixin:
    """ModelAdmin mixin: a history or version URL whose id is not a number is a 404."""

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The object's history, once its id is known to be a number."""
        require_integer_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """One version of the object, once both ids are known to be numbers."""
        require_integer_id(object_id)
        require_integer_id(version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
