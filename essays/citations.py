"""Citing an essay and exporting its reference list: BibTeX, RIS, CSL-JSON and GB/T 7714.

Pure functions over loaded rows. Each exported entry keeps the reference as printed in a
note, so nothing the parser could not place is lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from essays.models import Essay, Reference

SITE_NAME = "文章库"

# GB/T 7714 document type letter → each format's type.
_BIBTEX_TYPES = {"M": "book", "J": "article", "D": "phdthesis", "C": "inproceedings"}
_RIS_TYPES = {
    "M": "BOOK",
    "J": "JOUR",
    "N": "NEWS",
    "D": "THES",
    "C": "CONF",
    "R": "RPRT",
    "S": "STAND",
    "P": "PAT",
    "EB": "ELEC",
}
_CSL_TYPES = {
    "M": "book",
    "J": "article-journal",
    "N": "article-newspaper",
    "D": "thesis",
    "C": "paper-conference",
    "R": "report",
    "S": "standard",
    "P": "patent",
    "EB": "webpage",
}


def authors(reference: Reference) -> list[str]:
    """The reference's authors as separate names (split on commas and 、)."""
    return [name.strip() for name in re.split(r"[,，、;；]", reference.authors) if name.strip()]


def _kind(reference: Reference) -> str:
    return reference.kind.split("/")[0].upper()


def _title(reference: Reference) -> str:
    return reference.title or reference.text


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIAL))
#: Every character that ends a line somewhere: a RIS reader would start a new tag there.
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def _bibtex_escape(value: str) -> str:
    """``value`` with BibTeX's special characters escaped, each once (one pass, so the
    braces of ``\\textbackslash{}`` are not escaped again), on one line."""
    value = _LINE_BREAKS.sub(" ", value)
    return _BIBTEX_SPECIAL_RE.sub(lambda match: _BIBTEX_SPECIAL[match.group(0)], value)


def _ris_value(value: str) -> str:
    """``value`` on one line: a line break of any kind (CR, LF, U+2028 …) inside a value
    would let the text after it pass for a tag (``ER  -`` ends the record)."""
    return _LINE_BREAKS.sub(" ", value).strip()


def bibtex(essay: Essay, references: Iterable[Reference]) -> str:
    """The references as BibTeX entries, keyed ``essay<id>-ref<order>``."""
    entries = []
    for reference in references:
        kind = _kind(reference)
        entry_type = _BIBTEX_TYPES.get(kind, "misc")
        fields: list[tuple[str, str]] = [("title", _title(reference))]
        if reference.authors:
            fields.append(("author", " and ".join(authors(reference))))
        if reference.publisher:
            fields.append(("journal" if kind == "J" else "publisher", reference.publisher))
        if reference.place:
            fields.append(("address", reference.place))
        if reference.year:
            fields.append(("year", str(reference.year)))
        fields.append(("note", reference.text))
        body = ",\n".join(f"  {name} = {{{_bibtex_escape(value)}}}" for name, value in fields)
        entries.append(f"@{entry_type}{{essay{essay.pk}-ref{reference.order},\n{body}\n}}\n")
    return "\n".join(entries)


def ris(references: Iterable[Reference]) -> str:
    """The references as RIS records (CRLF line ends, as the format asks)."""
    lines: list[str] = []
    for reference in references:
        kind = _kind(reference)
        lines.append(f"TY  - {_RIS_TYPES.get(kind, 'GEN')}")
        lines.extend(f"AU  - {_ris_value(name)}" for name in authors(reference))
        lines.append(f"TI  - {_ris_value(_title(reference))}")
        if reference.publisher:
            lines.append(f"{'JO' if kind == 'J' else 'PB'}  - {_ris_value(reference.publisher)}")
        if reference.place:
            lines.append(f"CY  - {_ris_value(reference.place)}")
        if reference.year:
            lines.append(f"PY  - {reference.year}")
        lines.append(f"N1  - {_ris_value(reference.text)}")
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines)


def csl_json(essay: Essay, references: Iterable[Reference]) -> str:
    """The references as a CSL-JSON array (UTF-8, Chinese kept as is)."""
    items: list[dict[str, Any]] = []
    for reference in references:
        kind = _kind(reference)
        item: dict[str, Any] = {
            "id": f"essay{essay.pk}-ref{reference.order}",
            "type": _CSL_TYPES.get(kind, "document"),
            "title": _title(reference),
            "note": reference.text,
        }
        if reference.authors:
            item["author"] = [{"literal": name} for name in authors(reference)]
        if reference.publisher:
            item["container-title" if kind == "J" else "publisher"] = reference.publisher
        if reference.place:
            item["publisher-place"] = reference.place
        if reference.year:
            item["issued"] = {"date-parts": [[reference.year]]}
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def essay_title(essay: Essay) -> str:
    """The essay's display title with its subtitle (GB/T 7714 joins them with ：)."""
    subtitle = essay.subtitle.lstrip("—－- ")
    return essay.display_title + (f"：{subtitle}" if subtitle else "")


