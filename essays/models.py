"""The essay corpus: collections of essays, their section trees, references and topics."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .slugs import pinyin_slug
from .validation import (
    essay_keyword_list,
    topic_keyword_weights,
    validate_essay_keywords,
    validate_no_control_characters,
    validate_topic_keywords,
)

#: Every text field editors can change refuses control characters (essays/validation.py).
TEXT = [validate_no_control_characters]

#: Essay history also records the topics an essay had (simple-history's m2m snapshot);
#: kept at module level so services can record a version on demand
#: (see essays/services/history.py).
essay_history = HistoricalRecords(
    m2m_fields=["topics"], verbose_name="文章历史", verbose_name_plural="文章历史"
)


class Topic(models.Model):
    """A subject shelf (城乡统筹, 服务意识, …) that essays are assigned to.

    ``keywords`` maps a term to its weight; the importer counts the jieba-segmented
    terms of an essay against it to suggest membership.
    """

    name = models.CharField("名称", max_length=50, unique=True, validators=TEXT)
    slug = models.SlugField(
        "拼音标识",
        max_length=80,
        unique=True,
        blank=True,
        help_text="无声调拼音，例如 chengxiang-tongchou；留空则按名称自动生成。",
    )
    description = models.TextField("简介", blank=True, validators=TEXT)
    keywords = models.JSONField(
        "关键词权重",
        default=dict,
        blank=True,
        help_text='词语到权重的映射，例如 {"城乡统筹": 5, "城乡": 1}；用于导入时推荐主题。',
        validators=[validate_topic_keywords],
    )
    history = HistoricalRecords(verbose_name="主题历史", verbose_name_plural="主题历史")

    class Meta:
        ordering = ["name"]
        verbose_name = "主题"
        verbose_name_plural = "主题"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Give a new topic a unique pinyin slug from its name when none is set."""
        if not self.slug:
            base = pinyin_slug(self.name) or "topic"
            slug, n = base, 1
            while Topic.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                n += 1
                slug = f"{base}-{n}"
            self.slug = slug
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The topic shelf page."""
        return reverse("essays:topic-detail", kwargs={"slug": self.slug})

    @property
    def keyword_weights(self) -> dict[str, float]:
        """The stored keyword weights that are well formed (word → positive number)."""
        return topic_keyword_weights(self.keywords)


class Collection(models.Model):
    """One imported source document: a titled collection of one or more essays.

    ``raw_text`` keeps the source exactly as decoded, including everything the
    importer cleaned away, so nothing is lost. A document is identified by
    ``source_fingerprint`` (its text, whatever the encoding), or by its file name
    together with its title, or by an explicit ``X(共N篇)`` collection heading; never
    by its first line alone (see ``essays.services.identity``).
    """

    title = models.CharField("标题", max_length=500, validators=TEXT)
    source_name = models.CharField("源文件名", max_length=255)
    source_sha256 = models.CharField("源文件摘要", max_length=64, blank=True)
    source_fingerprint = models.CharField(
        "内容指纹",
        max_length=64,
        blank=True,
        db_index=True,
        help_text="源文件解码、统一换行与 Unicode 规范化后的 SHA-256：同一文档换了编码仍相同。",
    )
    source_encoding = models.CharField("源文件编码", max_length=20, blank=True)
    raw_text = models.TextField("原始文本")
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        ordering = ["title"]
        verbose_name = "文集"
        verbose_name_plural = "文集"
        permissions = [("import_documents", "可以在后台导入源文档")]

    def __str__(self) -> str:
        return self.title


class Essay(models.Model):
    """One essay (篇) of a collection, with its intro, keywords and topics.

    ``import_fingerprint`` is the digest of the content as the importer last wrote
    it and ``imported_topic_slugs`` the topics it set; when the current content or
    topics differ, an editor has changed them and a re-import leaves them alone.
    """

    collection = models.ForeignKey(
        Collection, verbose_name="文集", on_delete=models.CASCADE, related_name="essays"
    )
    number = models.PositiveSmallIntegerField("篇号")
    title = models.CharField("标题", max_length=500, help_text="原文印出的标题。", validators=TEXT)
    short_title = models.CharField(
        "显示标题",
        max_length=200,
        blank=True,
        help_text="读者在列表、搜索结果和页面标题中看到的标题；留空则用原标题。"
        "原标题与同一文集的其他文章相同时，导入会按内容建议一个，编辑可以修改。",
        validators=TEXT,
    )
    subtitle = models.CharField("副标题", max_length=500, blank=True, validators=TEXT)
    intro = models.TextField(
        "导语", blank=True, help_text="第一个标题之前的正文。", validators=TEXT
    )
    keywords = models.JSONField(
        "关键词", default=list, blank=True, validators=[validate_essay_keywords]
    )
    front_matter = models.JSONField(
        "论文信息",
        default=dict,
        blank=True,
        help_text="论文标题之外的前置信息：栏目、期刊、作者、单位、摘要、分类号、DOI、英文标题与摘要等。",
    )
    topics = models.ManyToManyField(Topic, verbose_name="主题", related_name="essays", blank=True)
    import_fingerprint = models.CharField("导入摘要", max_length=64, blank=True, editable=False)
    imported_topic_slugs = models.JSONField(default=list, blank=True, editable=False)
    imported_at = models.DateTimeField("导入时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = essay_history

    class Meta:
        ordering = ["collection__title", "number"]
        verbose_name = "文章"
        verbose_name_plural = "文章"
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "number"], name="essay_unique_number_in_collection"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="essay_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.display_title}（篇{self.number}）"

    def get_absolute_url(self) -> str:
        """The essay's reading page."""
        return reverse("essays:essay-detail", kwargs={"pk": self.pk})

    @property
    def keyword_list(self) -> list[str]:
        """The stored keywords that are well formed (non-empty strings)."""
        return essay_keyword_list(self.keywords)

    @property
    def display_title(self) -> str:
        """The title readers see: the editor-set or suggested short title, else the title."""
        return self.short_title or self.title


