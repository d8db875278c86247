"""Documents uploaded in the admin, kept between the preview and the confirmation.

An upload is stored (mode 0600, in ``$PORTAL_DATA_DIR/admin-imports``) under its
SHA-256 when its preview is shown; the confirmation reads it back and removes it. A
preview that is never confirmed expires with its token (:data:`PREVIEW_MAX_AGE`): every
preview and confirmation first removes the uploads older than that, so abandoned ones
do not pile up.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from django.conf import settings

from portal.private_files import open_private, private_directory

#: Seconds a preview stays confirmable; its stored upload is removed after that.
PREVIEW_MAX_AGE = 3600

_NAME = re.compile(r"^[0-9a-f]{64}\.txt$")


def _directory() -> Path:
    return private_directory(settings.DATA_DIR / "admin-imports")


def uploads_expire(*, max_age: float = PREVIEW_MAX_AGE, now: float | None = None) -> int:
    """Remove stored uploads older than ``max_age`` seconds; returns how many went."""
    now = time.time() if now is None else now
    removed = 0
    for path in _directory().iterdir():
        try:
            if _NAME.match(path.name) and now - path.stat().st_mtime > max_age:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker removed it first
            continue
    return removed


def upload_store(data: bytes) -> str:
    """Keep ``data`` until its preview is confirmed or expires; returns its digest."""
    uploads_expire()
    digest = hashlib.sha256(data).hexdigest()
    with open_private(_directory() / f"{digest}.txt", "wb") as handle:
        handle.write(data)
    return digest


def upload_load(digest: str) -> bytes:
    """The stored upload ``digest``; OSError when it expired or never existed."""
    uploads_expire()
    if not re.fullmatch(r"[0-9a-f]{64}", str(digest)):
        raise FileNotFoundError(digest)
    return (_directory() / f"{digest}.txt").read_bytes()


def upload_discard(digest: str) -> None:
    """Remove a stored upload once it is imported."""
    if re.fullmatch(r"[0-9a-f]{64}", str(digest)):
        (_directory() / f"{digest}.txt").unlink(missing_ok=True)
