"""Field sizes a parsed document must fit, checked while parsing (never at write time).

The limits are the database columns' (``essays.models``; a test keeps them equal), so a
document that passes the preview can always be written.
"""

from __future__ import annotations

from .parsed import ParsedDocument, SourceError

#: (what, field) → the column's max_length and the field's Chinese name.
LIMITS: dict[tuple[str, str], tuple[int, str]] = {
    ("collection", "title"): (500, "文集标题"),
    ("essay", "title"): (500, "标题"),
    ("essay", "subtitle"): (500, "副标题"),
    ("section", "number"): (40, "章节编号"),
    ("section", "heading"): (500, "章节标题"),
    ("reference", "label"): (40, "参考文献序号"),
    ("reference", "kind"): (10, "文献类型"),
    ("reference", "authors"): (1000, "参考文献作者"),
    ("reference", "title"): (1000, "参考文献题名"),
    ("reference", "publisher"): (500, "出版者或刊名"),
    ("reference", "place"): (200, "出版地"),
}

#: The largest essay number the database stores (a positive small integer).
MAX_ESSAY_NUMBER = 32767


def bounds_problems(document: ParsedDocument) -> list[str]:
    """Every field of the document that would not fit its column, as ``篇N《…》：字段：原因``."""
    problems = []
    collection_limit, name = LIMITS[("collection", "title")]
    if len(document.title) > collection_limit:
        problems.append(_problem("文集", name, len(document.title), collection_limit))
    for essay in document.essays:
        where = f"篇{essay.number}《{_short(essay.title)}》"
        if not 1 <= essay.number <= MAX_ESSAY_NUMBER:
            problems.append(f"{where}：篇号：{essay.number} 超出范围 1–{MAX_ESSAY_NUMBER}")
        for field in ("title", "subtitle"):
            problems.extend(_check(where, "essay", field, getattr(essay, field)))
        for index, section in enumerate(essay.sections, start=1):
            for field in ("number", "heading"):
                problems.extend(
                    _check(f"{where}第 {index} 节", "section", field, getattr(section, field))
                )
        for index, reference in enumerate(essay.references, start=1):
            for field in ("label", "kind", "authors", "title", "publisher", "place"):
                problems.extend(
                    _check(
                        f"{where}参考文献 {index}", "reference", field, getattr(reference, field)
                    )
                )
    return problems


def check_bounds(document: ParsedDocument) -> None:
    """Raise ``SourceError`` naming each field of the document that is out of bounds."""
    problems = bounds_problems(document)
    if problems:
        shown = "；".join(problems[:5])
        more = f"；另有 {len(problems) - 5} 处" if len(problems) > 5 else ""
        raise SourceError(f"{shown}{more}。")


def _check(where: str, what: str, field: str, value: str) -> list[str]:
    limit, name = LIMITS[(what, field)]
    if len(value) <= limit:
        return []
    return [_problem(where, name, len(value), limit)]


def _problem(where: str, name: str, length: int, limit: int) -> str:
    return f"{where}：{name}：长 {length} 字，超过上限 {limit} 字"


def _short(text: str, length: int = 30) -> str:
    return text if len(text) <= length else text[:length] + "…"
