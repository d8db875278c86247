"""Generate a synthetic corpus of N essays recombined from the real ones, or remove it.

``generate_corpus --essays N [--seed S]`` writes N essays (collections of 50 titled
``合成文集 S-0001`` …) made from the bundled documents' essays: real outlines, keywords and
references, the real paragraphs with their sentences shuffled and partly exchanged
(:mod:`essays.services.generated`). The same N and seed always give the same text.
They are indexed for search unless ``--no-index`` is given (then rebuild the index).
History is not recorded for generated data unless ``--history`` is given.

``generate_corpus --remove [--seed S]`` deletes the generated collections (of one seed,
or all) with their essays and drops them from the search index; real data is untouched.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from essays.importer.parsed import SourceError
from essays.services.generated import (
    GenerationError,
    corpus_generate,
    corpus_remove,
    default_sources,
)
from essays.signals import corpus_batch


class Command(BaseCommand):
    """``generate_corpus --essays N [--seed S] [--history] [--no-index]`` or ``--remove``."""

    help = "生成由真实文章重组而成的 N 篇合成文章（用于规模与性能测试），或用 --remove 删除它们。"

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the options."""
        parser.add_argument(
            "--essays", type=int, metavar="N", help="要生成的文章数（生成时必填）。"
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            metavar="S",
            help="随机种子（默认 0）；同样的 N 和种子总是生成同样的文章。"
            "与 --remove 一起用时只删除这个种子的合成文集。",
        )
        parser.add_argument(
            "--remove",
            action="store_true",
            help="删除合成文集及其文章（默认所有种子的），并从搜索索引中移除；真实数据不受影响。",
        )
        parser.add_argument(
            "--history",
            action="store_true",
            help="为合成文章记录编辑历史（默认不记录，以便快速批量写入）。",
        )
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="不为新文章建立搜索索引（之后请运行 rebuild_index）。",
        )
        parser.add_argument(
            "--source",
            action="append",
            type=Path,
            metavar="PATH",
            help="用来重组的源文档（可多次给出；默认 fixtures/source/*.txt）。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Generate or remove, then bring the search index in line."""
        self.verbosity = int(options["verbosity"])
        if options["remove"]:
            self._remove(options["seed"])
            return
        if options["essays"] is None:
            raise CommandError("请用 --essays N 给出要生成的文章数（或用 --remove 删除）。")
        seed = 0 if options["seed"] is None else options["seed"]
        started = time.monotonic()
        # The new essays are one corpus event; search indexes them when the batch ends.
        with corpus_batch(reindex=not options["no_index"]):
            try:
                report = corpus_generate(
                    essays=options["essays"],
                    seed=seed,
                    sources=options["source"] or default_sources(),
                    record_history=options["history"],
                    progress=self._progress,
                )
            except (GenerationError, SourceError) as error:
                raise CommandError(str(error), returncode=1) from error
            written = time.monotonic() - started
            if self.verbosity >= 1:
                self.stdout.write(
                    f"已生成 {len(report.essay_ids)} 篇文章（种子 {seed}，"
                    f"{report.collections} 个文集，{report.sections} 个章节，"
                    f"{report.references} 条参考文献，{report.characters} 字），"
                    f"用时 {written:.1f} 秒。"
                )
            started = time.monotonic()
        if not options["no_index"] and self.verbosity >= 1:
            self.stdout.write(f"已建立索引，用时 {time.monotonic() - started:.1f} 秒。")

    def _remove(self, seed: int | None) -> None:
        essay_ids = corpus_remove(seed=seed)  # one corpus event: search drops them
        if self.verbosity >= 1:
            which = "所有种子" if seed is None else f"种子 {seed}"
            self.stdout.write(f"已删除{which}的合成文章 {len(essay_ids)} 篇，并从索引中移除。")

    def _progress(self, done: int, total: int) -> None:
        if self.verbosity >= 2 and (done % 1000 == 0 or done == total):
            self.stdout.write(f"  {done}/{total}")
