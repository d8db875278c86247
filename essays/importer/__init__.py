"""The importer: decode → clean → split → parse a source document (no database writes)."""

from __future__ import annotations

from .decoding import decode_source
from .parsed import ParsedDocument, SourceError
from .structure import parse_text

__all__ = ["ParsedDocument", "SourceError", "parse_document"]


def parse_document(data: bytes, source_name: str) -> ParsedDocument:
    """Parse the bytes of a source document; raises ``SourceError`` with a Chinese message."""
    text, encoding = decode_source(data)
    try:
        return parse_text(text, encoding)
    except SourceError as error:
        raise SourceError(f"{source_name}：{error}") from error
