"""App configuration for the essay corpus."""

from django.apps import AppConfig


class EssaysConfig(AppConfig):
    """The essays app: models, importer, reading views, JSON API and admin."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "essays"
    verbose_name = "文章库"
