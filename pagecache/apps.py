"""App configuration for the page cache and the content version."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def corpus_changed_received(sender: Any, using: str | None = None, **kwargs: Any) -> None:
    """The corpus changed: cached pages are stale (in this process at once, in every
    process once the sender's transaction commits)."""
    from pagecache.content_version import content_changed

    content_changed(using=using)


class PageCacheConfig(AppConfig):
    """The page cache: its middleware, view decorators and the content version."""

    name = "pagecache"
    verbose_name = "页面缓存"

    def ready(self) -> None:
        """Give the content a new version on every change to the corpus."""
        from essays.signals import corpus_changed

        corpus_changed.connect(corpus_changed_received, dispatch_uid="pagecache-content-version")
