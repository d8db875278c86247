"""Hostile source documents at the command line: truncated, mixed-encoding, binary,
enormous and malicious files, and a process killed in the middle of writing.

Each is refused with a Chinese message on stderr, exit 1 and nothing written, or (a file
cut on a line boundary, HTML in the text) imported safely, the text kept as text.
"""

from __future__ import annotations

import gzip
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from essays.models import Collection, Essay, Reference, Section
from essays.services.imports import MAX_SOURCE_BYTES
from tests.corpus import COLLECTION_SOURCE, STANDALONE_SOURCE, import_essays

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]
MALICIOUS_TITLE = '<script>alert("标题")</script>城乡<b onmouseover="x()">统筹</b>'


def row_counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Collection, Essay, Section, Reference))


def _refused(tmp_path: Path, name: str, data: bytes, capsys) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    before = row_counts()
    with pytest.raises(CommandError) as raised:
        import_essays(STANDALONE_SOURCE, path, atomic=True)
    assert raised.value.returncode == 1
    assert row_counts() == before
    return capsys.readouterr().err


def test_a_file_cut_inside_a_character_is_refused_as_truncated(tmp_path, capsys):
    data = COLLECTION_SOURCE.read_bytes()
    cut = next(i for i in range(len(data) // 2, len(data)) if 0x80 <= data[i] < 0xC0)
    err = _refused(tmp_path, "cut.txt", data[:cut], capsys)
    assert "文件在末尾被截断" in err


@pytest.mark.parametrize("share", [0.1, 0.5, 0.9])
def test_a_file_cut_on_a_line_boundary_imports_what_is_there_or_is_refused(tmp_path, share):
    data = COLLECTION_SOURCE.read_bytes()
    cut = data.rfind(b"\n", 0, int(len(data) * share)) + 1
    path = tmp_path / "partial.txt"
    path.write_bytes(data[:cut])
    try:
        import_essays(path)
    except CommandError:
        assert row_counts() == (0, 0, 0, 0)
    else:  # whatever was imported is whole: every essay has its text
        assert Collection.objects.count() == 1
        for essay in Essay.objects.all():
            assert essay.title and (essay.intro or essay.sections.exists())


def test_a_utf8_file_with_a_gbk_paragraph_is_refused(tmp_path, capsys):
    data = COLLECTION_SOURCE.read_bytes()
    middle = data.find(b"\n", len(data) // 2) + 1
    mixed = data[:middle] + "统筹城乡发展的一段旧文字。\n".encode("gb18030") + data[middle:]
    err = _refused(tmp_path, "mixed.txt", mixed, capsys)
    assert "混用了多种编码" in err
    position = int(err.split("但第 ")[1].split(" 字节")[0])
    assert middle <= position < middle + 8  # where the GBK bytes stop looking like UTF-8


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("archive.txt.gz", gzip.compress(COLLECTION_SOURCE.read_bytes())),
        ("document.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n\x00\x01\x02" * 50),
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 20),
        ("utf16-no-bom.txt", ("城乡统筹发展研究\n" * 50).encode("utf-16-le")),
    ],
)
def test_binary_files_are_refused(tmp_path, capsys, name, data):
    err = _refused(tmp_path, name, data, capsys)
    assert "二进制" in err or "无法识别文件编码" in err or "控制字符" in err


def test_an_enormous_file_is_refused_before_it_is_read(tmp_path, capsys):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: 21 MB on paper, nothing on disk
        handle.truncate(MAX_SOURCE_BYTES + 1024 * 1024)
    with pytest.raises(CommandError):
        import_essays(path)
    assert "文件过大（21 MB），上限为 20 MB" in capsys.readouterr().err
    assert row_counts() == (0, 0, 0, 0)


def test_html_and_script_in_a_source_are_imported_as_plain_text(tmp_path):
    text = STANDALONE_SOURCE.read_text(encoding="utf-8")
    _title, rest = text.split("\n", 1)
    hostile = f"{MALICIOUS_TITLE}\n{rest}\n<iframe src=//evil>正文里的标签</iframe>\n"
    path = tmp_path / "hostile.txt"
    path.write_text(hostile, encoding="utf-8")
    import_essays(path)
    essay = Essay.objects.get()
    stored = " ".join([essay.title, essay.intro, *(s.text for s in essay.sections.all())])
    assert "<script>" in stored or "<iframe" in stored  # kept verbatim, shown escaped


# A process killed while it writes ---------------------------------------------------------

KILLED_IMPORT = """
import sys, time
import django
django.setup()
from django.core.management import call_command
from essays.services import imports

original = imports._essay_write

def write_then_hang(**kwargs):
    essay = original(**kwargs)
    print("WRITING", flush=True)  # rows written, transaction still open
    time.sleep(60)
    return essay

imports._essay_write = write_then_hang
call_command("import_essays", sys.argv[1], "--force")
"""


def _sqlite_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:  # rolls back a hot journal first
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'essays_%'"
            )
        ]
        return {n: connection.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


def test_an_import_killed_mid_write_leaves_the_database_unchanged(tmp_path):
    """SIGKILL while the rows are written (SQLite file; the transaction is never committed)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SECRET_KEY": "test-only",
    }
    manage = [sys.executable, "manage.py"]
    for args in (["migrate", "--noinput", "-v0"], ["import_essays", str(COLLECTION_SOURCE)]):
        done = subprocess.run([*manage, *args], cwd=REPO, env=env, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
    database = tmp_path / "data" / "portal.sqlite3"
    before = _sqlite_counts(database)

    # The same document again, changed, so the killed import really rewrites rows.
    changed = tmp_path / COLLECTION_SOURCE.name
    changed.write_text(
        COLLECTION_SOURCE.read_text(encoding="utf-8").replace("城乡", "城镇与乡村"),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(changed)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout.readline().strip() == b"WRITING", process.stderr.read()
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert _sqlite_counts(database) == before
    with sqlite3.connect(database) as connection:
        assert not connection.execute(
            "SELECT COUNT(*) FROM essays_section WHERE text LIKE '%城镇与乡村%'"
        ).fetchone()[0]
