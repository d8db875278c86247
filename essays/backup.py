"""The backup format of the corpus: every collection, essay, section, reference and topic
with their whole edit history (the simple-history tables), as one JSON document.

Rows are Django's own serialisation (``django.core.serializers``, the format of
``dumpdata``), with users named by their natural key (the user name), in a fixed order
(model, then primary key), so two exports of the same data are identical. Datetimes
keep their microseconds (``dumpdata``'s JSON would cut them to milliseconds), so a
restore is lossless. The users that history rows name are listed without passwords.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

FORMAT = "essay-portal-backup"
VERSION = 1

#: The models a backup holds, in the order they are written and restored.
MODEL_LABELS = [
    "essays.Topic",
    "essays.HistoricalTopic",
    "essays.Collection",
    "essays.Essay",
    "essays.HistoricalEssay",
    "essays.HistoricalEssay_topics",
    "essays.Section",
    "essays.HistoricalSection",
    "essays.Reference",
    "essays.HistoricalReference",
]
USER_FIELDS = ("username", "first_name", "last_name", "email", "is_staff", "is_active")


class BackupError(Exception):
    """A backup file that cannot be restored; the message is for the user (Chinese)."""


class FullPrecisionEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but datetimes and times keep their microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def backup_models() -> list[type[models.Model]]:
    """The model classes of :data:`MODEL_LABELS`."""
    return [apps.get_model(label) for label in MODEL_LABELS]


def _ordering(model: type[models.Model]) -> str:
    return "history_id" if hasattr(model, "history_id") else "pk"


def _history_users(model_list: list[type[models.Model]]) -> list[dict[str, Any]]:
    user_ids: set[int] = set()
    for model in model_list:
        if any(field.name == "history_user" for field in model._meta.fields):
            user_ids.update(
                model.objects.exclude(history_user=None).values_list("history_user", flat=True)
            )
    users = get_user_model().objects.filter(pk__in=user_ids).order_by("username")
    return list(users.values(*USER_FIELDS))


def backup_data() -> dict[str, Any]:
    """The whole corpus and its history as a JSON-ready document."""
    model_list = backup_models()
    rows: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for model in model_list:
        queryset = model._default_manager.order_by(_ordering(model))
        serialised = serializers.serialize("python", queryset, use_natural_foreign_keys=True)
        counts[model._meta.label] = len(serialised)
        rows.extend(serialised)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now(),
        "counts": counts,
        "users": _history_users(model_list),
        "objects": rows,
    }


def backup_dumps(document: dict[str, Any]) -> str:
    """The document as JSON text (UTF-8, Chinese as is, microseconds kept)."""
    return json.dumps(document, cls=FullPrecisionEncoder, ensure_ascii=False, indent=1)


def backup_loads(text: str) -> dict[str, Any]:
    """Parse and check a backup file's text; raises BackupError with a Chinese message."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise BackupError(f"备份文件不是有效的 JSON（{error}）。") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("这不是文章库的备份文件（缺少格式标记）。")
    if document.get("version") != VERSION:
        raise BackupError(f"不支持的备份版本：{document.get('version')}（支持 {VERSION}）。")
    if not isinstance(document.get("objects"), list) or not isinstance(
        document.get("counts"), dict
    ):
        raise BackupError("备份文件不完整：缺少数据或计数。")
    if len(document["objects"]) != sum(document["counts"].values()):
        raise BackupError("备份文件不完整：记录数与文件中记下的计数不符。")
    return document
