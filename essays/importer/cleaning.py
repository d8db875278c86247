"""Remove extraction noise: site boilerplate, page numbers, OCR-spaced digits, broken lines."""

from __future__ import annotations

import re
import unicodedata

from essays.validation import strip_control_characters

from . import patterns

#: Lines the scraping site adds to every document.
_BOILERPLATE_LINE = re.compile(
    r"^(合集下载|文档下载|下载文档)$|下载文档前请自行甄别|仅部分预览|侵犯您的权益|人工客服工作时间"
)
#: A line that starts the site's trailing lists of other documents; all after it is noise.
_TRAILING_BLOCK = re.compile(r"^(相关文档|最新文档|相关推荐|猜你喜欢)$|推荐阅读\s*[::]?$")
#: A line that is only a page number: "3", "- 3 -", "第3页", "3/12".
_PAGE_NUMBER_LINE = re.compile(r"^(-\s*\d{1,4}\s*-|第\s*\d{1,4}\s*页|\d{1,4}(\s*/\s*\d{1,4})?)$")
#: Single digits separated by single spaces, as OCR spaces them: "2 0 0 3".
_SPACED_DIGITS = re.compile(r"(?<![\d.])\d(?: \d)+")
#: A page number left between two words of a sentence: "任何时 1 期".
_INLINE_PAGE_NUMBER = re.compile(rf"(?<=[{patterns.CJK}]) \d{{1,3}} (?=[{patterns.CJK}])")
#: A line of prose at least this long that stops without closing punctuation is broken.
_BROKEN_LINE_MIN_LENGTH = 40


#: Control characters that break a line (vertical tab, form feed, file/group/record separators).
_LINE_BREAKING_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1e\x85]")


def normalise_lines(text: str) -> list[str]:
    """Split text into NFC-normalised lines with surrounding white space removed.

    Control characters are not text: those that break a line (form feed between pages,
    vertical tab) become line breaks, the rest are dropped, so no imported field holds
    one (an editor could not save it, and the Atom feed cannot carry it).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_control_characters(_LINE_BREAKING_CONTROLS.sub("\n", text))
    text = unicodedata.normalize("NFC", text)
    return [line.replace("\u3000", " ").strip() for line in text.split("\n")]


def cut_trailing_block(lines: list[str]) -> list[str]:
    """Drop the site's trailing lists (相关文档, 最新文档, …推荐阅读:) and all that follows."""
    for index, line in enumerate(lines):
        if len(line) <= 40 and _TRAILING_BLOCK.search(line):
            return lines[:index]
    return lines


def is_noise_line(line: str, titles: set[str]) -> bool:
    """Whether a line is boilerplate, a lone page number or a repeated title."""
    return bool(_BOILERPLATE_LINE.search(line) or _PAGE_NUMBER_LINE.match(line) or line in titles)


def repair_digits(text: str) -> str:
    """Undo OCR digit spacing (``2 0 0 3年`` → ``2003年``) and drop page numbers in sentences."""
    text = _SPACED_DIGITS.sub(lambda match: match.group(0).replace(" ", ""), text)
    return _INLINE_PAGE_NUMBER.sub("", text)


def is_unfinished(line: str) -> bool:
    """Whether a line of prose stops mid-sentence (long, and no closing punctuation)."""
    return len(line) >= _BROKEN_LINE_MIN_LENGTH and not patterns.ends_sentence(line)


def join_broken_lines(lines: list[str]) -> list[str]:
    """Join lines broken mid-sentence, also across blank lines; return non-blank paragraphs.

    A line continues onto the next non-blank line when it is long and stops without
    closing punctuation, and the next line does not start a new block (a heading,
    a reference entry, an essay boundary). A heading line only continues when it
    already carries text after its heading sentence.
    """
    paragraphs: list[str] = []
    pending = ""
    for line in lines:
        if not line:
            continue
        if pending:
            if not patterns.starts_block(line):
                pending += line
                if is_unfinished(pending):
                    continue
                paragraphs.append(pending)
                pending = ""
                continue
            paragraphs.append(pending)
            pending = ""
        if is_unfinished(line) and _may_continue(line):
            pending = line
        else:
            paragraphs.append(line)
    if pending:
        paragraphs.append(pending)
    return paragraphs


def _may_continue(line: str) -> bool:
    if patterns.is_reference_line(line):
        return False
    if patterns.starts_block(line):
        return patterns.has_sentence_end(line)
    return True
