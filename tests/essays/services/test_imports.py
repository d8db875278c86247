"""Importing documents: idempotent, re-encoded copies update in place, editors' work is kept."""

from __future__ import annotations

import codecs

import pytest

from essays.models import Collection, Essay, Reference, Section
from tests.corpus import COLLECTION_SOURCE, STANDALONE_SOURCE, import_essays

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Every row the importer writes, as plain values (ids included)."""
    return {
        "collections": list(Collection.objects.order_by("pk").values()),
        "essays": [
            {k: v for k, v in row.items() if k != "updated_at"}
            for row in Essay.objects.order_by("pk").values()
        ],
        "topics": list(Essay.topics.through.objects.order_by("pk").values()),
        "sections": list(Section.objects.order_by("pk").values()),
        "references": list(Reference.objects.order_by("pk").values()),
    }


def test_bundled_documents_import_as_two_collections_and_twelve_essays():
    import_essays()
    collection = Collection.objects.get(title="提升服务意识 统筹城乡发展")
    assert list(collection.essays.values_list("number", flat=True)) == list(range(1, 12))
    standalone = Collection.objects.get(title="打造学习型服务型政府")
    assert [e.title for e in standalone.essays.all()] == ["打造学习型服务型政府"]
    assert Essay.objects.count() == 12


def test_raw_source_is_kept_verbatim_with_all_noise():
    import_essays()
    raw = STANDALONE_SOURCE.read_text(encoding="utf-8")
    collection = Collection.objects.get(title="打造学习型服务型政府")
    assert collection.raw_text == raw
    assert "下载文档前请自行甄别" in collection.raw_text
    assert collection.source_name == STANDALONE_SOURCE.name


def test_sections_are_stored_as_a_tree_in_reading_order():
    import_essays()
    essay = Essay.objects.get(collection__title="提升服务意识 统筹城乡发展", number=7)
    section = essay.sections.get(number="2.1.1")
    assert section.level == 3
    assert section.parent.number == "2.1"
    assert section.parent.parent.number == "2"
    assert list(essay.sections.values_list("order", flat=True)) == list(
        range(1, essay.sections.count() + 1)
    )


def test_importing_again_changes_nothing_and_reports_unchanged():
    import_essays()
    before = snapshot()
    output = import_essays()
    assert "未变 12 篇" in output
    after = snapshot()
    for collection in before["collections"] + after["collections"]:
        collection.pop("imported_at")
    assert after == before


@pytest.mark.parametrize(
    "reencode",
    [
        lambda text: text.encode("gb18030"),
        lambda text: codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["gb18030", "utf8-bom-crlf"],
)
def test_a_reencoded_copy_reimports_in_place(tmp_path, reencode):
    import_essays()
    essay_ids = sorted(Essay.objects.values_list("pk", flat=True))
    copy = tmp_path / "copy.txt"
    copy.write_bytes(reencode(COLLECTION_SOURCE.read_text(encoding="utf-8")))
    output = import_essays(copy)
    assert "未变 11 篇" in output
    assert sorted(Essay.objects.values_list("pk", flat=True)) == essay_ids
    assert Collection.objects.count() == 2
    assert Collection.objects.get(title="提升服务意识 统筹城乡发展").source_name == "copy.txt"


def test_a_changed_source_updates_the_essay_in_place(tmp_path):
    import_essays()
    essay = Essay.objects.get(collection__title="打造学习型服务型政府")
    text = STANDALONE_SOURCE.read_text(encoding="utf-8").replace("顾客是总裁", "顾客是董事长")
    copy = tmp_path / STANDALONE_SOURCE.name
    copy.write_text(text, encoding="utf-8")
    output = import_essays(copy)
    assert "更新 1 篇" in output
    essay.refresh_from_db()
    assert Essay.objects.filter(collection__title="打造学习型服务型政府").count() == 1
    assert "顾客是董事长" in essay.sections.get(heading="确立全新理念,强化服务意识").text


def test_dry_run_reports_the_plan_and_outline_but_writes_nothing():
    output = import_essays(dry_run=True)
    assert Essay.objects.count() == 0
    assert Collection.objects.count() == 0
    assert "篇7 新建" in output
    assert "2.1.1 实施镇村医疗卫生一体化管理背景" in output
    assert "试运行" in output


def test_dry_run_after_an_edit_reports_the_skip_without_writing(tmp_path):
    import_essays()
    Section.objects.filter(essay__number=4, heading="其次要实行公开承诺制").update(
        text="编辑改过。"
    )
    before = snapshot()
    output = import_essays(COLLECTION_SOURCE, dry_run=True)
    assert "篇4 跳过" in output
    assert snapshot() == before


def test_an_essay_an_editor_changed_is_skipped_unless_forced():
    import_essays()
    essay = Essay.objects.get(collection__title="提升服务意识 统筹城乡发展", number=4)
    essay.subtitle = "编辑改过的副标题"
    essay.save()
    output = import_essays(COLLECTION_SOURCE)
    assert "篇4 跳过" in output
    essay.refresh_from_db()
    assert essay.subtitle == "编辑改过的副标题"

    output = import_essays(COLLECTION_SOURCE, force=True)
    assert "篇4 更新" in output
    essay.refresh_from_db()
    assert essay.subtitle == "人事部门应怎样提升服务意识"


def test_an_inline_section_edit_counts_as_an_editor_change():
    import_essays()
    section = Section.objects.get(essay__number=9, number="(一)")
    section.text = section.text + "编辑补充的一句。"
    section.save()
    output = import_essays(COLLECTION_SOURCE)
    assert "篇9 跳过" in output
    section.refresh_from_db()
    assert section.text.endswith("编辑补充的一句。")


def test_editor_topic_choices_survive_reimport_even_when_forced(tmp_path):
    from essays.models import Topic

    import_essays()
    essay = Essay.objects.get(collection__title="提升服务意识 统筹城乡发展", number=9)
    assert list(essay.topics.all()) == []
    service = Topic.objects.get(slug="fuwu-yishi")
    essay.topics.add(service)
    copy = tmp_path / "changed.txt"
    copy.write_text(
        COLLECTION_SOURCE.read_text(encoding="utf-8").replace("认识不够。", "认识不足。"),
        encoding="utf-8",
    )
    output = import_essays(copy, force=True)
    assert "篇9 更新" in output
    assert list(essay.topics.all()) == [service]

    # An editor removing a suggested topic is an override too.
    essay2 = Essay.objects.get(collection__title="提升服务意识 统筹城乡发展", number=2)
    essay2.topics.remove(Topic.objects.get(slug="chengxiang-tongchou"))
    import_essays(COLLECTION_SOURCE, force=True)
    assert sorted(essay2.topics.values_list("slug", flat=True)) == ["laodongli-zhuanyi"]


def test_an_essay_no_longer_in_the_source_is_kept_and_reported(tmp_path):
    import_essays()
    text = COLLECTION_SOURCE.read_text(encoding="utf-8")
    cut = text[: text.index("提升服务意识 统筹城乡发展 篇11")]
    copy = tmp_path / "shorter.txt"
    copy.write_text(cut, encoding="utf-8")
    output = import_essays(copy)
    assert "篇11 保留" in output
    assert Essay.objects.filter(number=11).exists()


@pytest.mark.parametrize(
    ("number", "slugs"),
    [
        (1, ["chengxiang-tongchou", "laodongli-zhuanyi"]),
        (2, ["chengxiang-tongchou", "laodongli-zhuanyi"]),
        (3, ["chengxiang-tongchou"]),
        (4, ["fuwu-yishi"]),
        (5, ["fuwu-yishi"]),
        (6, ["fuwu-yishi"]),
        (7, ["chengxiang-tongchou"]),
        (8, ["fuwu-yishi"]),
        (9, []),  # 工商政务信息公开: about none of the three shelves
        (10, ["fuwu-yishi"]),
        (11, ["chengxiang-tongchou"]),
    ],
)
def test_suggested_topics_follow_what_each_essay_is_about(number, slugs):
    import_essays(COLLECTION_SOURCE)
    essay = Essay.objects.get(collection__title="提升服务意识 统筹城乡发展", number=number)
    assert sorted(essay.topics.values_list("slug", flat=True)) == slugs


def test_standalone_essay_is_on_the_service_shelf():
    import_essays(STANDALONE_SOURCE)
    essay = Essay.objects.get(collection__title="打造学习型服务型政府")
    assert list(essay.topics.values_list("slug", flat=True)) == ["fuwu-yishi"]
