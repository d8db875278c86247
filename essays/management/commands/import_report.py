"""Report how well the importer reads a folder of markdown papers (their plain-text form).

For each ``*.md`` paper: title right, keywords right, reference count within 10 %, and
the numbered headings recovered, against what the markdown shows; then the shares over
all papers with the targets. Nothing is written to the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from essays.importer.evaluation import TARGETS, evaluate, summary

_NAMES = {
    "title": "标题正确",
    "keywords": "关键词正确",
    "references": "参考文献条数误差≤10%",
    "headings": "编号标题找回",
}


class Command(BaseCommand):
    """``import_report DIR``."""

    help = "逐篇报告导入器读取论文（markdown 的纯文本形式）的结果，并给出汇总。"

    def add_arguments(self, parser: CommandParser) -> None:
        """The folder of markdown papers."""
        parser.add_argument("directory", metavar="DIR", help="包含 *.md 论文的目录。")

    def handle(self, *args: Any, **options: Any) -> None:
        """Evaluate each paper, print a line per paper and the summary."""
        directory = Path(options["directory"])
        paths = sorted(directory.glob("*.md"))
        if not paths:
            raise CommandError(f"{directory}：目录中没有 .md 论文。", returncode=1)
        results = [evaluate(path) for path in paths]
        for result in results:
            marks = " ".join(
                f"{name}{'✓' if ok else '✗'}"
                for name, ok in (
                    ("标题", result.title_ok),
                    ("关键词", result.keywords_ok),
                    ("文献", result.references_ok),
                )
            )
            line = (
                f"{result.name}：{marks}"
                f" 文献 {result.reference_count}/{result.truth.reference_count}"
                f" 标题编号 {result.headings_found}/{len(result.truth.headings)}"
            )
            if result.error:
                line += f" 错误：{result.error}"
            self.stdout.write(line)
            if int(options["verbosity"]) >= 2:
                if not result.title_ok:
                    self.stdout.write(f"    标题：{result.title} ≠ {result.truth.title}")
                if not result.keywords_ok:
                    self.stdout.write(f"    关键词：{result.keywords} ≠ {result.truth.keywords}")
                for missing in result.missing_headings:
                    self.stdout.write(f"    未找回：{missing}")
        shares = summary(results)
        self.stdout.write(f"共 {len(results)} 篇：")
        for key, share in shares.items():
            met = "达标" if share >= TARGETS[key] else "未达标"
            self.stdout.write(f"  {_NAMES[key]}：{share:.1%}（目标 ≥ {TARGETS[key]:.0%}，{met}）")
