"""The search app's one table: the essays whose index documents are not yet written."""

from __future__ import annotations

import uuid

from django.db import models


class PendingReindex(models.Model):
    """An essay whose search document must be (re)written or removed: the outbox.

    A row is written in the same transaction as the change it stands for (see
    :mod:`search.outbox`), so a committed change always leaves either an up-to-date
    index document or this row. It is deleted once the index holds the change; a failed
    write leaves it for the next attempt. ``token`` changes with every later change to
    the essay, so a writer that indexed an older state never deletes the row of a newer
    one. No foreign key: the row must outlive a deleted essay (its document is removed).
    """

    essay_id = models.BigIntegerField("文章编号", unique=True)
    token = models.UUIDField(default=uuid.uuid4)
    pending_since = models.DateTimeField("首次待索引时间", db_index=True)
    attempts = models.PositiveIntegerField("失败次数", default=0)
    last_error = models.TextField("最近错误", blank=True, default="")
    last_attempt_at = models.DateTimeField("最近尝试时间", null=True, blank=True)

    class Meta:
        verbose_name = "待更新的搜索索引"
        verbose_name_plural = "待更新的搜索索引"

    def __str__(self) -> str:
        return f"文章 {self.essay_id}（自 {self.pending_since:%Y-%m-%d %H:%M:%S}）"
