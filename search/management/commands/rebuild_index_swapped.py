"""Rebuild the search index in a new directory and switch to it when complete.

Unlike haystack's ``rebuild_index`` (which empties the live index, then fills it), the
live index keeps answering searches until the new one is complete, and a failure
leaves it untouched. Changes waiting in the re-index outbox before it started are in the
new index: their rows are removed once it is live.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from haystack import connections

from essays.models import Essay
from search import outbox


class Command(BaseCommand):
    help = "Build a complete new search index in a fresh directory, then swap it in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--using", default="default", help="The haystack connection to rebuild."
        )

    def handle(self, *args, using="default", verbosity=1, **options):
        """Build the new index, switch to it, and clear the outbox rows it covers."""
        backend = connections[using].get_backend()
        index = connections[using].get_unified_index().get_index(Essay)
        waiting = outbox.pending_rows()  # committed before the rebuild reads the essays
        # A queryset (not an iterator): the backend shares it out among its worker processes.
        count = backend.rebuild_swapped(index, index.index_queryset(using=using))
        outbox.forget(waiting)
        if verbosity >= 1:
            self.stdout.write(f"已索引 {count} 篇文章，新索引已启用：{backend.path}")
