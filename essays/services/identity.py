"""Which existing collection a document is, and why: never its first line alone.

1. The same text (content fingerprint: decoded, line endings and Unicode normalised), so a
   re-encoded or re-saved copy is the same document;
2. else the same file name with the same parsed title (an edited version of the file);
3. else, for a document headed ``X(共N篇)``, the same collection title: an explicit
   heading the editor sees.

Two different papers that merely start with the same column label or share a title
under different file names are different collections.
"""

from __future__ import annotations

from dataclasses import dataclass

from essays.importer.decoding import text_fingerprint
from essays.importer.parsed import ParsedDocument
from essays.models import Collection


@dataclass
class Identity:
    """The collection a document updates (None: a new one), and the reason shown."""

    collection: Collection | None
    reason: str
    fingerprint: str


def document_identity(*, parsed: ParsedDocument, source_name: str, lock: bool = True) -> Identity:
    """Find the collection this document is (locked for update when ``lock``)."""
    fingerprint = text_fingerprint(parsed.raw_text)
    collections = Collection.objects.select_for_update() if lock else Collection.objects.all()
    same_text = collections.filter(source_fingerprint=fingerprint).order_by("pk").first()
    if same_text is not None:
        return Identity(same_text, f"内容指纹相同（{fingerprint[:12]}）", fingerprint)
    same_file = (
        collections.filter(source_name=source_name, title=parsed.title).order_by("pk").first()
    )
    if same_file is not None:
        return Identity(same_file, f"同一源文件名“{source_name}”且标题相同", fingerprint)
    if parsed.explicit_title:
        same_heading = collections.filter(title=parsed.title).order_by("pk").first()
        if same_heading is not None:
            return Identity(same_heading, "文集标题（共N篇）相同", fingerprint)
    return Identity(None, "没有内容相同或同名同标题的文集", fingerprint)
