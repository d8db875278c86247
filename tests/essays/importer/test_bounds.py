"""The sizes the importer checks while parsing are the database columns' sizes."""

from __future__ import annotations

from django.apps import apps

from essays.importer.bounds import LIMITS

MODELS = {
    "collection": "Collection",
    "essay": "Essay",
    "section": "Section",
    "reference": "Reference",
}


def test_parse_time_limits_are_the_column_sizes():
    for (what, field), (limit, _name) in LIMITS.items():
        model = apps.get_model("essays", MODELS[what])
        assert model._meta.get_field(field).max_length == limit, (what, field)
