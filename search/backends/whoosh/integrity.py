"""Checksums of the index files, recorded at commit and verified by ``/healthz``.

A damaged segment (blocks overwritten, bits rotted) often opens fine and fails only the
searches that read the damaged part. So every commit records, while it still holds the
index lock, the size and CRC-32 of each index file in :data:`MANIFEST` beside them
(:func:`record`), and :func:`verify` compares the files with it.

Keeping it cheap: whoosh never changes a segment file once written (deletions live in
the table of contents), so a commit computes the checksum of new files only and carries
the others over; :func:`verify` reads a file again only when its name, size,
modification time or inode changed, or its last check is older than
``PORTAL_INDEX_VERIFY_SECONDS`` (per process), so a ``/healthz`` probe usually costs
one directory listing.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

#: The checksum file in each index directory (not a whoosh name: whoosh leaves it alone).
MANIFEST = "CHECKSUMS.json"
_INDEX_FILE = re.compile(r"^(_\w+_\d+\.toc|\w+_[0-9a-z]+\.[A-Za-z0-9_.]+)$")
_CHUNK = 1 << 20
#: Bytes :func:`verify` reads per call at most (beyond its first file): the first
#: ``/healthz`` after a start or a rebuild stays quick at 10,000 essays (~700 MB of index).
VERIFY_BUDGET_BYTES = 64 << 20
_cache_lock = threading.Lock()
# (directory, name, size, mtime_ns, inode) → (checksum, when it was computed)
_checked: dict[tuple, tuple[int, float]] = {}


def _is_index_file(name: str) -> bool:
    return not name.startswith(".") and name != MANIFEST and bool(_INDEX_FILE.match(name))


def checksum(path: str | os.PathLike) -> int:
    """The CRC-32 of a file's contents."""
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def load(folder: str | os.PathLike) -> dict[str, list[int]] | None:
    """The recorded ``{file name: [size, crc32]}`` of ``folder`` (None if none is readable)."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        return {str(name): [int(size), int(crc)] for name, (size, crc) in files.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(folder: str | os.PathLike) -> None:
    """Record the checksums of ``folder``'s index files, just after a commit.

    Call it while holding the index's write lock. A file already recorded with the same
    size keeps its recorded checksum (segment files never change); new files are read.
    """
    folder = Path(folder)
    previous = load(folder) or {}
    files: dict[str, list[int]] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.is_file() or not _is_index_file(entry.name):
                continue
            size = entry.stat().st_size
            known = previous.get(entry.name)
            files[entry.name] = known if known and known[0] == size else [size, checksum(entry)]
    temporary = folder / f".{MANIFEST}.{uuid.uuid4().hex}"
    try:
        temporary.write_text(json.dumps({"files": files}, sort_keys=True), encoding="utf-8")
        os.replace(temporary, folder / MANIFEST)
    finally:
        temporary.unlink(missing_ok=True)


@dataclass
class Verification:
    """The outcome of :func:`verify`: damaged files, files with no recorded checksum, and
    files not yet read for want of budget (checked by a later call)."""

    recorded: bool
    damaged: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    read_bytes: int = 0

    @property
    def ok(self) -> bool:
        """No file differs from its recorded checksum."""
        return not self.damaged


def _max_age() -> float:
    from django.conf import settings

    return float(getattr(settings, "PORTAL_INDEX_VERIFY_SECONDS", 3600))


def verify(folder: str | os.PathLike, *, budget: int = VERIFY_BUDGET_BYTES) -> Verification:
    """Compare ``folder``'s index files with their recorded checksums.

    A file whose name, size, time and inode were checked less than
    ``PORTAL_INDEX_VERIFY_SECONDS`` ago is not read again. At most ``budget`` bytes are
    read per call (at least one file): files never checked in their present state come
    first, then the longest unchecked; the rest wait for the next call. Files written
    after the last record (a commit in progress, or whoosh's background writer) are
    listed as unrecorded, not damaged.
    """
    folder = Path(folder)
    manifest = load(folder)
    result = Verification(recorded=manifest is not None)
    manifest = manifest or {}
    now = time.monotonic()
    max_age = _max_age()
    with os.scandir(folder) as entries:
        listed = sorted(
            (entry for entry in entries if _is_index_file(entry.name)), key=lambda e: e.name
        )
    known: list[tuple[os.DirEntry, tuple, int]] = []  # (entry, cache key, expected checksum)
    for entry in listed:
        expected = manifest.get(entry.name)
        if expected is None:
            result.unrecorded.append(entry.name)
            continue
        try:
            stat = entry.stat()
        except FileNotFoundError:  # removed by a commit while we listed
            continue
        if stat.st_size != expected[0]:
            result.damaged.append(entry.name)
            continue
        key = (str(folder), entry.name, stat.st_size, stat.st_mtime_ns, stat.st_ino)
        known.append((entry, key, expected[1]))
    with _cache_lock:
        cached = {key: _checked.get(key) for _, key, _ in known}

    def urgency(item: tuple) -> float:
        found = cached[item[1]]
        return -1.0 if found is None else found[1]

    due = sorted(
        (item for item in known if cached[item[1]] is None or now - cached[item[1]][1] > max_age),
        key=urgency,
    )
    for entry, key, _ in due:
        if result.read_bytes and result.read_bytes + key[2] > budget:
            if cached[key] is None:
                result.unchecked.append(entry.name)
            continue
        try:
            cached[key] = (checksum(entry.path), now)
        except FileNotFoundError:
            continue
        except OSError:
            result.damaged.append(entry.name)
            continue
        result.read_bytes += key[2]
        with _cache_lock:
            if len(_checked) > 10_000:
                _checked.clear()
            _checked[key] = cached[key]
    for entry, key, expected in known:
        found = cached[key]
        if found is not None and found[0] != expected and entry.name not in result.damaged:
            result.damaged.append(entry.name)
    return result
