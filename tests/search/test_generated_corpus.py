"""Generated essays are searchable once generated, and gone from search once removed."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from essays.models import Essay
from search.services import search_essays

pytestmark = pytest.mark.django_db(transaction=True)


def test_generated_essays_are_indexed_and_removed_from_the_index():
    call_command("generate_corpus", "--essays", "4", "--seed", "1", stdout=io.StringIO())
    ids = set(Essay.objects.values_list("pk", flat=True))
    assert {hit.essay_id for hit in search_essays("服务").hits} == ids
    call_command("generate_corpus", "--remove", stdout=io.StringIO())
    assert search_essays("服务").hits == []
