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


def _bibtex_escape(value: str) -> str:
    value = value.replace("\\", r"\textbackslash{}")
    value = re.sub(r"([{}&%$#_])", r"\\\1", value)
    return value.replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


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
        lines.extend(f"AU  - {name}" for name in authors(reference))
        lines.append(f"TI  - {_title(reference)}")
        if reference.publisher:
            lines.append(f"{'JO' if kind == 'J' else 'PB'}  - {reference.publisher}")
        if reference.place:
            lines.append(f"CY  - {reference.place}")
        if reference.year:
            lines.append(f"PY  - {reference.year}")
        lines.append(f"N1  - {reference.text}")
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(" ".join(line.split("\n")) for line in lines)


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


def gbt7714(essay: Essay, *, url: str, accessed: date) -> str:
    """How to cite ``essay`` in GB/T 7714-2015 form, as an online document ([EB/OL]).

    The essays print no author, so the entry starts with the title; the collection is
    the source it was published in, the last update is the revision date.
    """
    title = essay.title + (f"：{essay.subtitle.lstrip('—－- ')}" if essay.subtitle else "")
    updated = essay.updated_at.date().isoformat() if essay.updated_at else ""
    revision = f"({updated})" if updated else ""
    return (
        f"{title}（篇{essay.number}）[EB/OL]//{essay.collection.title}. {SITE_NAME}, "
        f"{revision}[{accessed.isoformat()}]. {url}."
    )
