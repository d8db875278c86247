"""Index generations: ``PATH`` holds index directories and a ``CURRENT`` file naming the
live one.

A full clear or rebuild writes a new directory and switches ``CURRENT`` atomically
(:func:`switch_to`), so searches never see a half-built index and a crash leaves the
previous one intact; the other generations are removed afterwards. Reading never
creates a generation (:func:`live_path` raises :class:`IndexUnavailable`); writing
creates the first one if there is none (:func:`current_path`).
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from search.backends.base import IndexUnavailable
from search.backends.whoosh.codec import storage
from search.backends.whoosh.state import INDEX_MARKER

#: The marker file naming the live index generation.
CURRENT = INDEX_MARKER


def current_path(base: Path) -> Path:
    """The live index directory under ``base`` (created with a first generation if none)."""
    marker = base / CURRENT
    try:
        name = marker.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        name = ""
    if name and (base / name).is_dir():
        return base / name
    return switch_to(base, new_generation(base))


def live_path(base: Path) -> Path:
    """The live index directory under ``base``, for reading: raises
    :class:`IndexUnavailable`, never creates."""
    try:
        name = (base / CURRENT).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise IndexUnavailable(f"no {CURRENT} file in {base}") from error
    path = base / name if name else None
    if path is None or not path.is_dir():
        raise IndexUnavailable(f"live index directory {name!r} is missing")
    return path


def new_generation(base: Path) -> Path:
    """A new, empty generation directory under ``base`` (not yet live)."""
    base.mkdir(parents=True, exist_ok=True)
    path = base / f"index-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    return path


def switch_to(base: Path, path: Path) -> Path:
    """Make ``path`` the live generation (atomically: readers see the old or the new)."""
    marker = base / CURRENT
    temporary = base / f".{CURRENT}.{uuid.uuid4().hex}"
    temporary.write_text(path.name, encoding="utf-8")
    os.replace(temporary, marker)  # atomic: readers see the old or the new name
    return path


def remove_other_generations(base: Path, keep: Path) -> None:
    """Remove every generation directory under ``base`` but ``keep``."""
    for child in base.glob("index-*"):
        if child.is_dir() and child != keep:
            shutil.rmtree(child, ignore_errors=True)


def open_live_index(base_path: str | os.PathLike) -> Any:
    """Open the live index under ``base_path`` (for inspection and tests)."""
    name = (Path(base_path) / CURRENT).read_text(encoding="utf-8").strip()
    return storage(Path(base_path) / name).open_index()
