"""The Atom feed of new and updated essays."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from essays import reading
from essays.models import Essay
from essays.validation import strip_control_characters
from pagecache.decorators import mark_cacheable

FEED_LENGTH = 20


class EssayFeed(Feed):
    """The most recently added or changed essays, newest first."""

    feed_type = Atom1Feed
    title = "文章库 · 新增与更新的文章"
    subtitle = "城乡统筹、服务意识与劳动力转移文集中新增或修订的文章。"
    language = "zh-CN"

    def __call__(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        """The feed, marked for the page cache (it changes only with the essays)."""
        response = super().__call__(request, *args, **kwargs)
        mark_cacheable(response)
        return response

    def link(self) -> str:
        """The site's home page."""
        return reverse("essays:home")

    def items(self) -> QuerySet[Essay]:
        """The newest changes first."""
        essays = Essay.objects.select_related("collection").defer("collection__raw_text")
        return essays.order_by("-updated_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item: Essay) -> str:
        """The display title, with collection and 篇 number, so essays are told apart."""
        # XML cannot carry control characters: a stored one (saved before the fields
        # refused them) is left out rather than breaking the feed for every reader.
        return strip_control_characters(
            f"{item.display_title}（{item.collection.title} · 篇{item.number}）"
        )

    def item_description(self, item: Essay) -> str:
        """The subtitle or the start of the intro."""
        return strip_control_characters(
            reading.description(item.subtitle, item.intro, item.title, length=200)
        )

    def item_pubdate(self, item: Essay) -> datetime:
        """When the essay was added."""
        return item.created_at

    def item_updateddate(self, item: Essay) -> datetime:
        """When the essay last changed."""
        return item.updated_at
