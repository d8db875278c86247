"""Markdown from PDF converters (MinerU, pandoc): lines with heading marks, or plain text.

A ``#`` line is a heading as the converter saw it; images are dropped, HTML tables
become one line of cell texts per row, inline formulas (``$…$``) keep their symbols
without LaTeX commands. :func:`plain_text` is what a reader gets copying the paper out
of a PDF viewer: the same lines without any mark.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_IMAGE_LINE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_MATH = re.compile(r"\$\$?(.+?)\$?\$")
_LATEX_COMMAND = re.compile(r"\\(?:mathrm|mathbf|mathit|text|textcircled|operatorname)\b")
_LATEX_SYMBOL = {r"\sim": "~", r"\times": "×", r"\pm": "±", r"\%": "%", r"\cdot": "·"}
_LATEX_OTHER = re.compile(r"\\[a-zA-Z]+")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


@dataclass(frozen=True)
class MarkdownLine:
    """One line of text and whether the markdown marked it as a heading."""

    text: str
    heading: bool = False


def markdown_lines(markdown: str) -> list[MarkdownLine]:
    """The document's lines with heading marks, images dropped and tables as text."""
    result: list[MarkdownLine] = []
    for raw in _tables_as_lines(markdown).splitlines():
        if _IMAGE_LINE.match(raw):
            continue
        heading = _HEADING.match(raw)
        text = heading.group("text") if heading else raw
        text = _inline(text)
        if heading and not text:
            continue
        result.append(MarkdownLine(text=text, heading=bool(heading)))
    return result


def plain_text(markdown: str) -> str:
    """The plain-text form of a markdown document: marks removed, images dropped."""
    return "\n".join(line.text for line in markdown_lines(markdown)) + "\n"


def _tables_as_lines(markdown: str) -> str:
    def rows(match: re.Match[str]) -> str:
        lines = []
        for row in _ROW.findall(match.group(0)):
            cells = [html.unescape(_TAG.sub("", cell)).strip() for cell in _CELL.findall(row)]
            lines.append(" ".join(cell for cell in cells if cell))
        return "\n" + "\n".join(line for line in lines if line) + "\n"

    return re.sub(r"<table.*?</table>", rows, markdown, flags=re.IGNORECASE | re.DOTALL)


def _inline(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _MATH.sub(lambda match: _formula_text(match.group(1)), text)
    text = _EMPHASIS.sub(r"\2", text)
    text = re.sub(r"<[/]?(?:html|body|sup|sub|span|br)[^>]*>", "", text, flags=re.IGNORECASE)
    text = text.replace("\\*", "*").replace("\\_", "_").replace("\\~", "~")
    return text.rstrip()


def _formula_text(formula: str) -> str:
    """A formula's symbols as a PDF viewer would copy them, roughly: no commands or braces."""
    for command, symbol in _LATEX_SYMBOL.items():
        formula = formula.replace(command, symbol)
    formula = _LATEX_COMMAND.sub("", formula)
    formula = _LATEX_OTHER.sub("", formula)
    formula = re.sub(r"[{}^_]", "", formula)
    # LaTeX spaces out every character: "2 0 1 4" → "2014", "C D 4" → "CD4".
    formula = re.sub(r"\s+", "", formula)
    return f" {formula} " if formula else ""
