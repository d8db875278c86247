"""The benchmark's queries: the fixed mix, and a deterministic list of distinct queries.

:data:`QUERIES` is the mix of 8 queries the repeated-load figures cycle through.
:func:`distinct_queries` samples ~200 other queries from the bundled essays'
texts (``fixtures/source/*.txt``) with a fixed seed, each meant to be asked once
after a server start, so that no cache of any kind has seen it:

- words: jieba words (jieba's own dictionary, no HMM, no user dictionary — so the
  list depends only on jieba's version and the fixtures) of 2–4 Chinese characters;
- single characters: Chinese characters of the same texts;
- two words: two different words of one line of the texts, separated by a space;
- unspaced: two different words of one line written together without a space
  (人事部门服务态度), as readers type two concepts; the text rarely holds the string, so
  these take the loosened tiers (all words, most words) of :mod:`search.backends.whoosh.matching`.

The list is sorted before sampling and shuffled with the same seed at the end, so
the kinds are interleaved (a time cap cuts every kind alike).
"""

from __future__ import annotations

import logging
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "fixtures" / "source"

#: The fixed query mix: (kind, query as typed).
QUERIES: list[tuple[str, str]] = [
    ("common", "服务意识"),
    ("common", "农村"),
    ("rare", "劳动力转移"),
    ("rare", "MBTI"),
    ("one character", "农"),
    ("phrase", '"城乡统筹"'),
    ("traditional", "統籌城鄉"),
    ("pinyin", "laodongli"),
]

_HAN = re.compile(r"[\u4e00-\u9fff]+")
_HAN_WORD = re.compile(r"[\u4e00-\u9fff]{2,4}")


def _lines() -> list[str]:
    """The non-empty lines of the bundled essays' texts, in file order."""
    lines = []
    for path in sorted(SOURCES.glob("*.txt")):
        lines += [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return lines


def distinct_queries(
    words: int = 150, characters: int = 25, pairs: int = 25, seed: int = 1, unspaced: int = 25
) -> list[tuple[str, str]]:
    """A deterministic list of distinct (kind, query), none of them in :data:`QUERIES`.

    ``words`` jieba words of 2–4 characters, ``characters`` single characters,
    ``pairs`` two-word queries and ``unspaced`` two words written together, sampled
    with ``seed`` from the bundled texts. The first three kinds are drawn first, so
    they are the same queries as before the unspaced kind was added.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    rng = random.Random(seed)
    taken = {query for _, query in QUERIES}
    line_words: list[list[str]] = []
    for line in _lines():
        found = [w for w in tokenizer.lcut(line, HMM=False) if _HAN_WORD.fullmatch(w)]
        line_words.append(list(dict.fromkeys(found)))
    vocabulary = sorted({w for found in line_words for w in found} - taken)
    chars = sorted({c for line in _lines() for run in _HAN.findall(line) for c in run} - taken)

    chosen: list[tuple[str, str]] = [("word", w) for w in rng.sample(vocabulary, words)]
    chosen += [("character", c) for c in rng.sample(chars, characters)]
    taken |= {query for _, query in chosen}
    candidates = [found for found in line_words if len(found) >= 2]
    for _ in range(pairs * 50):
        if sum(kind == "two words" for kind, _ in chosen) >= pairs:
            break
        first, second = rng.sample(rng.choice(candidates), 2)
        query = f"{first} {second}"
        if query not in taken:
            taken.add(query)
            chosen.append(("two words", query))
    for _ in range(unspaced * 50):
        if sum(kind == "unspaced" for kind, _ in chosen) >= unspaced:
            break
        first, second = rng.sample(rng.choice(candidates), 2)
        query = f"{first}{second}"
        if query not in taken:
            taken.add(query)
            chosen.append(("unspaced", query))
    rng.shuffle(chosen)
    return chosen


if __name__ == "__main__":
    for kind, query in distinct_queries():
        print(f"{kind}\t{query}")
