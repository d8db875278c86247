"""The essay admin: the essay form with section and reference inlines, list,
filters, actions, versions with readable diffs, revert and recovery of deleted essays.

Saving an essay checks that nobody else saved it since the editor opened it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, router, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from essays.admin.busy import BusyDatabaseAdminMixin
from essays.admin.history_ids import require_integer_id
from essays.admin.widgets import TEXT_OVERRIDES, AutoGrowTextarea, KeywordsField
from essays.admin_selectors import (
    deleted_essays,
    essay_history_entries,
    essay_ids_edited_since_import,
    essays_with_counts,
)
from essays.models import Essay, Reference, Section, Topic
from essays.services.editing import (
    EditConflict,
    essay_version_claim,
    essays_reindex,
    essays_topic_assign,
    essays_topic_remove,
    essays_topics_resuggest,
    version_token,
)
from essays.services.history import (
    HistoryError,
    essay_history_baseline,
    essay_recover,
    essay_revert,
    essay_version_record,
    essays_history_baseline,
)
from essays.signals import corpus_changes


class SectionInline(admin.StackedInline):
    """An essay's sections in reading order; ``parent`` offers only this essay's sections.

    Each section is one compact row of its place (编号, 顺序, 层级, 上级章节), its heading,
    then its text in a box as wide as the form and as tall as the text: the essay editor
    fits a 1280 px window, and reordering (顺序) and nesting (层级, 上级章节) stay possible.
    """

    model = Section
    fk_name = "essay"
    extra = 0
    ordering = ("order",)
    fields = (("number", "order", "level", "parent"), "heading", "text")
    formfield_overrides = TEXT_OVERRIDES
    classes = ("section-inline",)

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


class ReferenceInline(admin.StackedInline):
    """An essay's reference list in order: the entry as printed in a full-width box, the
    fields parsed from it in compact rows below."""

    model = Reference
    extra = 0
    ordering = ("order",)
    fields = (
        ("order", "label", "kind", "year"),
        "text",
        ("authors", "title"),
        ("publisher", "place"),
    )
    formfield_overrides = TEXT_OVERRIDES
    classes = ("reference-inline",)


class EssayForm(forms.ModelForm):
    """The essay form with a hidden version token: a save over someone else's is refused."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    #: Set when this editor's save already lost a race: refuse it whatever the token says.
    lost_race = False

    class Meta:
        model = Essay
        fields = [
            "collection",
            "number",
            "title",
            "short_title",
            "subtitle",
            "intro",
            "keywords",
            "topics",
        ]
        field_classes = {"keywords": KeywordsField}
        widgets = {"intro": AutoGrowTextarea(min_rows=3)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"].initial = version_token(self.instance.updated_at)

    def clean(self) -> dict[str, Any]:
        """Refuse the save when the essay was saved by someone else after it was opened."""
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        current = (
            Essay.objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
        )
        if self.lost_race or version_token(current) != cleaned.get("version"):
            last = self.instance.history.select_related("history_user").first()
            who = getattr(last, "history_user", None) if last else None
            when = timezone.localtime(current).strftime("%H:%M:%S") if current else ""
            raise ValidationError(
                "在您打开这篇文章之后，%(who)s于 %(when)s 保存了修改，您的修改没有保存。"
                "您填写的内容仍在下面：请在新的标签页中重新打开这篇文章，"
                "对照后把需要保留的修改填进去再保存。",
                code="edit_conflict",
                params={"who": f"{who} " if who else "其他人", "when": when},
            )
        return cleaned


class EditedSinceImportFilter(admin.SimpleListFilter):
    """Essays whose content an editor changed since the importer last wrote it."""

    title = "导入后是否修改"
    parameter_name = "edited"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        """Yes or no."""
        return [("yes", "导入后修改过"), ("no", "与导入时相同")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Essay]) -> QuerySet[Essay]:
        """Keep the edited (or the unedited) essays."""
        if self.value() not in {"yes", "no"}:
            return queryset
        edited = essay_ids_edited_since_import(queryset)
        if self.value() == "yes":
            return queryset.filter(pk__in=edited)
        return queryset.exclude(pk__in=edited)


class TopicChoiceForm(forms.Form):
    """The topic an essay action puts on or takes off the selected essays."""

    topic = forms.ModelChoiceField(Topic.objects.all(), label="主题", empty_label="请选择主题")


