"""Measure search quality on the relevance test set (search/relevance.py).

Prints, per query, the ranked essays with relevant ones starred, then mean recall,
precision, MRR and top-1. Run it on a database holding the bundled corpus, with the
index built: ``import_essays fixtures/source/*.txt`` then ``rebuild_index``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from search.relevance import evaluate, summary


class Command(BaseCommand):
    help = "Run the search relevance test set and print recall, precision, MRR and top-1."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fail-under-recall",
            type=float,
            default=None,
            help="Exit with an error if mean recall is below this value (0–1).",
        )

    def handle(self, *args, fail_under_recall=None, verbosity=1, **options):
        results = evaluate()
        if verbosity >= 1:
            for result in results:
                ranked = " ".join(
                    f"{key}*" if key in result.case.relevant else key for key in result.ranked
                )
                self.stdout.write(
                    f"{result.case.query:<16} R={result.recall:.2f} P={result.precision:.2f} "
                    f"RR={result.reciprocal_rank:.2f} {'✓' if result.top1 else '✗'}  {ranked}"
                )
        figures = summary(results)
        self.stdout.write(
            "queries={queries} recall={recall:.3f} precision={precision:.3f} "
            "mrr={mrr:.3f} top1={top1:.3f}".format(**figures)
        )
        if fail_under_recall is not None and figures["recall"] < fail_under_recall:
            raise CommandError(f"recall {figures['recall']:.3f} < {fail_under_recall}")
