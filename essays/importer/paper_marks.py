"""The textual marks of a Chinese academic paper (GB/T 7713 layout), as copied from a PDF.

Front matter: column labels, journal and ISSN lines, 摘要 / 关键词 with trailing
classification numbers, the English title / Abstract / Key words block; headings
numbered ``1`` ``1.1`` ``1.1.1`` (often glued to the heading: ``1引言``); 参考文献.
"""

from __future__ import annotations

import re

from .patterns import CJK

_SP = r"[\s\u3000]*"
#: ``摘要：`` ``【摘要】`` ``[摘要]`` ``摘 要`` (anywhere in a front-matter line).
ABSTRACT = re.compile(
    rf"(?:[【\[［(（]{_SP}摘{_SP}要{_SP}[】\]］)）]|(?<![{CJK}])摘{_SP}要(?!{_SP}[】\]］])){_SP}[:：]?{_SP}"
)
#: ``关键词：`` ``关键字`` ``【关键词】`` ``[关键词]`` ``关 键 词``.
KEYWORDS = re.compile(
    rf"(?:[【\[［(（]{_SP}关{_SP}键{_SP}[词字]{_SP}[】\]］)）]|关{_SP}键{_SP}[词字]){_SP}[:：]?{_SP}"
)
#: Classification and identifier fields printed after the keywords (kept as metadata).
METADATA_FIELD = re.compile(
    r"[【\[［(（]?(?P<name>中图(?:法)?分类号|中文分类号|中国图书分类号|分类号|文献标[志识]码|文章编号|DOI|doi|"
    r"学科分类号|开放科学[^:：]*标识码)[】\]］)）]?\s*[:：]?\s*"
)
#: English front matter: ``Abstract`` ``Key words`` (also ``ey words`` with the K lost).
ENGLISH_ABSTRACT = re.compile(r"^[【\[［]?\s*(?:Abstract|ABSTRACT)\b\s*[】\]］]?\s*[:：]?\s*")
ENGLISH_KEYWORDS = re.compile(
    r"^[【\[［]?\s*(?:K?ey\s*[Ww]ords?|KEY\s*WORDS|Keywords?|KEYWORDS)\s*[】\]］]?\s*[:：]?\s*"
)
#: Lines above the title: DOI, ISSN/CN, volume and issue, a citation of the paper itself.
JOURNAL_LINE = re.compile(
    r"(?:ISSN|CN\s*\d{2}\s*-\s*\d{3,4}|^DOI|^doi|Vol\.|No\.|第\s*\d+\s*卷|第\s*\d+\s*期|"
    r"\d{4}\s*年\s*\d{1,2}\s*月|\d{4}\s*[,，]\s*\d+\s*[(（]\s*\d+\s*[)）]|引用格式|Citation|"
    r"收稿日期|基金项目|作者简介|网络出版)"
)
#: A column label: ``·指南与共识·``, ``【临床研究】``, or a short all-Chinese line (``综述``).
COLUMN_LABEL = re.compile(
    rf"^(?:(?:专题|专栏|栏目|特稿|特约稿)\s*[:：].*|[·•・]\s*[^·•・]{{1,12}}\s*[·•・]|[【\[［][{CJK}]{{2,10}}[】\]］]|[{CJK}]{{2,6}})$"
)
#: 参考文献 and its variants, alone on a line.
REFERENCES_HEADING = re.compile(
    r"^(?:[【\[［]?\s*(?:主要)?参\s*考\s*文\s*献\s*[】\]］]?\s*"
    r"(?:[(（]?\s*References?\s*[)）]?)?|References?|REFERENCES|Bibliography)\s*[:：]?\s*$"
)
#: Unnumbered headings of a paper (also with a trailing colon and text: ``致谢：感谢…``).
PLAIN_HEADING = re.compile(
    r"^(?P<heading>引\s*言|前\s*言|绪\s*论|概\s*述|结\s*论|结\s*语|小\s*结|总\s*结|讨\s*论|"
    r"致\s*谢|附\s*录|结论与展望|结论与讨论|总结与展望|讨论与结论|研究展望)"
    r"(?:\s*[:：]\s*(?P<text>.*))?$"
)
#: Figure and table captions, never headings.
CAPTION = re.compile(r"^(?:图|表|附图|附表|续表)\s*\d|^(?:Fig|Figure|Tab|Table)\s*\.?\s*\d", re.I)
#: Text that ends a reference list: appendices, the English block printed at the end.
REFERENCES_END = re.compile(
    r"^(?:附\s*录|作者简介|作者贡献|收稿日期|Appendix)|" + ENGLISH_ABSTRACT.pattern[1:]
)
#: What sits where the title is expected but is not the title.
NOT_TITLE = re.compile(
    r"^(?:作者|通讯作者|通信作者|编者按|\*|Corresponding|E-mail|Email|电话|Tel|C\s*hinaXiv)"
)


def cjk_count(text: str) -> int:
    """How many CJK ideographs the text has."""
    return sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")


def is_english(text: str) -> bool:
    """Mostly Latin letters (an English title, author or affiliation line)."""
    letters = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return letters >= 8 and cjk_count(text) * 4 < letters
