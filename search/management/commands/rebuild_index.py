"""``rebuild_index``: haystack's command for the whoosh engine, a swapped rebuild for others.

With ``PORTAL_SEARCH_BACKEND=whoosh`` it is haystack's own (clear, then fill). With
another backend haystack knows nothing of, it builds the backend's complete new index and
switches to it (as ``rebuild_index_swapped`` does), so no whoosh index is ever written.
"""

from __future__ import annotations

from haystack.management.commands.rebuild_index import Command as HaystackCommand

from search import outbox
from search.backends import get_backend


class Command(HaystackCommand):
    help = "重建搜索索引（whoosh 时为 haystack 的清空后重建；其他后端建好新索引后切换）。"

    def handle(self, **options):
        """Rebuild with haystack for whoosh, with the backend's own rebuild otherwise."""
        backend = get_backend()
        if backend.name == "whoosh":
            return super().handle(**options)
        waiting = outbox.pending_rows()
        count = backend.rebuild()
        outbox.forget(waiting)
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"已索引 {count} 篇文章，新索引已启用：{backend.location()}")
        return None
