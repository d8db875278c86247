"""Keep what the portal writes private to the user it runs as.

The data directory holds the SQLite database (sessions, password hashes), the secret
key and the search index: no other local user may read them. The process umask is set
to :data:`PRIVATE_UMASK` when the settings load (and by ``scripts/serve`` and
gunicorn), so every file the portal or a library it uses creates
(SQLite and its ``-wal``/``-shm`` files, whoosh segments, jieba's cache, backups) is
``0600`` and every directory ``0700``; the helpers here also set the modes explicitly
where the portal creates a file or directory itself, whatever the umask.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Files 0600, directories 0700.
PRIVATE_UMASK = 0o077
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def private_umask() -> None:
    """Make every file this process creates from now on private (umask 077)."""
    os.umask(PRIVATE_UMASK)


def private_directory(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed and make it mode 0700.

    An existing directory the process owns is tightened too, so a data directory made
    by an older version (0755) becomes private on the next start.
    """
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
            path.chmod(PRIVATE_DIR_MODE)
    except OSError:  # not ours to change (a mounted volume): leave it as it is
        pass
    return path


def open_private(path: Path, mode: str = "w", encoding: str | None = "utf-8"):
    """Open ``path`` for writing, created (or truncated) with mode 0600 whatever the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    os.fchmod(fd, PRIVATE_FILE_MODE)  # an existing file keeps its mode on O_CREAT
    return os.fdopen(fd, mode, encoding=None if "b" in mode else encoding)
