"""The sitemap: every public reading page, essays with their last update."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from essays.models import Collection, Essay, Topic


class PageSitemap(Sitemap):
    """The fixed pages: home, all essays, all topics."""

    def items(self) -> list[str]:
        """URL names of the fixed pages."""
        return ["essays:home", "essays:essay-list", "essays:topic-list"]

    def location(self, item: str) -> str:
        """The page's path."""
        return reverse(item)


class EssaySitemap(Sitemap):
    """Every essay's reading page."""

    def items(self) -> QuerySet[Essay]:
        """All essays, only the fields a sitemap entry needs."""
        return Essay.objects.only("id", "updated_at").order_by("pk")

    def lastmod(self, item: Essay) -> datetime:
        """When the essay last changed."""
        return item.updated_at


class TopicSitemap(Sitemap):
    """Every topic shelf."""

    def items(self) -> QuerySet[Topic]:
        """All topics."""
        return Topic.objects.only("id", "slug").order_by("slug")


class CollectionSitemap(Sitemap):
    """Every collection page."""

    def items(self) -> QuerySet[Collection]:
        """All collections."""
        return Collection.objects.only("id").order_by("pk")

    def location(self, item: Collection) -> str:
        """The collection's page."""
        return reverse("essays:collection-detail", kwargs={"pk": item.pk})


SITEMAPS = {
    "pages": PageSitemap,
    "essays": EssaySitemap,
    "topics": TopicSitemap,
    "collections": CollectionSitemap,
}