def _revised(essay: Essay) -> date | None:
    return essay.updated_at.date() if essay.updated_at else None


def _essay_note(essay: Essay) -> str:
    """Where the essay stands in its collection, and its printed title when it differs."""
    note = f"《{essay.collection.title}》第 {essay.number} 篇"
    if essay.display_title != essay.title:
        note += f"；原题：{essay.title}"
    return note


def essay_bibtex(essay: Essay, *, url: str, accessed: date) -> str:
    """The essay itself as one BibTeX ``@online`` entry keyed ``essay<id>``."""
    revised = _revised(essay)
    fields: list[tuple[str, str]] = [
        ("title", essay_title(essay)),
        ("booktitle", essay.collection.title),
        ("organization", SITE_NAME),
        ("publisher", SITE_NAME),
    ]
    if revised:
        fields += [("year", str(revised.year)), ("date", revised.isoformat())]
    fields += [
        ("url", url),
        ("urldate", accessed.isoformat()),
        ("language", "chinese"),
        ("note", _essay_note(essay)),
    ]
    if essay.keyword_list:
        fields.append(("keywords", ", ".join(essay.keyword_list)))
    body = ",\n".join(
        f"  {name} = {{{value if name == 'url' else _bibtex_escape(value)}}}"
        for name, value in fields
    )
    return f"@online{{essay{essay.pk},\n{body}\n}}\n"


def essay_ris(essay: Essay, *, url: str, accessed: date) -> str:
    """The essay itself as one RIS record (an electronic source, ``TY  - ELEC``)."""
    revised = _revised(essay)
    lines = [
        "TY  - ELEC",
        f"TI  - {_ris_value(essay_title(essay))}",
        f"T2  - {_ris_value(essay.collection.title)}",
        f"PB  - {SITE_NAME}",
    ]
    if revised:
        lines += [f"PY  - {revised.year}", f"DA  - {revised.strftime('%Y/%m/%d')}"]
    lines += [f"UR  - {_ris_value(url)}", f"Y2  - {accessed.strftime('%Y/%m/%d')}", "LA  - zh"]
    lines += [f"KW  - {_ris_value(keyword)}" for keyword in essay.keyword_list]
    lines += [f"N1  - {_ris_value(_essay_note(essay))}", "ER  - ", ""]
    return "\r\n".join(lines)


def essay_csl(essay: Essay, *, url: str, accessed: date) -> dict[str, Any]:
    """The essay itself as one CSL-JSON item (a web page in a collection)."""
    revised = _revised(essay)
    item: dict[str, Any] = {
        "id": f"essay{essay.pk}",
        "type": "webpage",
        "title": essay_title(essay),
        "container-title": essay.collection.title,
        "collection-title": essay.collection.title,
        "collection-number": str(essay.number),
        "publisher": SITE_NAME,
        "URL": url,
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
        "language": "zh-CN",
        "note": _essay_note(essay),
    }
    if revised:
        item["issued"] = {"date-parts": [[revised.year, revised.month, revised.day]]}
    if essay.keyword_list:
        item["keyword"] = ", ".join(essay.keyword_list)
    return item


def essay_csl_json(essay: Essay, *, url: str, accessed: date) -> str:
    """The essay itself as a CSL-JSON array of one item."""
    items = [essay_csl(essay, url=url, accessed=accessed)]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def gbt7714_parts(essay: Essay, *, url: str, accessed: date) -> list[tuple[str, bool]]:
    """The GB/T 7714 citation of ``essay`` as pieces, each flagged True when it is text an
    editor wrote (the page shows those isolated, so no title can reverse the line)."""
    revised = _revised(essay)
    revision = f"({revised.isoformat()})" if revised else ""
    return [
        (essay_title(essay), True),
        (f"（篇{essay.number}）[EB/OL]//", False),
        (essay.collection.title, True),
        (f". {SITE_NAME}, {revision}[{accessed.isoformat()}]. {url}.", False),
    ]


def gbt7714(essay: Essay, *, url: str, accessed: date) -> str:
    """How to cite ``essay`` in GB/T 7714-2015 form, as an online document ([EB/OL]).

    The essays print no author, so the entry starts with the title (the display title,
    so that essays printed under one collection title are told apart); the collection is
    the source it was published in, the last update is the revision date.
    """
    return "".join(text for text, _ in gbt7714_parts(essay, url=url, accessed=accessed))
