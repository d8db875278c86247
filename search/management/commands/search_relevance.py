"""Measure search quality on the relevance test set (search/relevance.py).

Prints, per query, the ranked essays with relevant ones starred, then mean recall,
precision, MRR, top-1 and top-3 for each set (the original set, the unspaced
multi-concept queries), and how many of the queries whose words the corpus lacks found
something (it should be none). Run it on a database holding the bundled corpus, with
the index built: ``import_essays fixtures/source/*.txt`` then ``rebuild_index``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from search.relevance import CASES, LACKING, UNSPACED, evaluate, summary


class Command(BaseCommand):
    help = "Run the search relevance test set and print recall, precision, MRR, top-1 and top-3."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fail-under-recall",
            type=float,
            default=None,
            help="Exit with an error if mean recall (of the original set) is below this (0–1).",
        )

    def handle(self, *args, fail_under_recall=None, verbosity=1, **options):
        from search.services import search_essays

        figures = {}
        for name, cases in (("original", CASES), ("unspaced", UNSPACED)):
            results = evaluate(cases)
            if verbosity >= 1:
                for result in results:
                    ranked = " ".join(
                        f"{key}*" if key in result.case.relevant else key for key in result.ranked
                    )
                    self.stdout.write(
                        f"{result.case.query:<16} R={result.recall:.2f} "
                        f"P={result.precision:.2f} RR={result.reciprocal_rank:.2f} "
                        f"{'✓' if result.top1 else '✗'}{'✓' if result.top3 else '✗'}  {ranked}"
                    )
            figures[name] = summary(results)
            self.stdout.write(
                f"[{name}] queries={{queries}} recall={{recall:.3f}} precision={{precision:.3f}} "
                "mrr={mrr:.3f} top1={top1:.3f} top3={top3:.3f}".format(**figures[name])
            )
        found = [query for query in LACKING if search_essays(query).hits]
        self.stdout.write(
            f"[lacking] queries={len(LACKING)} answered={len(found)}"
            + (f" ({' '.join(found)})" if found else "")
        )
        recall = figures["original"]["recall"]
        if fail_under_recall is not None and recall < fail_under_recall:
            raise CommandError(f"recall {recall:.3f} < {fail_under_recall}")
