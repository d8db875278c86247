"""App configuration for Chinese full-text search."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The search app: jieba analyser, normalisation, haystack indexes, search views."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "search"
    verbose_name = "搜索"

    def ready(self) -> None:
        from search.jieba_setup import ensure_jieba

        # Load jieba's dictionary now, not on the first request.
        ensure_jieba()
