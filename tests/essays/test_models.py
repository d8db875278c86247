"""Model behaviour an editor relies on."""

import pytest
from django.db import IntegrityError

from essays.models import Essay, Topic
from tests.factories import make_collection

pytestmark = pytest.mark.django_db


def test_a_new_topic_without_slug_gets_a_toneless_pinyin_slug():
    topic = Topic.objects.create(name="镇村一体化")
    assert topic.slug == "zhencun-yitihua"


def test_pinyin_slugs_stay_unique():
    Topic.objects.create(name="公共文化", slug="gonggong-wenhua")
    topic = Topic.objects.create(name="公共 文化")
    assert topic.slug == "gonggong-wenhua-2"


def test_an_editor_chosen_slug_is_kept():
    assert Topic.objects.create(name="民生", slug="minsheng-wenti").slug == "minsheng-wenti"


def test_two_essays_cannot_share_a_number_in_one_collection():
    collection = make_collection()
    Essay.objects.create(collection=collection, number=1, title="甲")
    with pytest.raises(IntegrityError):
        Essay.objects.create(collection=collection, number=1, title="乙")
