"""The collection admin and importing a source document from an upload after a preview."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, OperationalError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from essays.admin.busy import BusyDatabaseAdminMixin, is_database_busy
from essays.importer import parse_document
from essays.importer.parsed import SourceError
from essays.models import Collection, Essay
from essays.services.imports import (
    ACTION_LABELS,
    MAX_SOURCE_BYTES,
    Action,
    SourceDocument,
    documents_import,
    write_error_message,
)
from essays.services.uploads import PREVIEW_MAX_AGE, upload_discard, upload_load, upload_store

log = logging.getLogger(__name__)


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


class ImportUploadForm(forms.Form):
    """A source document to import, and whether to overwrite editors' changes."""

    source = forms.FileField(
        label="源文档",
        allow_empty_file=True,  # the importer says why an empty file cannot be imported
        help_text=(
            "纯文本（.txt，UTF-8 或 GB18030）、Markdown（.md，PDF 转换所得）或 Word（.docx）；"
            "与命令 import_essays 使用同一个导入器。"
        ),
    )
    force = forms.BooleanField(
        label="覆盖编辑的修改",
        required=False,
        help_text="勾选后，导入后被编辑修改过的文章也会按源文档更新（编辑选定的主题仍然保留）。",
    )

    def clean_source(self) -> Any:
        """Refuse a file too large to import within one request, before reading it.

        Confirming (parse, write, index) took 22 s for 0.28 MB of Chinese text on a
        busy 2-core machine (``python -m bench.upload_size``), so the admin takes at
        most ``PORTAL_UPLOAD_MAX_BYTES`` (256 KB) and the request stays inside
        gunicorn's timeout; larger documents go through the ``import_essays`` command.
        """
        upload = self.cleaned_data["source"]
        limit = min(MAX_SOURCE_BYTES, settings.PORTAL_UPLOAD_MAX_BYTES)
        if upload.size > limit:
            raise ValidationError(
                "文件过大（%(size)s），在后台导入的上限为 %(limit)s，以便在一次请求的时限内"
                "完成。更大的文档请由管理员在服务器上用命令 import_essays 导入。",
                code="too_large",
                params={"size": _size(upload.size), "limit": _size(limit)},
            )
        return upload


def _size(n: int) -> str:
    """A byte count as people say it: 256 KB, 20 MB, 1.5 MB."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(n / 1024))} KB"


_IMPORT_SALT = "essays.admin.import"

#: The database stayed busy (another import or a restore) for the whole wait.
IMPORT_BUSY = (
    "数据库正忙（可能正在导入或恢复数据），等待后仍无法读写，没有导入任何内容。请稍后重新上传。"
)


@admin.register(Collection)
class CollectionAdmin(BusyDatabaseAdminMixin, admin.ModelAdmin):
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
    change_list_template = "admin/essays/collection/change_list.html"

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

    def get_urls(self) -> list[Any]:
        """Add the import view."""
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="essays_collection_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The list, with an import button for those allowed to import."""
        extra_context = {
            **(extra_context or {}),
            "can_import": request.user.has_perm("essays.import_documents"),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → preview (nothing written) → confirm (written in one transaction)."""
        if not request.user.has_perm("essays.import_documents"):
            raise PermissionDenied
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "从源文档导入",
            "opts": self.model._meta,
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._import_confirm(request, context)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        context["form"] = form
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["source"]
            data = upload.read()
            try:
                document = SourceDocument(
                    parsed=parse_document(data, upload.name), source_name=upload.name, data=data
                )
                (report,) = documents_import(
                    documents=[document], force=form.cleaned_data["force"], dry_run=True
                )
                digest = upload_store(data)  # in the database: a busy one is answered below
            except SourceError as error:
                context["error"] = str(error)
                return TemplateResponse(request, "admin/essays/collection/import.html", context)
            except OperationalError as error:
                if not is_database_busy(error):
                    raise
                context["error"] = IMPORT_BUSY
                return TemplateResponse(request, "admin/essays/collection/import.html", context)
            by_number = {essay.number: essay for essay in document.parsed.essays}
            context.update(
                report=report,
                parsed=document.parsed,
                rows=[
                    (outcome, by_number[outcome.number], ACTION_LABELS[outcome.action])
                    for outcome in report.outcomes
                ],
                counts=[(ACTION_LABELS[a], report.count(a)) for a in Action],
                token=signing.dumps(
                    {"sha": digest, "name": upload.name, "force": form.cleaned_data["force"]},
                    salt=_IMPORT_SALT,
                ),
            )
        return TemplateResponse(request, "admin/essays/collection/import.html", context)

    def _import_confirm(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        context["form"] = ImportUploadForm()
        try:
            token = signing.loads(
                request.POST.get("token", ""), salt=_IMPORT_SALT, max_age=PREVIEW_MAX_AGE
            )
            data = upload_load(token["sha"])
        except (signing.BadSignature, OSError, KeyError, TypeError):
            context["error"] = "预览已过期或无效，请重新上传源文档。"
            return TemplateResponse(request, "admin/essays/collection/import.html", context)
        except OperationalError as error:
            if not is_database_busy(error):
                raise
            context["error"] = IMPORT_BUSY
            return TemplateResponse(request, "admin/essays/collection/import.html", context)
        try:
            document = SourceDocument(
                parsed=parse_document(data, token["name"]), source_name=token["name"], data=data
            )
            (report,) = documents_import(documents=[document], force=bool(token["force"]))
        except SourceError as error:
            context["error"] = str(error)
            return TemplateResponse(request, "admin/essays/collection/import.html", context)
        except (ValidationError, DatabaseError) as error:
            context["error"] = (
                IMPORT_BUSY
                if is_database_busy(error)
                else f"{token['name']}：写入数据库失败，已全部撤销：{write_error_message(error)}"
            )
            return TemplateResponse(request, "admin/essays/collection/import.html", context)
        try:
            upload_discard(token["sha"])
        except DatabaseError:  # imported already; the upload expires with its preview
            log.warning("Could not remove the imported upload %s", token["sha"], exc_info=True)
        parts = "，".join(f"{ACTION_LABELS[a]} {report.count(a)} 篇" for a in Action)
        self.message_user(request, f"已导入《{report.title}》：{parts}。")
        return HttpResponseRedirect(
            reverse("admin:essays_collection_change", args=[report.collection_id])
        )
