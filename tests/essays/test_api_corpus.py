"""The bundled corpus imported with ``import_essays`` and read back through the JSON API."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

SOURCES = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "source").glob("*.txt"))
COLLECTION = "提升服务意识 统筹城乡发展"

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(client):
    """Import every bundled source and return the API's essay list results."""
    assert SOURCES, "fixtures/source/*.txt are missing"
    call_command("import_essays", *map(str, SOURCES), stdout=StringIO(), stderr=StringIO())
    data = client.get(reverse("essays:api-essay-list")).json()
    assert data["num_pages"] == 1
    return data


def essay_of(client, results, number: int) -> dict:
    (item,) = [r for r in results if r["collection"] == COLLECTION and r["number"] == number]
    response = client.get(reverse("essays:api-essay-detail", kwargs={"pk": item["id"]}))
    assert response.status_code == 200
    return response.json()


def test_corpus_has_twelve_essays(imported):
    assert imported["count"] == 12
    assert len(imported["results"]) == 12


def test_collection_numbers_run_one_to_eleven(imported):
    numbers = [r["number"] for r in imported["results"] if r["collection"] == COLLECTION]
    assert numbers == list(range(1, 12))


def test_essay_seven_has_a_third_level_section_under_2_1(client, imported):
    sections = essay_of(client, imported["results"], 7)["sections"]
    by_number = {s["number"]: s for s in sections}
    assert by_number["2.1.1"]["level"] == 3
    assert by_number["2.1.1"]["parent"] == by_number["2.1"]["id"]
    ids = [s["id"] for s in sections]
    assert ids.index(by_number["2.1"]["id"]) < ids.index(by_number["2.1.1"]["id"])


def test_essay_two_reference_kinds_and_years(client, imported):
    references = essay_of(client, imported["results"], 2)["references"]
    assert [r["kind"] for r in references[:4]] == ["M", "M", None, "J"]
    assert [r["year"] for r in references[:2]] == [2002, 2004]
    assert all(r["year"] is None or isinstance(r["year"], int) for r in references)
    assert [r["order"] for r in references] == list(range(1, len(references) + 1))