#: A section without a heading is listed in the table of contents by this much of its text.
TOC_EXCERPT_LENGTH = 24


class Section(models.Model):
    """A heading and its own paragraphs; sections form a tree inside an essay.

    ``order`` is the reading position in the essay, ``level`` 1 is top level,
    ``number`` the label as printed (``一``, ``2.1.1``, ``(三)``), ``heading`` the
    heading without it, ``text`` the section's own paragraphs joined with ``\\n``.
    """

    essay = models.ForeignKey(
        Essay, verbose_name="文章", on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级章节",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveIntegerField("顺序")
    level = models.PositiveSmallIntegerField("层级", default=1)
    number = models.CharField("编号", max_length=40, blank=True, validators=TEXT)
    heading = models.CharField("标题", max_length=500, blank=True, validators=TEXT)
    text = models.TextField("正文", blank=True, validators=TEXT)
    history = HistoricalRecords(verbose_name="章节历史", verbose_name_plural="章节历史")

    class Meta:
        ordering = ["essay", "order"]
        verbose_name = "章节"
        verbose_name_plural = "章节"
        constraints = [
            models.UniqueConstraint(fields=["essay", "order"], name="section_unique_order"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=9), name="section_level_range"
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.number} " if self.number else ""
        return f"{label}{self.heading}".strip() or f"章节 {self.order}"

    @property
    def anchor(self) -> str:
        """The fragment id of this section on the essay page."""
        return f"s{self.order}"

    @property
    def toc_label(self) -> str:
        """What the table of contents shows: the heading, else the start of the text."""
        if self.heading:
            return self.heading
        if self.text:
            first = self.text.split("\n", 1)[0]
            return first if len(first) <= TOC_EXCERPT_LENGTH else first[:TOC_EXCERPT_LENGTH] + "…"
        return "" if self.number else f"章节 {self.order}"


class Reference(models.Model):
    """One entry of an essay's reference list, with what could be parsed from it.

    ``kind`` is the GB/T 7714 document type letter (``M`` book, ``J`` journal article,
    ``Z`` other, …) when the entry prints one.
    """

    essay = models.ForeignKey(
        Essay, verbose_name="文章", on_delete=models.CASCADE, related_name="references"
    )
    order = models.PositiveIntegerField("顺序")
    label = models.CharField(
        "序号",
        max_length=40,
        blank=True,
        help_text="原文的序号，如 [1] 或 (1) (3)。",
        validators=TEXT,
    )
    text = models.TextField("原文", validators=TEXT)
    kind = models.CharField("文献类型", max_length=10, blank=True, validators=TEXT)
    year = models.PositiveSmallIntegerField("年份", null=True, blank=True)
    authors = models.CharField("作者", max_length=1000, blank=True, validators=TEXT)
    title = models.CharField("题名", max_length=1000, blank=True, validators=TEXT)
    publisher = models.CharField("出版者或刊名", max_length=500, blank=True, validators=TEXT)
    place = models.CharField("出版地", max_length=200, blank=True, validators=TEXT)
    history = HistoricalRecords(verbose_name="参考文献历史", verbose_name_plural="参考文献历史")

    class Meta:
        ordering = ["essay", "order"]
        verbose_name = "参考文献"
        verbose_name_plural = "参考文献"
        constraints = [
            models.UniqueConstraint(fields=["essay", "order"], name="reference_unique_order"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def anchor(self) -> str:
        """The fragment id of this reference on the essay page."""
        return f"ref-{self.order}"


class PendingUpload(models.Model):
    """A document uploaded in the admin, kept between its preview and its confirmation.

    In the database, not on the machine that showed the preview: behind a load balancer
    the confirmation may reach another web machine, which must find the same bytes.
    Removed once imported, or when its preview expires (:mod:`essays.services.uploads`).
    """

    digest = models.CharField("SHA-256", max_length=64, primary_key=True)
    data = models.BinaryField("内容")
    stored_at = models.DateTimeField("上传时间", db_index=True)

    class Meta:
        verbose_name = "待确认的上传"
        verbose_name_plural = "待确认的上传"

    def __str__(self) -> str:
        return self.digest
