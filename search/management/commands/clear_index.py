"""``clear_index``: haystack's command for the whoosh engine; other backends clear their
own documents through the search-engine interface."""

from __future__ import annotations

from haystack.management.commands.clear_index import Command as HaystackCommand

from search.backends import get_backend


class Command(HaystackCommand):
    help = "清空搜索索引（whoosh 时为 haystack 的命令；其他后端清空自己的文档）。"

    def handle(self, **options):
        """Clear with haystack for whoosh, through the backend's ``clear`` otherwise."""
        backend = get_backend()
        if backend.name == "whoosh":
            return super().handle(**options)
        if options.get("interactive", True):
            answer = input("将删除全部搜索文档，确定吗？[y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                self.stdout.write("未清空。")
                return None
        backend.clear()
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"已清空搜索文档：{backend.location()}")
        return None
