"""export_essays → flush → restore_essays → export_essays gives the same file, and the
rebuilt search index holds exactly the restored essays."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from haystack import connections

from essays.models import Collection, Essay, Section, Topic
from essays.services.history import essay_version_record
from tests.corpus import import_essays
from tests.factories import make_topic
from tests.search.conftest import search_index  # noqa: F401 - an index of each test's own

pytestmark = pytest.mark.django_db


def _export(path) -> dict:
    out = io.StringIO()
    call_command("export_essays", str(path), stdout=out)
    assert "已导出到" in out.getvalue()
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("exported_at")
    return document


def _index_count() -> int:
    with connections["default"].get_backend().searcher() as searcher:
        return searcher.doc_count()


def _edited_corpus():
    """The bundled documents, then an editor's changes: history with a user, a deletion."""
    import_essays()
    editor = get_user_model().objects.create_user("bianji", password="x" * 12, is_staff=True)
    essay = Essay.objects.order_by("pk")[1]
    essay._history_user = editor
    essay.title = "编辑改过的标题"
    essay.save()
    section = essay.sections.order_by("order").first()
    section.text += "编辑补充的一句话。"
    section._history_user = editor
    section.save()
    essay_version_record(essay=essay, reason="编辑修改")
    essay.topics.add(make_topic(name="备份测试主题"))  # not only the migrations' topics
    Essay.objects.order_by("pk").last().delete()  # its history stays, and must come back
    return editor


# flush needs committed rows on PostgreSQL (deferred constraint triggers); the rows the
# migrations made (topics, the editors' group) are put back after the test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_round_trip_is_lossless_and_the_index_matches(tmp_path):
    _edited_corpus()
    first = _export(tmp_path / "first.json")
    counts = first["counts"]
    assert counts["essays.Essay"] == Essay.objects.count() > 0
    assert counts["essays.HistoricalEssay"] > counts["essays.Essay"]
    assert counts["essays.HistoricalEssay_topics"] > 0
    assert first["users"] == [
        {
            "username": "bianji",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_staff": True,
            "is_active": True,
        }
    ]

    call_command("flush", interactive=False, verbosity=0)
    assert not Essay.objects.exists() and not get_user_model().objects.exists()

    out = io.StringIO()
    call_command("restore_essays", str(tmp_path / "first.json"), stdout=out)
    assert f"文章 {counts['essays.Essay']} 篇" in out.getvalue()
    assert "新索引已启用" in out.getvalue()

    second = _export(tmp_path / "second.json")
    assert second == first
    assert _index_count() == Essay.objects.count()
    essay = Essay.objects.get(title="编辑改过的标题")
    assert essay.history.filter(history_user__username="bianji").exists()
    assert "编辑补充的一句话" in essay.sections.order_by("order").first().text
    # New rows after a restore get fresh ids (the sequences moved past the restored ones).
    section = Section.objects.create(essay=essay, order=999, heading="新章节")
    assert section.pk > max(
        row["pk"] for row in first["objects"] if row["model"] == "essays.section"
    )


def test_restore_refuses_a_database_with_essays_and_changes_nothing(tmp_path, capsys):
    import_essays()
    call_command("export_essays", str(tmp_path / "b.json"), verbosity=0)
    before = Essay.objects.count()
    with pytest.raises(CommandError) as raised:
        call_command("restore_essays", str(tmp_path / "b.json"))
    assert "只能恢复到没有文章的数据库" in str(raised.value)
    assert Essay.objects.count() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "不是有效的 JSON"),
        ('{"format": "other"}', "不是文章库的备份文件"),
        (
            '{"format": "essay-portal-backup", "version": 1, "counts": {"essays.Essay": 3},'
            ' "objects": []}',
            "记录数与文件中记下的计数不符",
        ),
    ],
)
def test_restore_refuses_a_broken_file(tmp_path, content, message):
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("restore_essays", str(path))
    assert message in str(raised.value)
    assert not Essay.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_into_a_freshly_migrated_database_adds_no_history(tmp_path):
    from essays.backup import backup_models

    _edited_corpus()
    first = _export(tmp_path / "first.json")
    # A fresh database: what the migrations made (the three topics, without history).
    migrated = {"城乡统筹", "服务意识", "劳动力转移"}
    Collection.objects.all().delete()
    Topic.objects.exclude(name__in=migrated).delete()
    for name in migrated:  # an earlier transactional test may have flushed them
        Topic.objects.get_or_create(name=name)
    for model in backup_models():
        if model.__name__.startswith("Historical"):
            model.objects.all().delete()
    assert set(Topic.objects.values_list("name", flat=True)) == migrated

    call_command("restore_essays", str(tmp_path / "first.json"), "--no-index", stdout=io.StringIO())

    second = _export(tmp_path / "second.json")
    assert second["counts"] == first["counts"]
    assert not Topic.history.filter(history_type="-").exists()
    assert second == first
