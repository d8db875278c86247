"""What the portal writes is private to its user: the data directory (and every directory
in it) 0700, every file 0600, the SQLite database and its WAL, the search index, jieba's
cache, the content version, export_essays output and admin uploads included."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
SOURCE = BASE_DIR / "fixtures" / "source" / "003_9514cc16462ea946.txt"

#: A portal's life on a fresh data directory: migrate, import, index, a save, a backup.
LIFE = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("import_essays", {str(SOURCE)!r}, verbosity=0)
call_command("rebuild_index_swapped", verbosity=0)
from essays.models import Essay
essay = Essay.objects.first()
essay.title += "改"
essay.save()
import sys
call_command("export_essays", sys.argv[1], verbosity=0)
"""


def modes(root: Path) -> dict[str, int]:
    """Permission bits of ``root`` and everything under it, by path relative to root."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for directory, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(directory) / name
            found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_the_data_directory_and_everything_in_it_is_private(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)  # as an older version (or a plain mkdir) left it
    data.chmod(0o755)
    shared = tmp_path / "backups"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_DATA_DIR": str(data),
        "DJANGO_SECRET_KEY": "test-only",
        "DJANGO_DEBUG": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", LIFE, str(shared / "backup.json")],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = modes(data)
    assert "portal.sqlite3" in found and "content-version" in found
    assert any(name.startswith("whoosh/") for name in found)
    assert any(name.endswith(".seg") or "_" in name for name in found if "whoosh/" in name)
    exposed = {
        name: oct(mode)
        for name, mode in found.items()
        if mode & 0o077 or mode & 0o700 not in {0o600, 0o700}
    }
    assert exposed == {}
    assert stat.S_IMODE((shared / "backup.json").stat().st_mode) == 0o600
