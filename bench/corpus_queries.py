"""Distinct queries taken from imported papers, as readers would type them.

:func:`paper_queries` reads a seeded sample of the imported essays (titles and section
texts, through the ORM) and draws, without repeats:

- **words** of 2–4 Chinese characters as jieba cuts them (its own dictionary, no HMM),
  in three bands of how many sampled essays hold them: common (≥ 20 %), middling
  (2–20 %) and rare (one essay of the sample), so frequent and rare words weigh alike;
- **characters**: single Chinese characters, common and rare alike;
- **unspaced pairs**: two words that stand next to each other in a title or in a
  sentence, written together without a space (``城市群空间``), as readers type two
  concepts; some are in the text as typed, others only take the loosened tiers.

Everything is seeded, so one corpus always gives the same list; the list is shuffled
so a time budget cuts every kind alike. Used by :mod:`bench.corpus`.
"""

from __future__ import annotations

import itertools
import logging
import random
import re
from collections import Counter

_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_WORD = re.compile(r"[\u4e00-\u9fff]{2,4}")
_SENTENCE = re.compile(r"[^。！？；!?;\n]+")

#: How many queries of each kind (and band) :func:`paper_queries` draws by default.
DEFAULT_MIX: dict[str, int] = {
    "word, common": 50,
    "word, middling": 50,
    "word, rare": 50,
    "character, common": 15,
    "character, rare": 15,
    "pair from a title": 35,
    "pair from a sentence": 35,
}


def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer()


def _sample_texts(sample: int, seed: int) -> tuple[list[str], list[str]]:
    """Titles of every essay, and the joined section texts of ``sample`` of them."""
    from essays.models import Essay, Section

    ids = sorted(Essay.objects.values_list("pk", flat=True))
    titles = list(Essay.objects.order_by("pk").values_list("title", flat=True))
    chosen = sorted(random.Random(seed).sample(ids, min(sample, len(ids))))
    texts: dict[int, list[str]] = {pk: [] for pk in chosen}
    rows = Section.objects.filter(essay_id__in=chosen).order_by("essay_id", "order")
    for essay_id, heading, text in rows.values_list("essay_id", "heading", "text"):
        texts[essay_id] += [heading, text]
    return titles, ["\n".join(parts) for parts in texts.values()]


def _adjacent_pairs(tokenizer, line: str) -> list[str]:
    """Two neighbouring Chinese words of ``line`` (each 2–4 characters), written together."""
    words = tokenizer.lcut(line, HMM=False)
    return [
        first + second
        for first, second in itertools.pairwise(words)
        if _HAN_WORD.fullmatch(first) and _HAN_WORD.fullmatch(second) and first != second
    ]


def paper_queries(
    mix: dict[str, int] | None = None, *, sample: int = 300, seed: int = 1
) -> list[tuple[str, str]]:
    """A deterministic shuffled list of distinct ``(kind, query)`` from the imported essays.

    ``mix`` gives how many of each kind of :data:`DEFAULT_MIX`; ``sample`` essays are read
    for words, characters and sentences (all titles are read). A kind the corpus is too
    small for gets fewer.
    """
    mix = {**DEFAULT_MIX, **(mix or {})}
    rng = random.Random(seed)
    tokenizer = _tokenizer()
    titles, texts = _sample_texts(sample, seed)
    word_df: Counter[str] = Counter()
    char_df: Counter[str] = Counter()
    for text in texts:
        word_df.update({w for w in tokenizer.lcut(text, HMM=False) if _HAN_WORD.fullmatch(w)})
        char_df.update(set(_HAN.findall(text)))
    n = max(1, len(texts))
    bands = {
        "word, common": sorted(w for w, df in word_df.items() if df >= 0.2 * n),
        "word, middling": sorted(w for w, df in word_df.items() if 0.02 * n <= df < 0.2 * n),
        "word, rare": sorted(w for w, df in word_df.items() if df == 1),
        "character, common": sorted(c for c, df in char_df.items() if df >= 0.2 * n),
        "character, rare": sorted(c for c, df in char_df.items() if df <= max(1, 0.01 * n)),
    }
    title_pairs = sorted({p for t in titles for p in _adjacent_pairs(tokenizer, t)})
    sentences = [s for text in texts for s in _SENTENCE.findall(text) if len(s) >= 8]
    sentence_pairs: set[str] = set()
    for sentence in rng.sample(sentences, min(len(sentences), 40 * mix["pair from a sentence"])):
        sentence_pairs.update(_adjacent_pairs(tokenizer, sentence))
    bands["pair from a title"] = title_pairs
    bands["pair from a sentence"] = sorted(sentence_pairs)

    taken: set[str] = set()
    chosen: list[tuple[str, str]] = []
    for kind, wanted in mix.items():
        pool = [q for q in bands[kind] if q not in taken]
        for query in rng.sample(pool, min(wanted, len(pool))):
            taken.add(query)
            chosen.append((kind, query))
    rng.shuffle(chosen)
    return chosen


#: The query asked first by every engine and not counted (connections, lazy imports).
WARM_UP = "研究"


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.corpus_queries OUT.json``: write the queries of the imported corpus."""
    import argparse
    import json
    import os
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m bench.corpus_queries")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    queries = [(kind, q) for kind, q in paper_queries(seed=args.seed) if q != WARM_UP]
    spec = {"warm_up": WARM_UP, "queries": queries}
    args.out.write_text(json.dumps(spec, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
