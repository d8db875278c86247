"""``update_index``: haystack's command for the whoosh engine; other backends index every
essay through the search-engine interface (no whoosh index is written)."""

from __future__ import annotations

from haystack.management.commands.update_index import Command as HaystackCommand

from essays.models import Essay
from search.backends import get_backend

#: Essays written per call of the backend's ``index``.
BATCH = 500


class Command(HaystackCommand):
    help = "更新搜索索引（whoosh 时为 haystack 的命令；其他后端逐批写入全部文章）。"

    def handle(self, **options):
        """Update with haystack for whoosh, through the backend's ``index`` otherwise."""
        backend = get_backend()
        if backend.name == "whoosh":
            return super().handle(**options)
        ids = list(Essay.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            backend.index(ids[start : start + BATCH])
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"已更新 {len(ids)} 篇文章的搜索文档：{backend.location()}")
        return None
