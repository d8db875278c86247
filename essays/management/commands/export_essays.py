"""Write a backup of the corpus to a file: every collection, essay, section, reference
and topic, with the whole edit history (see :mod:`essays.backup` for the format).

The file is written beside its final name and renamed into place when complete, so an
interrupted export never leaves a half-written backup under that name. It is readable
by its owner only (mode 0600).
``restore_essays`` loads it into an empty database.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from essays.backup import backup_data, backup_dumps
from portal.private_files import open_private


class Command(BaseCommand):
    """``export_essays PATH``."""

    help = "把全部文集、文章、章节、参考文献、主题及其修改历史导出为一个 JSON 备份文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the output path."""
        parser.add_argument("path", metavar="PATH", help="备份文件的路径（JSON）；已存在则覆盖。")

    def handle(self, *args: Any, **options: Any) -> None:
        """Read everything in one transaction (a consistent snapshot) and write the file."""
        path = Path(options["path"])
        verbosity = int(options["verbosity"])
        try:
            with transaction.atomic():  # one snapshot, even while editors save
                document = backup_data()
        except DatabaseError as error:
            raise CommandError(f"读取数据库失败，没有写出备份：{error}", returncode=1) from error
        temporary = path.with_name(f".{path.name}.partial")
        try:
            # 0600: the backup names the editors and holds unpublished edits.
            with open_private(temporary) as handle:
                handle.write(backup_dumps(document))
            os.replace(temporary, path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise CommandError(
                f"无法写入 {path}（{error.strerror}），没有写出备份。", returncode=1
            ) from error
        if verbosity >= 1:
            counts = document["counts"]
            self.stdout.write(
                self.style.SUCCESS(
                    f"已导出到 {path}：文集 {counts['essays.Collection']} 个，"
                    f"文章 {counts['essays.Essay']} 篇，章节 {counts['essays.Section']} 个，"
                    f"参考文献 {counts['essays.Reference']} 条，主题 {counts['essays.Topic']} 个，"
                    f"历史记录 {sum(n for k, n in counts.items() if 'Historical' in k)} 条。"
                )
            )
        if verbosity >= 2:
            for label, count in counts.items():
                self.stdout.write(f"  {label}: {count}")
