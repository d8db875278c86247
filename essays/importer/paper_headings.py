"""Recognise the headings of a paper's body: numbered ``1`` / ``2.2`` / ``2.2.1`` (glued to
their heading or not), Chinese ``一、`` / ``（一）``, and the unnumbered 引言 / 结论 / 致谢 ….

A numbered heading must continue the paper's numbering (the next number at its depth,
allowing one the PDF lost), which tells it apart from a sentence that starts with a
number; figure and table captions and formula remnants are never headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import paper_marks
from .patterns import CJK, CN_NUMERALS

#: A heading is at most this long; a longer line only starts with its heading.
MAX_HEADING = 40
_ARABIC = re.compile(
    r"^(?P<number>\d{1,2}(?:\s?[.．]\s?\d{1,2}){0,3})(?P<sep>[.．、]?)\s*(?P<rest>\S.*)$"
)
_QUANTITY = re.compile(
    r"^(?:[.．]\d|[%‰°℃~～\-—]|[年月日岁倍例]|个(?![体人性])|次(?![生级序])|名(?![称词])|"
    r"(?:万|亿|小时|分钟|mm|cm|km|kg|mg|ml|mL|ms|Hz|kHz|MHz|GHz|dB)(?![A-Za-z]))"
)
#: A table row copied as text ends with numbers in cells: ``1 浙江大学 172``.
_TABLE_ROW = re.compile(r"\s[-+]?\d+(?:[.．]\d+)?%?$")
#: Another numbered item later on the same line.
_STEPS = re.compile(r"[^\d.．]\d{1,2}[.．、](?![\d])")
#: ``1）…`` / ``2)…``: list-style numbering used for low-level headings.
_CLOSE_PAREN = re.compile(r"^(?P<number>\d{1,2})\s*[)）]\s*(?P<rest>\S.*)$")
_CN = re.compile(rf"^(?P<number>[{CN_NUMERALS}]{{1,3}})\s*[、.．]\s*(?P<rest>\S.*)$")
_CN_PAREN = re.compile(rf"^(?P<number>[(（][{CN_NUMERALS}]{{1,3}}[)）])\s*[、]?\s*(?P<rest>\S.*)$")
_SENTENCE = re.compile(r"[。；;！!？?]|[:：](?=.)")
#: Words a Chinese heading often ends with, where its text starts when glued to it.
_HEADING_END = re.compile(
    r"(?:的确定|的构建|的选择|的计算|的建立|的设计|分析|研究|方法|模型|设计|结果|讨论|结论|概述|原理|"
    r"构建|现状|问题|对策|建议|意义|评价|实验|试验|测试|验证|应用|计算|选择|来源|处理|统计|指标|"
    r"框架|体系|流程|步骤|算法|仿真|概况|材料|对象|背景|展望|总结|定义|特征|机制|策略|思路)"
)


@dataclass
class Heading:
    """A recognised heading: printed number, depth from it, heading text and text after it."""

    number: str
    depth: int
    heading: str
    text: str = ""
    style: str = "arabic"


class Numbering:
    """The paper's numbering so far; says whether a number continues it."""

    def __init__(self) -> None:
        self.last: list[int] = []
        #: The last ``N）`` item number under the current numbered heading.
        self.item = 0

    def fits(self, parts: list[int]) -> bool:
        """Whether ``parts`` (``[2, 1]`` for 2.1) can come next."""
        if not self.last:
            return (len(parts) == 1 and parts[0] in (0, 1, 2)) or parts[:1] in ([0], [1])
        depth = len(parts)
        prefix = self.last[: depth - 1]
        if depth == 1:
            return self.last[0] < parts[0] <= self.last[0] + 2
        if parts[: depth - 1] == prefix and len(prefix) == depth - 1:
            current = self.last[depth - 1] if len(self.last) >= depth else 0
            return current < parts[-1] <= current + 2
        # A level the PDF lost (``2.1.1`` right after ``2``).
        if parts[: len(self.last)] == self.last and all(p <= 2 for p in parts[len(self.last) :]):
            return True
        # A new parent the PDF lost (``3.1`` right after ``2.4``).
        return bool(parts[0] == self.last[0] + 1 and all(p <= 2 for p in parts[1:]))

    def take(self, parts: list[int]) -> None:
        """Record ``parts`` as the latest number."""
        self.last = list(parts)
        self.item = 0


