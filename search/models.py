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


# The PostgreSQL search backend's tables (search/backends/postgres). Their full-text
# columns (``words`` and ``grams`` tsvectors) and GIN indexes exist on PostgreSQL only:
# migration 0002 adds them there, and the backend reads and writes them in SQL.


class SearchState(models.Model):
    """The PostgreSQL backend's one row: which generation of documents readers see.

    A full rebuild writes generation ``building`` beside the live one while edits keep
    writing both, then makes it live in one short transaction (readers never see a
    half-built index).
    """

    generation = models.PositiveIntegerField("当前索引代", default=1)
    building = models.PositiveIntegerField("正在重建的索引代", null=True, blank=True)
    rebuilt_at = models.DateTimeField("最近重建时间", null=True, blank=True)

    class Meta:
        verbose_name = "搜索索引状态"
        verbose_name_plural = "搜索索引状态"

    def __str__(self) -> str:
        return f"第 {self.generation} 代"


class SearchDocument(models.Model):
    """An essay as the PostgreSQL backend holds it (one row per essay and generation):
    how many jieba words it has (for ranking) and when it was last written."""

    generation = models.PositiveIntegerField("索引代")
    essay_id = models.BigIntegerField("文章编号")
    length = models.PositiveIntegerField("词数", default=0)
    chunks = models.PositiveIntegerField("正文块数", default=0)

    class Meta:
        verbose_name = "搜索文档"
        verbose_name_plural = "搜索文档"
        constraints = [
            models.UniqueConstraint(
                fields=["generation", "essay_id"], name="search_document_generation_essay"
            )
        ]

    def __str__(self) -> str:
        return f"文章 {self.essay_id}（第 {self.generation} 代）"


class SearchChunk(models.Model):
    """One piece of an essay's searchable text: a part (title, keywords and headings,
    intro, a section, references) or, for a long part, one of its overlapping windows.

    ``body`` is the normalised text (lines with whitespace collapsed), ``digest`` the
    hash of the part's source text: an unchanged part is never analysed again. On
    PostgreSQL the row also holds ``words`` (jieba words with positions, weighted A title,
    B keywords and headings, C text) and ``grams`` (characters and character pairs).
    """

    generation = models.PositiveIntegerField("索引代")
    essay_id = models.BigIntegerField("文章编号")
    part = models.CharField("部分", max_length=40)
    seq = models.PositiveIntegerField("窗口序号")
    kind = models.CharField("权重", max_length=1)
    digest = models.CharField("源文本摘要", max_length=32)
    body = models.TextField("规范化文本")
    length = models.PositiveIntegerField("词数", default=0)

    class Meta:
        verbose_name = "搜索文本块"
        verbose_name_plural = "搜索文本块"
        constraints = [
            models.UniqueConstraint(
                fields=["generation", "essay_id", "part", "seq"], name="search_chunk_identity"
            )
        ]

    def __str__(self) -> str:
        return f"文章 {self.essay_id} {self.part}#{self.seq}"


class SearchGram(models.Model):
    """A Chinese character or pair of characters some indexed essay holds: the
    vocabulary pinyin queries and "did you mean" are spelled from. Only grows between
    rebuilds (a stale entry spells a candidate that then matches nothing)."""

    generation = models.PositiveIntegerField("索引代")
    gram = models.CharField("字或字对", max_length=2)

    class Meta:
        verbose_name = "索引字表"
        verbose_name_plural = "索引字表"
        constraints = [
            models.UniqueConstraint(fields=["generation", "gram"], name="search_gram_identity")
        ]

    def __str__(self) -> str:
        return self.gram
