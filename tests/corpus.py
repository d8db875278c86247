"""Paths of the bundled source documents and a helper to import them in tests."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command

SOURCE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "source"
COLLECTION_SOURCE = SOURCE_DIR / "000_66e2ff588f5fb02b.txt"
STANDALONE_SOURCE = SOURCE_DIR / "003_9514cc16462ea946.txt"
ALL_SOURCES = [COLLECTION_SOURCE, STANDALONE_SOURCE]


def import_essays(*paths: Path | str, **options) -> str:
    """Run ``import_essays`` on the paths (default: the bundled documents); return stdout."""
    out = io.StringIO()
    call_command("import_essays", *[str(p) for p in (paths or ALL_SOURCES)], stdout=out, **options)
    return out.getvalue()
