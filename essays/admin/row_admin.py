"""Sections and references edited on their own; each change is a new essay version."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from essays.admin.busy import BusyDatabaseAdminMixin
from essays.admin.history_ids import IntegerHistoryIdsMixin
from essays.admin.widgets import TEXT_OVERRIDES
from essays.models import Essay, Reference, Section
from essays.services.history import (
    essay_history_baseline,
    essay_version_record,
)


class EssayRowAdmin(IntegerHistoryIdsMixin, BusyDatabaseAdminMixin, SimpleHistoryAdmin):
    """A section or reference edited on its own still makes a new version of its essay."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Keep a baseline of the essay, save the row, then record the essay's version."""
        essay_history_baseline(essay=Essay.objects.get(pk=obj.essay_id))
        super().save_model(request, obj, form, change)
        essay_version_record(essay=Essay.objects.get(pk=obj.essay_id))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        """Delete the row; the essay's history records it."""
        essay = Essay.objects.get(pk=obj.essay_id)
        essay_history_baseline(essay=essay)
        super().delete_model(request, obj)
        essay_version_record(essay=essay)


@admin.register(Section)
class SectionAdmin(EssayRowAdmin):
    """Sections on their own, for searching across essays."""

    list_display = ("__str__", "essay", "order", "level")
    list_select_related = ("essay",)
    search_fields = ("heading", "text", "essay__title")
    raw_id_fields = ("essay", "parent")
    formfield_overrides = TEXT_OVERRIDES


@admin.register(Reference)
class ReferenceAdmin(EssayRowAdmin):
    """Reference entries on their own, filterable by document type."""

    list_display = ("__str__", "essay", "order", "kind", "year")
    list_filter = ("kind",)
    list_select_related = ("essay",)
    search_fields = ("text", "authors", "title", "publisher")
    raw_id_fields = ("essay",)
