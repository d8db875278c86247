"""Write the changes waiting in the re-index outbox to the search index.

Changes normally reach the index right after their commit; this is for after an index
fault (a full disk, a read-only folder) is fixed, or from cron. ``/healthz`` names it
when changes have waited too long.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from search import outbox


class Command(BaseCommand):
    """``reindex_pending``: index every essay in the outbox, oldest first."""

    help = "把等待中的修改写入搜索索引（失败的会保留，下次再试）。"

    def handle(self, *args: Any, verbosity: int = 1, **options: Any) -> None:
        """Drain the outbox; exit with status 1 if a write failed."""
        before = outbox.status().pending
        result = outbox.drain_all()
        left = outbox.status().pending
        if not result.complete:
            reason = result.error or "后台写入尚未完成"
            raise CommandError(
                f"写入搜索索引失败，仍有 {left} 篇文章待更新（{reason}）。"
                "排除故障后请再运行本命令。",
                returncode=1,
            )
        if verbosity >= 1:
            self.stdout.write(
                f"已写入 {result.indexed} 篇文章（原有待更新 {before} 篇），剩余 {left} 篇。"
            )
