"""App configuration for the essay corpus."""

from typing import Any

from django.apps import AppConfig


def _content_saved_or_deleted(sender: type, using: str | None = None, **kwargs: Any) -> None:
    """A public row changed: the cached pages are stale once this transaction commits."""
    from portal.content_version import content_changed

    content_changed(using=using)


def _essay_topics_changed(sender: type, action: str, using: str | None = None, **kw: Any) -> None:
    """Topics were added to or taken from essays (either side of the relation)."""
    if action.startswith("post_"):
        _content_saved_or_deleted(sender, using=using)


class EssaysConfig(AppConfig):
    """The essays app: models, importer, reading views, JSON API and admin."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "essays"
    verbose_name = "文章库"

    def ready(self) -> None:
        """Invalidate the page cache (portal/page_cache.py) on every change to the corpus,
        and give django-axes' admin section a Chinese name.

        Writes that send no signals (bulk inserts, ``update()``, raw deletes) call
        :func:`portal.content_version.content_changed` themselves.
        """
        from django.apps import apps
        from django.db.models import signals

        from essays.models import Collection, Essay, Reference, Section, Topic

        # django-axes names its admin section by its label ("Axes"); its models and
        # fields are translated in locale/zh_Hans.
        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = "登录保护"

        for model in (Collection, Essay, Section, Reference, Topic):
            signals.post_save.connect(
                _content_saved_or_deleted, sender=model, dispatch_uid=f"page-cache-save-{model}"
            )
            signals.post_delete.connect(
                _content_saved_or_deleted, sender=model, dispatch_uid=f"page-cache-delete-{model}"
            )
        signals.m2m_changed.connect(
            _essay_topics_changed, sender=Essay.topics.through, dispatch_uid="page-cache-topics"
        )
        # ``flush`` and ``migrate`` change tables without per-row signals.
        signals.post_migrate.connect(
            _content_saved_or_deleted, sender=self, dispatch_uid="page-cache-migrate"
        )
