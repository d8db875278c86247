"""App configuration for the essay corpus."""

from django.apps import AppConfig


class EssaysConfig(AppConfig):
    """The essays app: models, importer, reading views, JSON API and admin."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "essays"
    verbose_name = "文章库"

    def ready(self) -> None:
        """Send :data:`essays.signals.corpus_changed` on every change to the corpus (the
        page cache and search subscribe to it), and give django-axes' admin section a
        Chinese name."""
        from django.apps import apps

        from essays import change_receivers

        # django-axes names its admin section by its label ("Axes"); its models and
        # fields are translated in locale/zh_Hans.
        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = "登录保护"

        change_receivers.connect(self)
