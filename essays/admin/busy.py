"""A save the database cannot take right now gives the form back, never a 503.

On SQLite a writer waits for another writer (an import, a restore) up to the busy
timeout (``PORTAL_SQLITE_BUSY_TIMEOUT``, portal/settings.py); on PostgreSQL a lock or
serialization failure can end a save likewise. When that happens the admin shows the
same form again with the editor's input and a Chinese message instead of losing the
input behind a 503. Opening a change form (GET) reads without a transaction, so it
never waits for a writer at all.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse

from portal.errors import is_database_busy

#: What the form says when the database stayed busy for the whole wait.
DATABASE_BUSY = (
    "数据库正忙（可能正在导入或恢复数据），等待后仍无法写入，您的修改没有保存。"
    "您填写的内容仍在下面，请稍后再点击保存。"
)

__all__ = ["DATABASE_BUSY", "BusyDatabaseAdminMixin", "is_database_busy"]


class BusyDatabaseAdminMixin:
    """ModelAdmin mixin: a save that met a busy database re-shows the form with a message."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Open forms without a transaction; a busy database on save gives the form back."""
        if request.method in {"GET", "HEAD"}:
            # Reading only: no transaction, so no wait for the write lock on SQLite.
            return self._changeform_view(request, object_id, form_url, extra_context)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OperationalError as error:
            if not is_database_busy(error):
                raise
        # Nothing was written (the transaction never began or was rolled back). Validate
        # again outside a transaction with a form that refuses the save with the message:
        # that only reads, which never waits in WAL mode.
        request._database_busy = True  # type: ignore[attr-defined]
        return self._changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        """The admin's form; after a busy database, one that refuses the save."""
        form = super().get_form(request, obj, change=change, **kwargs)
        if getattr(request, "_database_busy", False):
            form = type(f"Busy{form.__name__}", (_BusyForm, form), {})
        return form


class _BusyForm(forms.BaseForm):
    """Adds the busy-database message as a form error, so nothing is saved."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        raise ValidationError(DATABASE_BUSY, code="database_busy")
