"""The search app's schema migrates on every database and matches its models."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_models_and_migrations_agree():
    out = io.StringIO()
    call_command("makemigrations", "search", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
