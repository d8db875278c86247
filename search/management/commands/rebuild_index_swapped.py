"""Rebuild the search index in a new directory and switch to it when complete.

Unlike haystack's ``rebuild_index`` (which empties the live index, then fills it), the
live index keeps answering searches until the new one is complete, and a failure
leaves it untouched. Changes waiting in the re-index outbox before it started are in the
new index: their rows are removed once it is live.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from search import outbox
from search.backends import get_backend


class Command(BaseCommand):
    help = "Build a complete new search index in a fresh directory, then swap it in."

    def add_arguments(self, parser):
        parser.add_argument("--using", default="default", help="(kept for compatibility)")

    def handle(self, *args, verbosity=1, **options):
        """Build the new index, switch to it, and clear the outbox rows it covers."""
        backend = get_backend()
        waiting = outbox.pending_rows()  # committed before the rebuild reads the essays
        count = backend.rebuild()
        outbox.forget(waiting)
        if verbosity >= 1:
            self.stdout.write(f"已索引 {count} 篇文章，新索引已启用：{backend.location()}")