def arabic_heading(line: str, numbering: Numbering, *, marked: bool = False) -> Heading | None:
    """A numbered heading (``1引言``, ``2.2 评价指标``, ``2.2.1常权重…假设由…``) or None."""
    match = _ARABIC.match(line)
    if not match:
        return None
    number = re.sub(r"\s", "", match.group("number")).replace("．", ".")
    rest = match.group("rest").strip()
    if _QUANTITY.match(rest) or not _heading_like(rest) or _TABLE_ROW.search(rest):
        return None
    if not marked and _STEPS.search(rest[:MAX_HEADING]):
        return None  # ``3.建立模型 4.数值仿真``: the steps of a flow chart, not a heading
    parts = [int(p) for p in number.split(".")]
    if not marked and not numbering.fits(parts):
        return None
    heading, text = split_heading(rest)
    if not heading:
        return None
    numbering.take(parts)
    return Heading(number=number, depth=len(parts), heading=heading, text=text)


def close_paren_heading(line: str, numbering: Numbering, *, marked: bool = False) -> Heading | None:
    """``1）中美科学基金项目``: a short heading one level below the current numbered one."""
    match = _CLOSE_PAREN.match(line)
    if not match or not _heading_like(match.group("rest")):
        return None
    value = int(match.group("number"))
    if not marked and (
        value not in (1, numbering.item + 1) or len(line) > MAX_HEADING or _SENTENCE.search(line)
    ):
        return None
    heading, text = split_heading(match.group("rest").strip())
    if not heading:
        return None
    numbering.item = value
    return Heading(
        number=f"{value})", depth=len(numbering.last) + 1, heading=heading, text=text, style="item"
    )


def chinese_heading(line: str) -> Heading | None:
    """``一、…`` (depth 1) or ``（一）…`` (depth 2)."""
    for pattern, depth, style in ((_CN, 1, "cn"), (_CN_PAREN, 2, "cn-paren")):
        match = pattern.match(line)
        if match:
            heading, text = split_heading(match.group("rest"))
            if heading:
                return Heading(
                    number=match.group("number"),
                    depth=depth,
                    heading=heading,
                    text=text,
                    style=style,
                )
    return None


def plain_heading(line: str) -> Heading | None:
    """An unnumbered 引言 / 结论 / 讨论 / 致谢 / 附录 … line."""
    match = paper_marks.PLAIN_HEADING.match(line)
    if not match:
        return None
    heading = re.sub(r"\s", "", match.group("heading"))
    return Heading(
        number="", depth=1, heading=heading, text=(match.group("text") or "").strip(), style="plain"
    )


def split_heading(rest: str) -> tuple[str, str]:
    """Split a heading from text on the same line; ("", rest) if no heading fits."""
    if len(rest) <= MAX_HEADING and not _SENTENCE.search(rest):
        return rest, ""
    space = re.search(r"\s+", rest)
    if space and 2 <= space.start() <= MAX_HEADING and not _SENTENCE.search(rest[: space.start()]):
        return rest[: space.start()], rest[space.end() :].strip()
    sentence = _SENTENCE.search(rest)
    if sentence and 2 <= sentence.start() <= MAX_HEADING:
        return rest[: sentence.start()], rest[sentence.end() :].strip()
    for end in _HEADING_END.finditer(rest[: MAX_HEADING + 4]):
        if 4 <= end.end() <= MAX_HEADING and len(rest) - end.end() >= 8:
            return rest[: end.end()], rest[end.end() :].strip()
    return "", rest


def _heading_like(rest: str) -> bool:
    """Starts with words, not a formula remnant: Chinese, or an English word."""
    if paper_marks.CAPTION.match(rest):
        return False
    head = rest[:12]
    # Lower-case English starts pseudo-code (``3 if … then``), never a heading.
    if re.match(rf"^[{CJK}“《(（A-Z]", head) is None:
        return False
    words = sum(1 for ch in head if ch.isalpha())
    return words >= max(2, len(head) // 2)
