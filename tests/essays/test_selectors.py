"""Selectors: filtering, ordering, counts and a bounded number of queries."""

import pytest

from essays import selectors
from essays.models import Essay, Topic
from tests.factories import make_collection, make_essay, make_sections, make_topic

pytestmark = pytest.mark.django_db


def test_essay_list_orders_by_collection_title_then_number():
    second = make_collection(title="B 文集")
    first = make_collection(title="A 文集")
    make_essay(collection=second, number=1, title="B1")
    make_essay(collection=first, number=2, title="A2")
    make_essay(collection=first, number=1, title="A1")
    assert [essay.title for essay in selectors.essay_list()] == ["A1", "A2", "B1"]


def test_essay_list_filters_by_topic_and_collection():
    topic = make_topic(slug="fuwu")
    collection = make_collection()
    tagged = make_essay(collection=collection, number=1, topics=[topic])
    make_essay(collection=collection, number=2)
    other = make_essay(number=1, topics=[topic])
    assert list(selectors.essay_list(topic_slug="fuwu")) == sorted(
        [tagged, other], key=lambda e: (e.collection.title, e.number)
    )
    assert list(selectors.essay_list(topic_slug="fuwu", collection_id=collection.pk)) == [tagged]
    assert list(selectors.essay_list(topic_slug="no-such-topic")) == []


def test_essay_list_loads_collection_and_topics_in_two_queries(django_assert_num_queries):
    topics = [make_topic() for _ in range(3)]
    for number in range(1, 6):
        make_essay(number=number, topics=topics)
    with django_assert_num_queries(2):
        essays = list(selectors.essay_list())
        names = [[t.name for t in essay.topics.all()] for essay in essays]
        collections = [essay.collection.title for essay in essays]
    assert all(len(n) == 3 for n in names)
    assert len(collections) == 5


def test_essay_detail_loads_everything_in_four_queries(django_assert_num_queries):
    essay = make_essay(
        sections=make_sections(30),
        references=[{"text": f"[{i}] 文献{i}"} for i in range(10)],
        topics=[make_topic()],
    )
    with django_assert_num_queries(4):
        loaded = selectors.essay_detail(pk=essay.pk)
        assert loaded.collection.title
        assert [s.order for s in loaded.sections.all()] == list(range(1, 31))
        assert len(loaded.references.all()) == 10
        assert len(loaded.topics.all()) == 1


def test_essay_detail_raises_for_unknown_essay():
    with pytest.raises(Essay.DoesNotExist):
        selectors.essay_detail(pk=999_999)


def test_topic_list_with_counts_counts_essays():
    topic = make_topic(name="甲主题")
    make_essay(number=1, topics=[topic])
    make_essay(number=1, topics=[topic])
    counts = {t.slug: t.essay_count for t in selectors.topic_list_with_counts()}
    assert counts[topic.slug] == 2
    assert counts["fuwu-yishi"] == 0


def test_topic_detail_raises_for_unknown_slug():
    with pytest.raises(Topic.DoesNotExist):
        selectors.topic_detail(slug="no-such-topic")


def test_essay_outline_nests_children_under_parents():
    essay = make_essay(
        sections=[
            {"level": 1, "number": "一", "heading": "甲"},
            {"level": 2, "number": "1", "heading": "乙", "parent": 0},
            {"level": 3, "number": "(1)", "heading": "丙", "parent": 1},
            {"level": 1, "number": "二", "heading": "丁"},
        ]
    )
    outline = selectors.essay_outline(selectors.essay_detail(pk=essay.pk).sections.all())
    assert [node.section.heading for node in outline] == ["甲", "丁"]
    assert [node.section.heading for node in outline[0].children] == ["乙"]
    assert [node.section.heading for node in outline[0].children[0].children] == ["丙"]
    assert outline[1].children == []


def test_collection_list_with_essays_in_two_queries(django_assert_num_queries):
    for _ in range(3):
        collection = make_collection()
        for number in range(1, 4):
            make_essay(collection=collection, number=number)
    with django_assert_num_queries(2):
        collections = list(selectors.collection_list_with_essays())
        numbers = [[e.number for e in c.essays.all()] for c in collections]
    assert numbers == [[1, 2, 3]] * 3


def test_collection_list_with_essays_limit_keeps_the_first_essays_and_the_count(
    django_assert_num_queries,
):
    for _ in range(2):
        collection = make_collection()
        for number in range(1, 6):
            make_essay(collection=collection, number=number)
    with django_assert_num_queries(2):
        collections = list(selectors.collection_list_with_essays(limit=3))
        numbers = [[e.number for e in c.listed_essays] for c in collections]
    assert numbers == [[1, 2, 3]] * 2
    assert [c.essay_count for c in collections] == [5, 5]


def test_notable_essays_are_the_most_referenced_then_the_longest():
    from essays.selectors import notable_essays

    collection = make_collection(title="推荐文集")
    plain = make_essay(collection=collection, number=1, title="无文献")
    cited = make_essay(
        collection=collection,
        number=2,
        title="两条文献",
        references=[{"label": "[1]", "text": "甲"}, {"label": "[2]", "text": "乙"}],
    )
    once = make_essay(
        collection=collection, number=3, title="一条文献", references=[{"text": "丙"}]
    )
    picked = notable_essays(limit=3)
    assert [essay.pk for essay in picked][:2] == [cited.pk, once.pk]
    assert picked[0].reference_total == 2
    assert plain.pk not in [essay.pk for essay in picked[:2]]
