"""Word documents (.docx) as lines, via python-docx: heading styles and outline levels
mark the headings, list numbering is printed back in front of a numbered heading."""

from __future__ import annotations

import io
import re
import zipfile

from .parsed import SourceError

_HEADING_STYLE = re.compile(r"^(?:Heading|标题|Title)\s*(?P<level>\d*)$", re.IGNORECASE)


def docx_lines(data: bytes) -> list[tuple[str, int]]:
    """The paragraphs (and table rows) of a .docx file, each with its heading level (0: text)."""
    import docx  # python-docx; imported here so plain-text imports never load it

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise SourceError("这不是有效的 Word（.docx）文件，无法读取。") from error
    lines: list[tuple[str, int]] = []
    counters: dict[int, int] = {}
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(block, document)
            text = paragraph.text.strip()
            if not text:
                continue
            level = _heading_level(paragraph)
            if level and _numbered(paragraph) and not re.match(r"^\d", text):
                counters[level] = counters.get(level, 0) + 1
                for deeper in [k for k in counters if k > level]:
                    del counters[deeper]
                number = ".".join(str(counters.get(k, 1)) for k in range(1, level + 1))
                text = f"{number} {text}"
            lines.append((text, level))
        elif tag == "tbl":
            table = docx.table.Table(block, document)
            for row in table.rows:
                cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
                if cells:
                    lines.append((" ".join(dict.fromkeys(cells)), 0))
    return lines


def _heading_level(paragraph: object) -> int:
    style = getattr(getattr(paragraph, "style", None), "name", "") or ""
    match = _HEADING_STYLE.match(style.strip())
    if match:
        return int(match.group("level") or 1)
    p_pr = paragraph._p.pPr  # type: ignore[attr-defined]
    outline = (
        p_pr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}outlineLvl")
        if p_pr is not None
        else None
    )
    if outline is not None:
        value = outline.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
        if value is not None and value.isdigit() and int(value) < 9:
            return int(value) + 1
    return 0


def _numbered(paragraph: object) -> bool:
    p_pr = paragraph._p.pPr  # type: ignore[attr-defined]
    return p_pr is not None and p_pr.numPr is not None
