"""The topic admin: descriptions, keyword weights, the topic's essays and history."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from essays.admin.busy import BusyDatabaseAdminMixin
from essays.admin.history_ids import IntegerHistoryIdsMixin
from essays.admin.widgets import BOUNDED_JSON
from essays.models import Topic


@admin.register(Topic)
class TopicAdmin(IntegerHistoryIdsMixin, BusyDatabaseAdminMixin, SimpleHistoryAdmin):
    """Topics with their descriptions, keyword weights, essays and history."""

    list_display = ("name", "slug", "essay_count")
    search_fields = ("name", "slug", "description")
    readonly_fields = ("essay_links",)
    fields = ("name", "slug", "description", "keywords", "essay_links")
    formfield_overrides = BOUNDED_JSON

    def get_queryset(self, request: HttpRequest) -> QuerySet[Topic]:
        """Topics annotated with their number of essays."""
        return super().get_queryset(request).annotate(essay_total=Count("essays"))

    @admin.display(description="文章数", ordering="essay_total")
    def essay_count(self, obj: Topic) -> int:
        """How many essays carry the topic."""
        return obj.essay_total

    @admin.display(description="这个主题的文章")
    def essay_links(self, obj: Topic) -> str:
        """The topic's essays, each linking to its change page."""
        if obj.pk is None:
            return "（保存后显示）"
        essays = obj.essays.select_related("collection").order_by("collection__title", "number")
        if not essays:
            return "（无）"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a>（{}）</li>',
                (
                    (reverse("admin:essays_essay_change", args=[e.pk]), e, e.collection)
                    for e in essays
                ),
            ),
        )
