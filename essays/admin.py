"""The editors' admin for topics, collections, essays, sections and references."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from essays.models import Collection, Essay, Reference, Section, Topic

admin.site.site_header = "文章库管理"
admin.site.site_title = "文章库管理"
admin.site.index_title = "内容管理"

SHORT_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}}


class SectionInline(admin.TabularInline):
    """An essay's sections in reading order; ``parent`` offers only this essay's sections."""

    model = Section
    fk_name = "essay"
    extra = 0
    ordering = ("order",)
    fields = ("order", "level", "number", "heading", "parent", "text")
    formfield_overrides = SHORT_TEXTAREA

    def get_formset(self, request: HttpRequest, obj: Essay | None = None, **kwargs: Any) -> Any:
        """Limit the parent choices to the sections of the essay being edited."""
        formset = super().get_formset(request, obj, **kwargs)
        parent_field = formset.form.base_fields.get("parent")
        if parent_field is not None:
            parent_field.queryset = (
                Section.objects.filter(essay=obj).order_by("order")
                if obj is not None and obj.pk is not None
                else Section.objects.none()
            )
        return formset


class ReferenceInline(admin.TabularInline):
    """An essay's reference list in order, with the fields parsed from each entry."""

    model = Reference
    extra = 0
    ordering = ("order",)
    fields = ("order", "label", "text", "kind", "year", "authors", "title", "publisher", "place")
    formfield_overrides = SHORT_TEXTAREA


@admin.register(Essay)
class EssayAdmin(admin.ModelAdmin):
    """Essays with their sections and references edited inline."""

    list_display = ("title", "collection", "number", "updated_at")
    list_filter = ("collection", "topics")
    list_select_related = ("collection",)
    search_fields = ("title", "subtitle", "intro")
    filter_horizontal = ("topics",)
    readonly_fields = ("created_at", "updated_at", "imported_at")
    fields = (
        "collection",
        "number",
        "title",
        "subtitle",
        "intro",
        "keywords",
        "topics",
        "imported_at",
        "created_at",
        "updated_at",
    )
    inlines = (SectionInline, ReferenceInline)


class EssayInline(admin.TabularInline):
    """A collection's essays, read-only, each linking to its own change page."""

    model = Essay
    extra = 0
    fields = ("number", "title")
    readonly_fields = ("number", "title")
    ordering = ("number",)
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Collection | None = None) -> bool:
        """Essays are added from the essay admin or the importer, not here."""
        return False


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    """Imported source documents; the raw source text and the essay list are read-only."""

    list_display = ("title", "source_name", "essay_count", "imported_at")
    search_fields = ("title", "source_name")
    readonly_fields = (
        "essay_titles",
        "source_name",
        "source_sha256",
        "source_encoding",
        "imported_at",
        "raw_text",
    )
    fields = (
        "title",
        "essay_titles",
        "source_name",
        "source_sha256",
        "source_encoding",
        "imported_at",
        "raw_text",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Collection]:
        """Collections annotated with their number of essays."""
        return super().get_queryset(request).annotate(essay_total=Count("essays"))

    @admin.display(description="文章数", ordering="essay_total")
    def essay_count(self, obj: Collection) -> int:
        """How many essays the collection has."""
        return obj.essay_total

    @admin.display(description="文章")
    def essay_titles(self, obj: Collection) -> str:
        """The collection's essays as a numbered list of titles (escaped)."""
        essays = obj.essays.order_by("number").values_list("number", "title")
        if not essays:
            return "（无）"
        return format_html(
            "<ol>{}</ol>",
            format_html_join("", '<li value="{}">{}</li>', essays),
        )


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """Topics with their descriptions, keyword weights and essay counts."""

    list_display = ("name", "slug", "essay_count")
    search_fields = ("name", "slug", "description")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Topic]:
        """Topics annotated with their number of essays."""
        return super().get_queryset(request).annotate(essay_total=Count("essays"))

    @admin.display(description="文章数", ordering="essay_total")
    def essay_count(self, obj: Topic) -> int:
        """How many essays carry the topic."""
        return obj.essay_total


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    """Sections on their own, for searching across essays."""

    list_display = ("__str__", "essay", "order", "level")
    list_select_related = ("essay",)
    search_fields = ("heading", "text", "essay__title")
    raw_id_fields = ("essay", "parent")
    formfield_overrides = SHORT_TEXTAREA


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    """Reference entries on their own, filterable by document type."""

    list_display = ("__str__", "essay", "order", "kind", "year")
    list_filter = ("kind",)
    list_select_related = ("essay",)
    search_fields = ("text", "authors", "title", "publisher")
    raw_id_fields = ("essay",)
