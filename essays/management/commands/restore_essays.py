"""Restore a backup written by ``export_essays`` into a database without essays.

Everything is loaded in one transaction with the original ids, then the search index is
rebuilt into a fresh directory and switched to (``rebuild_index_swapped``). A file that
is not a complete backup, or a database that already holds essays, is refused and
nothing is changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from essays.backup import BackupError, backup_loads
from essays.services.backup import backup_restore
from essays.signals import corpus_batch


class Command(BaseCommand):
    """``restore_essays PATH [--no-index]``."""

    help = "把 export_essays 导出的备份恢复到没有文章的数据库，并重建搜索索引。"

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the backup path and options."""
        parser.add_argument("path", metavar="PATH", help="export_essays 写出的备份文件。")
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="恢复后不重建搜索索引（之后请运行 rebuild_index_swapped）。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Read, check and load the backup; then rebuild the search index."""
        path = Path(options["path"])
        verbosity = int(options["verbosity"])
        try:
            document = backup_loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"无法读取 {path}（{error.strerror}）。", returncode=1) from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} 不是 UTF-8 文本，不是备份文件。", returncode=1) from error
        except BackupError as error:
            raise CommandError(f"{path}：{error}", returncode=1) from error

        # Rows go in with their history as it is, announced as one corpus event (the page
        # cache follows it); search leaves it to the rebuild below.
        try:
            with corpus_batch(reindex=False):
                restored = backup_restore(document=document)
        except BackupError as error:
            raise CommandError(str(error), returncode=1) from error
        except DatabaseError as error:
            raise CommandError(f"写入数据库失败，已全部撤销：{error}", returncode=1) from error
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已从 {path} 恢复：文章 {restored['essays.Essay']} 篇，"
                    f"共 {sum(restored.values())} 条记录。"
                )
            )
        if not options["no_index"]:
            call_command("rebuild_index_swapped", verbosity=verbosity, stdout=self.stdout)
