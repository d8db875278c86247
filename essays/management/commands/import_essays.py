"""Import source documents (plain text) into collections, essays, sections and references.

Every document is parsed before anything is written; if any of them cannot be read or
parsed, the command reports why on stderr, exits non-zero and writes nothing. Otherwise
all documents are written in one transaction. A document is identified by its collection
title, so importing it again (even re-encoded) updates it in place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from essays.importer import parse_document
from essays.importer.parsed import ParsedEssay, SourceError
from essays.services.imports import (
    ACTION_LABELS,
    MAX_SOURCE_BYTES,
    Action,
    DocumentReport,
    SourceDocument,
    documents_import,
)


class Command(BaseCommand):
    """``import_essays PATH [PATH…] [--dry-run] [--force]``."""

    help = "导入纯文本源文档（UTF-8 或 GB18030），按文集标题新建或原地更新。"

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the paths and options."""
        parser.add_argument("paths", nargs="+", metavar="PATH", help="要导入的源文档（纯文本）。")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只显示将新建、更新或跳过的文章及其大纲，不写入数据库。",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="覆盖编辑在上次导入后修改过的文章（编辑选定的主题仍然保留）。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Parse every document, then write them all in one transaction."""
        self.verbosity = int(options["verbosity"])
        documents = []
        errors = []
        for raw_path in options["paths"]:
            try:
                documents.append(self._read(Path(raw_path)))
            except SourceError as error:
                errors.append(str(error))
        if errors:
            for message in errors:
                self.stderr.write(f"错误：{message}")
            raise CommandError("没有导入任何内容：请先修正上面的问题。", returncode=1)

        try:
            reports = documents_import(
                documents=documents, force=options["force"], dry_run=options["dry_run"]
            )
        except (ValidationError, DatabaseError) as error:
            raise CommandError(f"写入数据库失败，已全部撤销：{error}", returncode=1) from error

        for report, document in zip(reports, documents, strict=True):
            self._report(report, document.parsed.essays, options)
        self._summary(reports, dry_run=options["dry_run"])

    def _read(self, path: Path) -> SourceDocument:
        if not path.exists():
            raise SourceError(f"{path}：文件不存在。")
        if path.is_dir():
            raise SourceError(f"{path}：这是一个目录，请给出文件路径。")
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
        return SourceDocument(parsed=parsed, source_name=path.name, data=data)

    def _report(
        self, report: DocumentReport, essays: list[ParsedEssay], options: dict[str, Any]
    ) -> None:
        if self.verbosity < 1:
            return
        state = "新文集" if report.collection_created else "已有文集"
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
            if options["dry_run"] or self.verbosity >= 2:
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

    def _summary(self, reports: list[DocumentReport], *, dry_run: bool) -> None:
        if self.verbosity < 1:
            return
        counts = {action: sum(r.count(action) for r in reports) for action in Action}
        parts = "，".join(f"{ACTION_LABELS[a]} {counts[a]} 篇" for a in Action)
        prefix = "试运行（未写入）" if dry_run else "完成"
        self.stdout.write(self.style.SUCCESS(f"{prefix}：{len(reports)} 个文档，{parts}。"))
