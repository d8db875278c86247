"""Restore a backup (see :mod:`essays.backup`) into a database without essays."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, connection

from essays.backup import USER_FIELDS, BackupError, backup_models
from essays.models import Collection, Essay
from essays.signals import corpus_changes


def _users_ensure(users: list[dict[str, Any]]) -> None:
    """Create the users history rows name, when missing (without a usable password)."""
    User = get_user_model()
    for fields in users:
        username = fields["username"]
        if User.objects.filter(username=username).exists():
            continue
        user = User(**{name: fields[name] for name in USER_FIELDS if name in fields})
        user.set_unusable_password()
        user.save()


@corpus_changes()
def backup_restore(*, document: dict[str, Any]) -> dict[str, int]:
    """Load every row of ``document`` with its primary key; all of it or nothing.

    The database must hold no collections or essays; its topics and any history are
    replaced by the backup's. The rows' saves are announced as one corpus event naming
    every restored essay (in a ``corpus_batch(reindex=False)`` the caller rebuilds the
    search index afterwards instead).
    Returns the number of rows restored per model label.
    """
    if Collection.objects.exists() or Essay.objects.exists():
        raise BackupError(
            "数据库中已有文集或文章：只能恢复到没有文章的数据库（例如先运行 flush）。"
        )
    model_list = backup_models()
    _rows_clear(model_list)
    _users_ensure(document.get("users", []))
    restored = {model._meta.label: 0 for model in model_list}
    try:
        with connection.constraint_checks_disabled():
            for item in serializers.deserialize(
                "python", document["objects"], handle_forward_references=True
            ):
                item.object.skip_history_when_saving = True  # the history is in the backup
                item.save()
                restored[item.object._meta.label] += 1
        connection.check_constraints(table_names=[m._meta.db_table for m in model_list])
    except (DeserializationError, IntegrityError, LookupError) as error:
        raise BackupError(f"备份中的数据无法恢复（{error}），数据库未作改动。") from error
    expected = {label: int(n) for label, n in document["counts"].items()}
    if {label: n for label, n in restored.items() if n or label in expected} != expected:
        raise BackupError("恢复的记录数与备份中的计数不符，数据库未作改动。")
    _sequences_reset(model_list)
    return restored


def _rows_clear(model_list: list[Any]) -> None:
    """Empty the backup's tables: the live rows first, then the history rows.

    Deleting a live row (the topics a migration made) records a "deleted" history
    entry; clearing the history tables last removes those too, so the restored history
    is exactly the backup's.
    """
    live = [model for model in model_list if not hasattr(model, "history_id")]
    history = [model for model in model_list if hasattr(model, "history_id")]
    for model in [*reversed(live), *reversed(history)]:
        model._default_manager.all().delete()


def _sequences_reset(model_list: list[Any]) -> None:
    """Move the id sequences past the restored ids (PostgreSQL; a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if not statements:
        return
    try:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    except DatabaseError as error:  # pragma: no cover - reported, and the whole restore undone
        raise BackupError(f"无法重置编号序列（{error}），数据库未作改动。") from error


__all__ = ["BackupError", "backup_restore"]
