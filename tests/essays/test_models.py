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


def test_table_of_contents_label_falls_back_to_the_start_of_the_text():
    from essays.models import Section

    assert (
        Section(
            order=1,
            number="2.3.2",
            heading="",
            text="通过与社保部门共同努力, 从2008年开始, 在全市范围内逐步推行",
        ).toc_label
        == "通过与社保部门共同努力, 从2008年开始, 在…"
    )
    assert Section(order=1, number="1", heading="基本情况", text="中山市。").toc_label == "基本情况"
    assert Section(order=3, number="", heading="", text="").toc_label == "章节 3"
