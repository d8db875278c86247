"""The importer: decode → clean → split → parse a source document (no database writes).

Plain text (.txt, UTF-8 or GB18030), markdown from PDF converters (.md: ``#`` headings
honoured) and Word (.docx: heading styles become the outline). A document with a
paper's front matter (摘要, 关键词) is parsed as a paper; otherwise as a collection of
essays (see MARKUP.md). Every field is checked against its column size while parsing.
"""

from __future__ import annotations

from pathlib import PurePath

from .bounds import check_bounds
from .decoding import decode_source
from .markdown import markdown_lines
from .paper import Line, looks_like_paper, parse_paper
from .parsed import ParsedDocument, SourceError
from .structure import parse_text

__all__ = ["SUPPORTED_SUFFIXES", "ParsedDocument", "SourceError", "parse_document"]

#: File name endings the importer reads.
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".docx")


def parse_document(data: bytes, source_name: str) -> ParsedDocument:
    """Parse the bytes of a source document; raises ``SourceError`` with a Chinese message
    that starts with the file name."""
    try:
        document = _parse(data, PurePath(source_name).suffix.lower())
        check_bounds(document)
    except SourceError as error:
        raise SourceError(f"{source_name}：{error}") from error
    return document


def _parse(data: bytes, suffix: str) -> ParsedDocument:
    if suffix == ".docx":
        from .docx_source import docx_lines

        pairs = docx_lines(data)
        if not pairs:
            raise SourceError("Word 文件里没有任何文字，没有可导入的内容。")
        text = "\n".join(text for text, _ in pairs) + "\n"
        lines = [Line(text=t, heading=bool(level), level=level) for t, level in pairs]
        return _parse_lines(lines, text, "docx", raw_text=text)
    text, encoding = decode_source(data)
    if suffix in (".md", ".markdown"):
        lines = [Line(text=line.text, heading=line.heading) for line in markdown_lines(text)]
        plain = "\n".join(line.text for line in lines)
        return _parse_lines(lines, plain, encoding, raw_text=text)
    lines = [Line(text=line) for line in text.splitlines()]
    return _parse_lines(lines, text, encoding, raw_text=text)


def _parse_lines(lines: list[Line], plain: str, encoding: str, *, raw_text: str) -> ParsedDocument:
    if looks_like_paper(lines):
        return parse_paper(lines, raw_text, encoding)
    document = parse_text(plain, encoding)
    document.raw_text = raw_text
    return document
