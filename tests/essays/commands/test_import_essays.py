"""The import command: bad input gets a clear message, a non-zero exit and no writes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError

from essays.models import Collection, Essay, Reference, Section
from tests.corpus import ALL_SOURCES, COLLECTION_SOURCE, STANDALONE_SOURCE, import_essays

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]


def row_counts() -> tuple[int, ...]:
    return (
        Collection.objects.count(),
        Essay.objects.count(),
        Section.objects.count(),
        Reference.objects.count(),
    )


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": (tmp_path / "empty.txt", b""),
        "blank": (tmp_path / "blank.txt", b"\n  \r\n\t\n"),
        "binary": (tmp_path / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 40),
        "undecodable": (tmp_path / "latin.txt", b"\x80\x81\xfd\x80\x81" * 40),
        "boilerplate only": (tmp_path / "ads.txt", "合集下载\n相关文档\n".encode()),
    }
    for path, data in files.values():
        path.write_bytes(data)
    files_by_name = {name: path for name, (path, _) in files.items()}
    files_by_name["missing"] = tmp_path / "missing.txt"
    files_by_name["directory"] = tmp_path / "empty-folder"
    files_by_name["directory"].mkdir()
    return files_by_name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty", "文件是空的"),
        ("blank", "只有空白"),
        ("binary", "二进制"),
        ("undecodable", "无法识别文件编码"),
        ("boilerplate only", "没有正文"),
        ("missing", "文件不存在"),
        ("directory", "这是一个目录"),
    ],
)
def test_a_bad_file_is_refused_and_the_database_is_left_as_it_was(bad_files, capsys, name, message):
    import_essays(COLLECTION_SOURCE)
    before = row_counts()
    with pytest.raises(CommandError) as raised:
        # With --atomic the good document next to it is not imported either.
        import_essays(STANDALONE_SOURCE, bad_files[name], atomic=True)
    assert raised.value.returncode == 1
    assert message in capsys.readouterr().err
    assert row_counts() == before
    assert not Collection.objects.filter(title="打造学习型服务型政府").exists()


def test_by_default_a_bad_file_is_named_and_the_others_are_imported(bad_files, capsys):
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_essays",
            str(bad_files["binary"]),
            str(STANDALONE_SOURCE),
            str(bad_files["empty"]),
            stdout=out,
        )
    assert raised.value.returncode == 1
    err = capsys.readouterr().err
    assert f"{bad_files['binary']}：" in err and "二进制" in err
    assert f"{bad_files['empty']}：" in err and "文件是空的" in err
    assert Collection.objects.filter(title="打造学习型服务型政府").exists()
    assert "文档：新建 1，更新 0，未变 0，跳过 0，失败 2" in out.getvalue()


def test_a_failure_while_writing_rolls_back_every_document(monkeypatch):
    from essays.services import imports

    calls = {"n": 0}
    real_write = imports._essay_write

    def failing_write(**kwargs):
        calls["n"] += 1
        if calls["n"] == 12:  # the last essay of the second document
            raise DatabaseError("模拟的写入失败")
        return real_write(**kwargs)

    monkeypatch.setattr(imports, "_essay_write", failing_write)
    with pytest.raises(CommandError, match="已全部撤销"):
        import_essays(atomic=True)
    assert row_counts() == (0, 0, 0, 0)


def test_a_failure_while_writing_undoes_only_that_document(monkeypatch, capsys):
    from essays.services import imports

    calls = {"n": 0}
    real_write = imports._essay_write

    def failing_write(**kwargs):
        calls["n"] += 1
        if calls["n"] == 12:  # the only essay of the second document
            raise DatabaseError("模拟的写入失败")
        return real_write(**kwargs)

    monkeypatch.setattr(imports, "_essay_write", failing_write)
    with pytest.raises(CommandError):
        import_essays()
    assert f"{STANDALONE_SOURCE}：写入数据库失败" in capsys.readouterr().err
    assert Collection.objects.count() == 1
    assert Essay.objects.count() == 11


def test_progress_and_summary_go_to_stdout():
    output = import_essays()
    assert "《提升服务意识 统筹城乡发展》" in output
    assert "篇4 新建：端正服务态度,提升服务意识" in output
    assert "完成：2 个文档，新建 12 篇" in output


def test_command_line_exit_code_and_no_traceback(tmp_path, bad_files):
    env = {
        **os.environ,
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SECRET_KEY": "test",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=REPO)
    result = subprocess.run(
        [*manage, "import_essays", str(bad_files["binary"])],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "二进制" in result.stderr
    assert "Traceback" not in result.stderr
    result = subprocess.run(
        [*manage, "import_essays", *map(str, ALL_SOURCES)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "新建 12 篇" in result.stdout


def test_verbosity_zero_prints_nothing():
    assert import_essays(verbosity=0) == ""
    assert Essay.objects.count() == 12


def test_a_batch_is_indexed_once_at_the_end(monkeypatch, django_capture_on_commit_callbacks):
    import search.outbox

    calls = []
    monkeypatch.setattr(
        search.outbox, "reindex_essays", lambda ids, **kw: calls.append(ids) or True
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_essays()
    assert len(calls) == 1
    assert sorted(calls[0]) == sorted(Essay.objects.values_list("pk", flat=True))


def test_no_index_leaves_the_index_alone(monkeypatch):
    import search.outbox

    calls = []
    monkeypatch.setattr(
        search.outbox, "reindex_essays", lambda ids, **kw: calls.append(ids) or True
    )
    import_essays(no_index=True)
    assert calls == [] and Essay.objects.count() == 12


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys):
    import_essays()
    assert capsys.readouterr().err == ""


def test_a_paper_with_a_long_title_imports_and_its_history_names_it(tmp_path):
    """Real paper titles run past the history's 100-character change reason (PostgreSQL
    refused such imports with "value too long"); the reason is cut, the import succeeds."""
    title = "基于" + "城乡统筹发展与农村劳动力转移培训的公共服务均等化" * 5 + "研究"
    paper = tmp_path / "long-title.txt"
    paper.write_text(
        f"{title}\n\n摘要：本文讨论城乡统筹与劳动力转移。\n\n一、引言\n\n城乡统筹是一项长期任务。\n",
        encoding="utf-8",
    )
    call_command("import_essays", str(paper), stdout=io.StringIO(), stderr=io.StringIO())
    essay = Essay.objects.get(collection__source_name="long-title.txt")
    reason = essay.history.latest("history_date").history_change_reason
    assert len(title) > 100
    assert len(reason) <= 100 and reason.startswith("导入《") and reason.endswith("…")