@admin.register(Essay)
class EssayAdmin(BusyDatabaseAdminMixin, SimpleHistoryAdmin):
    """Essays with their sections and references edited inline, with history and undo."""

    form = EssayForm
    formfield_overrides = TEXT_OVERRIDES
    list_display = (
        "list_title",
        "collection",
        "number",
        "section_count",
        "reference_count",
        "updated_at",
    )
    list_display_links = ("list_title",)
    list_filter = ("collection", "topics", EditedSinceImportFilter)
    list_select_related = ("collection",)
    search_fields = ("title", "short_title", "subtitle", "intro", "collection__title")
    filter_horizontal = ("topics",)
    readonly_fields = ("created_at", "updated_at", "imported_at")
    fieldsets = (
        (None, {"fields": (("collection", "number"), "title", "short_title", "subtitle")}),
        (None, {"fields": ("intro", "keywords", "topics")}),
        (
            "记录",
            {
                "fields": (("imported_at", "created_at", "updated_at"), "version"),
                "classes": ("collapse",),
            },
        ),
    )
    inlines = (SectionInline, ReferenceInline)
    actions = ("assign_topic", "remove_topic", "resuggest_topics", "reindex")
    change_list_template = "admin/essays/essay/change_list.html"

    # List --------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Essay]:
        """Essays with their section and reference counts."""
        return essays_with_counts(super().get_queryset(request))

    @admin.display(description="标题", ordering="short_title")
    def list_title(self, obj: Essay) -> str:
        """The title readers see (the printed one too when it differs)."""
        if obj.display_title != obj.title:
            return f"{obj.display_title}（原题：{obj.title}）"
        return obj.title

    @admin.display(description="章节数", ordering="section_total")
    def section_count(self, obj: Essay) -> int:
        """How many sections the essay has."""
        return obj.section_total

    @admin.display(description="参考文献数", ordering="reference_total")
    def reference_count(self, obj: Essay) -> int:
        """How many references the essay has."""
        return obj.reference_total

    # Saving ------------------------------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Show the form again, with the conflict message, if a save lost a race."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # Nothing was written (the transaction rolled back): show the form again with
            # this editor's input and the conflict message.
            request._essay_lost_race = True  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def _changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """A save (the essay, its inlines and topics) is announced as one corpus event."""
        with self._one_corpus_event(request):
            return super()._changeform_view(request, *args, **kwargs)

    def _delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """A delete (the essay, its sections and references) is one corpus event."""
        with self._one_corpus_event(request):
            return super()._delete_view(request, *args, **kwargs)

    def _one_corpus_event(self, request: HttpRequest) -> AbstractContextManager[Any]:
        """Inside the admin's own transaction for a POST, collect the corpus events of its
        writes into one. Never opens a transaction of its own: a form shown again after a
        busy database is validated outside any (essays/admin/busy.py)."""
        using = router.db_for_write(self.model)
        in_transaction = transaction.get_connection(using).in_atomic_block
        if request.method == "POST" and in_transaction:
            return corpus_changes(using)
        return nullcontext()

    def get_form(
        self, request: HttpRequest, obj: Essay | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        """The essay form; after a lost race, one that refuses the save with the message."""
        form = super().get_form(request, obj, change=change, **kwargs)
        if getattr(request, "_essay_lost_race", False):
            form = type("LostRaceEssayForm", (form,), {"lost_race": True})
        return form

    def save_model(self, request: HttpRequest, obj: Essay, form: Any, change: bool) -> None:
        """Claim the version the editor opened, keep a baseline, save without a record yet."""
        if change:
            essay_version_claim(essay_id=obj.pk, token=form.cleaned_data.get("version", ""))
            essay_history_baseline(essay=Essay.objects.get(pk=obj.pk))
        obj.skip_history_when_saving = True  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Save topics, sections and references, then record the essay's version."""
        essay = form.instance
        try:
            super().save_related(request, form, formsets, change)
        finally:
            if hasattr(essay, "skip_history_when_saving"):
                del essay.skip_history_when_saving
        essay_version_record(essay=essay, created=not change)

    def delete_model(self, request: HttpRequest, obj: Essay) -> None:
        """Delete after making sure the essay can be recovered from its history."""
        essay_history_baseline(essay=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Essay]) -> None:
        """Delete the selected essays (one corpus event); each can be recovered from its
        history."""
        with corpus_changes():
            essays_history_baseline(essays=list(queryset))
            for essay in queryset:
                essay.delete()

    # Actions -----------------------------------------------------------------------------

    def _topic_action(
        self, request: HttpRequest, queryset: QuerySet[Essay], *, action: str, title: str
    ) -> HttpResponse | None:
        form = TopicChoiceForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            topic = form.cleaned_data["topic"]
            if action == "assign_topic":
                count = essays_topic_assign(essays=list(queryset), topic=topic)
                self.message_user(request, f"已给 {count} 篇文章加上主题“{topic}”。")
            else:
                count = essays_topic_remove(essays=list(queryset), topic=topic)
                self.message_user(request, f"已从 {count} 篇文章去掉主题“{topic}”。")
            return None
        return TemplateResponse(
            request,
            "admin/essays/essay/topic_action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "essays": queryset,
                "form": form,
                "action": action,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="给选中的文章加上主题", permissions=["change"])
    def assign_topic(self, request: HttpRequest, queryset: QuerySet[Essay]) -> Any:
        """Ask for a topic, then put it on the selected essays."""
        return self._topic_action(
            request, queryset, action="assign_topic", title="给选中的文章加上主题"
        )

    @admin.action(description="从选中的文章去掉主题", permissions=["change"])
    def remove_topic(self, request: HttpRequest, queryset: QuerySet[Essay]) -> Any:
        """Ask for a topic, then take it off the selected essays."""
        return self._topic_action(
            request, queryset, action="remove_topic", title="从选中的文章去掉主题"
        )

    @admin.action(description="按关键词重新推荐主题", permissions=["change"])
    def resuggest_topics(self, request: HttpRequest, queryset: QuerySet[Essay]) -> None:
        """Set the selected essays' topics to what their text suggests now."""
        count = essays_topics_resuggest(essays=list(queryset.select_related("collection")))
        self.message_user(request, f"已重新推荐主题：{count} 篇文章的主题有变化。")

    @admin.action(description="重建选中文章的搜索索引", permissions=["change"])
    def reindex(self, request: HttpRequest, queryset: QuerySet[Essay]) -> None:
        """Re-index the selected essays in search."""
        ids = list(queryset.values_list("pk", flat=True))
        essays_reindex(essay_ids=ids)
        self.message_user(request, f"已重建 {len(ids)} 篇文章的搜索索引。")

    # History, revert, recover ------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        """Add the deleted-essays list and the recover view."""
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name="essays_essay_deleted",
            ),
            path(
                "deleted/<int:essay_id>/recover/",
                self.admin_site.admin_view(self.recover_view),
                name="essays_essay_recover",
            ),
            *super().get_urls(),
        ]

    def _history_context(self, request: HttpRequest, obj: Any, title: str) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "object": obj,
            "has_change_permission": self.has_change_permission(request),
        }

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Every version of the essay with what changed in it, each one revertible."""
        require_integer_id(object_id)
        obj = self.get_object(request, object_id)
        if obj is None:
            record = Essay.history.filter(id=object_id).first()
            if record is None:
                return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
            obj = record.instance
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = self._history_context(request, obj, f"修改历史：{obj}")
        context["entries"] = essay_history_entries(obj.pk)
        context["deleted"] = not Essay.objects.filter(pk=obj.pk).exists()
        return TemplateResponse(request, "admin/essays/essay/history.html", context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """One version as it was (with its sections and references); POST reverts to it."""
        require_integer_id(object_id)
        require_integer_id(version_id)
        essay = self.get_object(request, object_id)
        record = get_object_or_404(Essay.history, id=object_id, history_id=version_id)
        if essay is None or record.history_type == "-":
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request, essay):
                raise PermissionDenied
            try:
                essay_revert(essay=essay, history_id=record.history_id)
            except HistoryError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M:%S")
                self.message_user(request, f"已把“{essay}”恢复到 {when} 的版本。")
            return HttpResponseRedirect(reverse("admin:essays_essay_change", args=[essay.pk]))
        if not self.has_view_or_change_permission(request, essay):
            raise PermissionDenied
        when = record.history_date
        context = self._history_context(request, essay, f"查看版本：{record.instance}")
        context.update(
            record=record,
            version=record.instance,
            topics=Topic.objects.filter(
                pk__in=record.topics.values_list("topic_id", flat=True)
            ).order_by("name"),
            sections=sorted(
                Section.history.as_of(when).filter(essay_id=essay.pk), key=lambda s: s.order
            ),
            references=sorted(
                Reference.history.as_of(when).filter(essay_id=essay.pk), key=lambda r: r.order
            ),
        )
        return TemplateResponse(request, "admin/essays/essay/version.html", context)

    def deleted_view(self, request: HttpRequest) -> HttpResponse:
        """The essays that were deleted and can be recovered."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = self._history_context(request, None, "恢复已删除的文章")
        context["records"] = deleted_essays()
        return TemplateResponse(request, "admin/essays/essay/deleted.html", context)

    def recover_view(self, request: HttpRequest, essay_id: int) -> HttpResponse:
        """POST: bring back a deleted essay with its sections, references and topics."""
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        try:
            essay = essay_recover(essay_id=essay_id)
        except (HistoryError, DatabaseError) as error:
            message = (
                str(error) if isinstance(error, HistoryError) else "恢复失败，没有做任何修改。"
            )
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:essays_essay_deleted"))
        self.message_user(request, f"已恢复“{essay}”及其章节和参考文献。")
        return HttpResponseRedirect(reverse("admin:essays_essay_change", args=[essay.pk]))
