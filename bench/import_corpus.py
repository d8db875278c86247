"""``python -m bench.import_corpus PATH``: import a real corpus of papers and time it.

PATH is a folder of ``*.md`` papers or a ``.tar.xz`` of them (e.g.
``../shared/corpus/chinaxiv-bench-3000.tar.xz``; never committed). In a fresh data
directory (SQLite) the run:

1. imports every paper with one ``import_essays`` command (one transaction per paper,
   ``--no-index``), and checks that no paper was lost or overwritten: collections =
   distinct papers (by content fingerprint) minus the papers refused, each named;
2. builds the search index of everything with ``rebuild_index_swapped`` (the bulk path);
3. times jieba alone (``lcut``, one process) on the plain text of the same papers.

Throughputs are papers/s, wall clock and CPU (the machine is shared), and ratios to jieba.
The figures go to ``bench/results/import-corpus.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir), "DJANGO_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return env


def _manage(env: dict[str, str], *args: str) -> tuple[float, float, subprocess.CompletedProcess]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def _papers(path: Path, work: Path) -> Path:
    if path.is_dir():
        return path
    with tarfile.open(path) as archive:
        archive.extractall(work / "papers", filter="data")
    return work / "papers"


def _django(data_dir: Path) -> None:
    os.environ.update(_env(data_dir))
    import django

    django.setup()


def _jieba_alone(paths: list[Path]) -> dict[str, float]:
    from essays.importer.markdown import plain_text
    from essays.text.jieba_setup import ensure_jieba

    tokenizer = ensure_jieba()
    texts = [plain_text(p.read_text(encoding="utf-8")) for p in paths]
    start, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        tokenizer.lcut(text)
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "characters": sum(map(len, texts)),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the import benchmark; print and save the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.import_corpus")
    parser.add_argument("path", type=Path, help="folder of *.md papers or a .tar.xz of them")
    parser.add_argument("--limit", type=int, default=0, help="only the first N papers")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        folder = _papers(args.path, work)
        paths = sorted(folder.rglob("*.md"))
        if args.limit:
            paths = paths[: args.limit]
            folder = work / "subset"
            folder.mkdir()
            for path in paths:
                (folder / path.name).symlink_to(path)
        data_dir = work / "data"
        data_dir.mkdir()
        env = _env(data_dir)
        _manage(env, "migrate", "-v0")
        wall, cpu, done = _manage(env, "import_essays", str(folder), "--no-index", "-v0")
        failures = [line for line in done.stderr.splitlines() if line.startswith("错误：")]
        index_wall, index_cpu, indexed = _manage(env, "rebuild_index_swapped")
        _django(data_dir)
        from essays.importer.decoding import decode_source, text_fingerprint
        from essays.models import Collection, Essay

        distinct = {text_fingerprint(decode_source(p.read_bytes())[0]) for p in paths}
        failed_names = {line.split("：", 2)[1] for line in failures if "：" in line}
        refused = {
            text_fingerprint(decode_source(p.read_bytes())[0])
            for p in paths
            if any(name.endswith(p.name) for name in failed_names)
        }
        jieba = _jieba_alone(paths)
        result: dict[str, Any] = {
            "papers": len(paths),
            "distinct_papers": len(distinct),
            "collections": Collection.objects.count(),
            "essays": Essay.objects.count(),
            "failed": len(failures),
            "failures": failures,
            "database_errors": sum("写入数据库失败" in line for line in failures),
            "traceback": "Traceback" in done.stderr,
            "import_exit": done.returncode,
            "index_exit": indexed.returncode,
            "import_seconds": wall,
            "import_cpu_seconds": cpu,
            "index_seconds": index_wall,
            "index_cpu_seconds": index_cpu,
            "jieba": jieba,
        }
        result["lost_or_overwritten"] = len(distinct - refused) - result["collections"]
        n = len(paths)
        result["papers_per_second"] = {
            "import": n / wall,
            "import_cpu": n / cpu,
            "import_and_index": n / (wall + index_wall),
            "import_and_index_cpu": n / (cpu + index_cpu),
            "jieba_alone": n / jieba["seconds"],
            "jieba_alone_cpu": n / jieba["cpu_seconds"],
        }
        rates = result["papers_per_second"]
        result["ratio_to_jieba"] = {
            "import_cpu": rates["import_cpu"] / rates["jieba_alone_cpu"],
            "import_and_index_cpu": rates["import_and_index_cpu"] / rates["jieba_alone_cpu"],
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "import-corpus.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    summary = {k: v for k, v in result.items() if k != "failures"}
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    for line in failures:
        print(line)
    return 0 if result["lost_or_overwritten"] == 0 and not result["database_errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
