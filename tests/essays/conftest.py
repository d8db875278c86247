"""Fixtures for the essays tests."""

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Settings) -> None:
    """Serve static files without the production manifest (no collectstatic in tests).

    With DEBUG off the settings use whitenoise's manifest storage, and ``{% static %}``
    fails for files that were never collected; tests render pages with the plain storage.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
