"""App configuration for Chinese full-text search."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The search app: jieba analyser, normalisation, haystack indexes, search views."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "search"
    verbose_name = "搜索"

    def ready(self) -> None:
        """Subscribe to the corpus event (search/signals.py) and load jieba and pinyin."""
        from essays.signals import corpus_changed
        from essays.text.jieba_setup import ensure_jieba
        from search.pinyin import characters_reading
        from search.signals import corpus_changed_received

        corpus_changed.connect(corpus_changed_received, dispatch_uid="search-index")

        # Load jieba's dictionary and the pinyin table now, not on the first request
        # (gunicorn preloads the app: the workers share them with the master).
        ensure_jieba()
        characters_reading("a")
