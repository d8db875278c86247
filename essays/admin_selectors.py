"""Reads for the editors' admin: list columns, edited essays, history entries, deletions.

Each selector runs a fixed number of queries, however many essays or records it covers.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from essays.content import content_fingerprint, stored_essay_content
from essays.models import Essay, Reference, Section

#: Unchanged text longer than this is shortened around a change in a diff.
DIFF_CONTEXT = 30


def _count(model: type[Section] | type[Reference]) -> Coalesce:
    rows = (
        model.objects.filter(essay=OuterRef("pk"))
        .order_by()
        .values("essay")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def essays_with_counts(essays: QuerySet[Essay]) -> QuerySet[Essay]:
    """``essays`` annotated with ``section_total`` and ``reference_total`` (subqueries)."""
    return essays.annotate(section_total=_count(Section), reference_total=_count(Reference))


def essay_ids_edited_since_import(essays: QuerySet[Essay]) -> list[int]:
    """Ids of the imported essays whose content differs from what the importer wrote.

    Three queries: the essays, all their sections, all their references.
    """
    rows = list(essays.exclude(import_fingerprint="").order_by())
    ids = [essay.pk for essay in rows]
    sections: dict[int, list[Section]] = defaultdict(list)
    for section in Section.objects.filter(essay_id__in=ids).order_by("essay_id", "order"):
        sections[section.essay_id].append(section)
    references: dict[int, list[Reference]] = defaultdict(list)
    for reference in Reference.objects.filter(essay_id__in=ids).order_by("essay_id", "order"):
        references[reference.essay_id].append(reference)
    return [
        essay.pk
        for essay in rows
        if content_fingerprint(
            stored_essay_content(
                essay, sections=sections[essay.pk], references=references[essay.pk]
            )
        )
        != essay.import_fingerprint
    ]


def deleted_essays() -> list[Any]:
    """The last (deletion) record of every essay that is deleted now, newest first."""
    latest = Essay.history.latest_of_each().filter(history_type="-")
    return sorted(
        Essay.history.filter(history_id__in=[r.history_id for r in latest]).select_related(
            "history_user"
        ),
        key=lambda record: record.history_date,
        reverse=True,
    )


# History entries --------------------------------------------------------------------------


def text_diff(old: Any, new: Any) -> SafeString:
    """``old`` → ``new`` as escaped HTML: removed text in <del>, added text in <ins>."""
    old_text = "" if old is None else str(old)
    new_text = "" if new is None else str(new)
    matcher = difflib.SequenceMatcher(a=old_text, b=new_text, autojunk=False)
    parts: list[SafeString] = []
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = old_text[i1:i2]
            if len(same) > 2 * DIFF_CONTEXT:
                head = same[:DIFF_CONTEXT] if index > 0 else ""
                tail = same[-DIFF_CONTEXT:] if index < len(opcodes) - 1 else ""
                same = f"{head}…{tail}"
            parts.append(format_html("{}", same))
            continue
        if tag in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", old_text[i1:i2]))
        if tag in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", new_text[j1:j2]))
    return format_html_join("", "{}", ((part,) for part in parts))


@dataclass
class FieldChange:
    """One changed field: its Chinese name and the diff."""

    label: str
    diff: SafeString


@dataclass
class RowChange:
    """A section or reference added, changed or deleted in one version."""

    kind: str  # 章节 / 参考文献
    action: str  # 新增 / 修改 / 删除
    label: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class HistoryEntry:
    """One version of an essay: who saved it when, and what changed."""

    record: Any
    changes: list[FieldChange] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)
    is_current: bool = False


_SKIP = {"id", "essay", "updated_at", "created_at", "import_fingerprint", "imported_at"}
_ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}


def _field_changes(model: type, old: Any, new: Any) -> list[FieldChange]:
    delta = new.diff_against(old, foreign_keys_are_objs=False)
    changes = []
    for change in delta.changes:
        if change.field in _SKIP:
            continue
        label = str(model._meta.get_field(change.field).verbose_name)
        if change.field == "topics":
            names = {t.pk: t.name for t in _topics(change.old, change.new)}
            old_names = "、".join(names.get(r["topic"], "?") for r in change.old) or "无"
            new_names = "、".join(names.get(r["topic"], "?") for r in change.new) or "无"
            diff = format_html("{} → {}", old_names, new_names)
        elif change.field == "parent":
            diff = format_html("{} → {}", change.old or "无", change.new or "无")
        else:
            diff = text_diff(change.old, change.new)
        changes.append(FieldChange(label=label, diff=diff))
    return changes


def _topics(*row_lists: list[dict[str, Any]]) -> list[Any]:
    from essays.models import Topic

    ids = {row["topic"] for rows in row_lists for row in rows}
    return list(Topic.objects.filter(pk__in=ids))


def _row_label(record: Any) -> str:
    if isinstance(record.instance, Section):
        return str(record.instance)
    return f"{record.label or record.order} {record.text[:40]}"


def _row_changes(model: type, essay_id: int) -> list[tuple[datetime, RowChange]]:
    """Every change to the essay's rows of ``model``, with when it happened."""
    kind = str(model._meta.verbose_name)
    previous: dict[int, Any] = {}
    changes = []
    for record in model.history.filter(essay_id=essay_id).order_by("history_date", "history_id"):
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_type == "~" and before is not None:
            fields = _field_changes(model, before, record)
            if not fields:
                continue
            change = RowChange(kind, "修改", _row_label(record), fields)
        elif record.history_type == "~":
            continue  # a baseline: nothing changed
        else:
            change = RowChange(kind, _ACTIONS[record.history_type], _row_label(record))
        changes.append((record.history_date, change))
    return changes


def essay_history_entries(essay_id: int) -> list[HistoryEntry]:
    """The essay's versions, newest first, each with its own and its rows' changes."""
    records = list(
        Essay.history.filter(id=essay_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    row_changes = sorted(
        _row_changes(Section, essay_id) + _row_changes(Reference, essay_id),
        key=lambda item: item[0],
    )
    entries: list[HistoryEntry] = []
    position = 0
    for index, record in enumerate(records):
        entry = HistoryEntry(record=record)
        if index > 0 and record.history_type != "-":
            entry.changes = _field_changes(Essay, records[index - 1], record)
        while position < len(row_changes) and row_changes[position][0] <= record.history_date:
            if index > 0:  # rows before the first version are part of it
                entry.rows.append(row_changes[position][1])
            position += 1
        entries.append(entry)
    if entries and entries[-1].record.history_type != "-":
        entries[-1].is_current = True
    return list(reversed(entries))
