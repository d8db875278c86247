"""Documents uploaded in the admin, kept between the preview and the confirmation.

An upload is stored in the database (:class:`~essays.models.PendingUpload`, under its
SHA-256) when its preview is shown; the confirmation reads it back and removes it. Every
web machine sees the same uploads, so the confirmation may reach another machine than
the preview did. A preview that is never confirmed expires with its token
(:data:`PREVIEW_MAX_AGE`): every preview and confirmation first removes the uploads
older than that, so abandoned ones do not pile up.
"""

from __future__ import annotations

import datetime
import hashlib
import re

from django.utils import timezone

from essays.models import PendingUpload

#: Seconds a preview stays confirmable; its stored upload is removed after that.
PREVIEW_MAX_AGE = 3600

_DIGEST = re.compile(r"[0-9a-f]{64}")


def uploads_expire(
    *, max_age: float = PREVIEW_MAX_AGE, now: datetime.datetime | None = None
) -> int:
    """Remove stored uploads older than ``max_age`` seconds; returns how many went."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=max_age)
    removed, _ = PendingUpload.objects.filter(stored_at__lt=cutoff).delete()
    return removed


def upload_store(data: bytes) -> str:
    """Keep ``data`` until its preview is confirmed or expires; returns its digest."""
    uploads_expire()
    digest = hashlib.sha256(data).hexdigest()
    PendingUpload.objects.update_or_create(
        digest=digest, defaults={"data": data, "stored_at": timezone.now()}
    )
    return digest


def upload_load(digest: str) -> bytes:
    """The stored upload ``digest``; FileNotFoundError (an OSError) when it expired or
    never existed."""
    uploads_expire()
    if not _DIGEST.fullmatch(str(digest)):
        raise FileNotFoundError(digest)
    found = PendingUpload.objects.filter(digest=digest).values_list("data", flat=True).first()
    if found is None:
        raise FileNotFoundError(digest)
    return bytes(found)


def upload_discard(digest: str) -> None:
    """Remove a stored upload once it is imported."""
    if _DIGEST.fullmatch(str(digest)):
        PendingUpload.objects.filter(digest=digest).delete()
