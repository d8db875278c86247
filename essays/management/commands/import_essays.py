"""Import source documents (.txt, .md, .docx; or folders of them) into collections.

Each document is read, parsed and written in its own transaction by default: a bad one
is reported on stderr as ``FILE: reason`` and the others are imported; the exit status
is non-zero if any failed. With ``--atomic`` every document is parsed first and all are
written in one transaction, or none. A document is identified by its content
fingerprint, its file name with its title, or an explicit ``X(共N篇)`` heading (see
``essays.services.identity``). Each document's transaction sends one corpus event
(:mod:`essays.signals`); they form one batch, so the search index is written once, at
the end.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from essays.importer import SUPPORTED_SUFFIXES, parse_document
from essays.importer.parsed import ParsedEssay, SourceError
from essays.services.imports import (
    ACTION_LABELS,
    MAX_SOURCE_BYTES,
    Action,
    DocumentReport,
    SourceDocument,
    document_import,
    documents_import,
    write_error_message,
)
from essays.signals import corpus_batch

#: Document totals in the summary, with the failures.
_DOCUMENT_LABELS = {**ACTION_LABELS, "failed": "失败"}


class Command(BaseCommand):
    """``import_essays PATH [PATH…] [--dry-run] [--force] [--atomic]``."""

    help = "导入源文档（.txt UTF-8/GB18030、.md、.docx，或包含它们的目录），逐个文档写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the paths and options."""
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="要导入的源文档，或包含源文档的目录。"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只显示每个文档将新建还是更新哪个文集（及原因）、各篇的动作和大纲，不写入。",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="覆盖编辑在上次导入后修改过的文章（编辑选定的主题仍然保留）。",
        )
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="不更新搜索索引（之后运行 rebuild_index_swapped 重建）。",
        )
        parser.add_argument(
            "--atomic",
            action="store_true",
            help="全部成功才写入：任何一个文档有问题，就一个也不导入。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Import every document; report failures as ``FILE: reason`` on stderr."""
        self.verbosity = int(options["verbosity"])
        self.options = options
        paths = self._paths(options["paths"])
        # One corpus event per document (its own transaction); search writes the index
        # once, at the end of the batch (or not at all with --no-index).
        with corpus_batch(reindex=not options["no_index"]):
            if options["atomic"]:
                reports, documents, failures = self._import_atomic(paths)
            else:
                reports, documents, failures = self._import_each(paths)
        for report, document in zip(reports, documents, strict=True):
            self._report(report, document.parsed.essays)
        self._summary(reports, failures)
        if failures:
            raise CommandError(
                f"{len(failures)} 个文档没有导入（原因见上）。"
                + ("已全部撤销。" if options["atomic"] else ""),
                returncode=1,
            )

    def _paths(self, raw_paths: list[str]) -> list[Path]:
        paths: list[Path] = []
        for raw in raw_paths:
            path = Path(raw)
            if path.is_dir():
                found = sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                )
                paths.extend(found or [path])
            else:
                paths.append(path)
        return paths

    def _progress(self, total: int) -> Any:
        from tqdm import tqdm

        quiet = self.verbosity < 1 or total < 2 or not sys.stderr.isatty()
        return tqdm(total=total, file=sys.stderr, disable=quiet, unit="篇文档", leave=False)

    def _import_each(
        self, paths: list[Path]
    ) -> tuple[list[DocumentReport], list[SourceDocument], list[str]]:
        reports, documents, failures = [], [], []
        with self._progress(len(paths)) as bar:
            for path in paths:
                bar.update(1)
                try:
                    document = self._read(path)
                    report = self._write_one(document)
                except SourceError as error:
                    failures.append(self._fail(str(error)))
                    continue
                reports.append(report)
                documents.append(document)
        return reports, documents, failures

    def _write_one(self, document: SourceDocument) -> DocumentReport:
        try:
            with transaction.atomic():
                report = document_import(
                    document=document, force=self.options["force"], dry_run=self.options["dry_run"]
                )
                if self.options["dry_run"]:
                    transaction.set_rollback(True)
        except (ValidationError, DatabaseError) as error:
            raise SourceError(
                f"{document.path}：写入数据库失败，已撤销这个文档：{error}"
            ) from error
        return report

    def _import_atomic(
        self, paths: list[Path]
    ) -> tuple[list[DocumentReport], list[SourceDocument], list[str]]:
        documents, failures = [], []
        with self._progress(len(paths)) as bar:
            for path in paths:
                bar.update(1)
                try:
                    documents.append(self._read(path))
                except SourceError as error:
                    failures.append(self._fail(str(error)))
        if failures:
            return [], [], failures
        try:
            reports = documents_import(
                documents=documents, force=self.options["force"], dry_run=self.options["dry_run"]
            )
        except (ValidationError, DatabaseError) as error:
            raise CommandError(
                f"写入数据库失败，已全部撤销：{write_error_message(error)}", returncode=1
            ) from error
        return reports, documents, []

    def _fail(self, message: str) -> str:
        self.stderr.write(f"错误：{message}")
        return message

    def _read(self, path: Path) -> SourceDocument:
        if not path.exists():
            raise SourceError(f"{path}：文件不存在。")
        if path.is_dir():
            raise SourceError(f"{path}：这是一个目录，其中没有可导入的源文档。")
        try:
            size = path.stat().st_size
            if size > MAX_SOURCE_BYTES:
                raise SourceError(
                    f"{path}：文件过大（{size // 1024 // 1024} MB），上限为 "
                    f"{MAX_SOURCE_BYTES // 1024 // 1024} MB。"
                )
            data = path.read_bytes()
        except OSError as error:
            raise SourceError(f"{path}：无法读取文件（{error.strerror}）。") from error
        try:
            parsed = parse_document(data, path.name)
        except SourceError as error:
            message = str(error)
            prefix = f"{path.name}："
            raise SourceError(f"{path}：{message.removeprefix(prefix)}") from error
        if self.verbosity >= 2:
            self.stdout.write(f"已解析 {path}：{len(parsed.essays)} 篇")
        return SourceDocument(parsed=parsed, source_name=path.name, data=data, path=str(path))

    def _report(self, report: DocumentReport, essays: list[ParsedEssay]) -> None:
        if self.verbosity < 1:
            return
        if report.collection_created:
            state = f"新文集：{report.identity_reason}"
        else:
            state = f"更新文集 #{report.collection_id}：{report.identity_reason}"
        self.stdout.write(f"《{report.title}》（{report.source_name}，{state}）")
        by_number = {essay.number: essay for essay in essays}
        for outcome in report.outcomes:
            topics = "、".join(outcome.topics) or "无"
            line = (
                f"  篇{outcome.number} {ACTION_LABELS[outcome.action]}：{outcome.title}"
                f"（主题：{topics}）"
            )
            if outcome.reason:
                line += f" —— {outcome.reason}"
            self.stdout.write(line)
            if self.options["dry_run"] or self.verbosity >= 2:
                self._outline(by_number[outcome.number])
        for number in report.not_in_source:
            self.stdout.write(f"  篇{number} 保留：源文档中已没有这一篇，数据库中的保持不变")

    def _outline(self, essay: ParsedEssay) -> None:
        if essay.subtitle:
            self.stdout.write(f"      副标题：{essay.subtitle}")
        if essay.keywords:
            self.stdout.write(f"      关键词：{'、'.join(essay.keywords)}")
        for section in essay.sections:
            indent = "  " * section.level
            label = f"{section.number} " if section.number else ""
            heading = section.heading or "（无标题）"
            self.stdout.write(f"    {indent}{label}{heading}")
        if essay.references:
            self.stdout.write(f"      参考文献 {len(essay.references)} 条")

    def _summary(self, reports: list[DocumentReport], failures: list[str]) -> None:
        if self.verbosity < 1:
            return
        counts = {action: sum(r.count(action) for r in reports) for action in Action}
        parts = "，".join(f"{ACTION_LABELS[a]} {counts[a]} 篇" for a in Action)
        documents = {a: sum(1 for r in reports if r.status == a) for a in Action}
        totals = "，".join(f"{ACTION_LABELS[a]} {documents[a]}" for a in Action)
        totals += f"，{_DOCUMENT_LABELS['failed']} {len(failures)}"
        prefix = "试运行（未写入）" if self.options["dry_run"] else "完成"
        line = f"{prefix}：{len(reports)} 个文档，{parts}。文档：{totals}。"
        style = self.style.WARNING if failures else self.style.SUCCESS
        self.stdout.write(style(line))
