"""Typed pinyin cannot make one search costly.

A word that reads as pinyin in very many ways (``xiaoxiao…`` splits in about 4ⁿ ways)
once made a single anonymous search take seconds and gigabytes. Splitting now keeps
only the best few splits of every suffix, so:

- the splits are exactly the best ones every possible split would give (checked against
  brute force on short words);
- a search for a long, repetitive or many-word pinyin query answers within 100 ms of an
  ordinary pinyin search and allocates no more than a few MB beyond it.
"""

from __future__ import annotations

import functools
import gc
import time
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.pinyin import MAX_SPLITS, MAX_SYLLABLES, SYLLABLES, split_syllables
from search.services import search_essays

#: Extra time and memory one hostile search may cost over an ordinary one.
EXTRA_SECONDS = 0.100
EXTRA_BYTES = 4 * 1024 * 1024

ATTACKS = [
    "xiao" * 10,  # 40 characters: once 1 s and 820 MB
    "xiao" * 11,  # 44: once 9 s and 2.4 GB
    "xiao" * 12,  # 48: once past 9 GB
    "xiao" * 18,  # the longest word still read as pinyin
    "xian" * 12,
    "qiao" * 12,
    "anganganganganganganganganganganganganga",
    " ".join(["qi ao"] * 12),  # short words that are all pinyin are read together
    " ".join(["xiao"] * 24),
    "xiaoxiaoxiao laodongli " * 4,
    "laodongli " + "xiao" * 12 + " zhuanyi",
]


def _brute_force(word: str) -> list[tuple[str, ...]]:
    """Every split of ``word`` into syllables, in the order the contract states."""

    @functools.cache
    def splits(start: int) -> list[tuple[str, ...]]:
        if start == len(word):
            return [()]
        found = []
        for end in range(len(word), start, -1):  # longer first syllables first
            if word[start:end] in SYLLABLES:
                found.extend((word[start:end], *rest) for rest in splits(end))
        return found

    every = [s for s in splits(0) if len(s) <= MAX_SYLLABLES]
    every.sort(key=len)
    return every[:MAX_SPLITS]


#: Syllables that join and split into other syllables (xi+an / xian, qi+ao / qiao, …).
AMBIGUOUS = [
    "xiao",
    "xian",
    "qiao",
    "jiang",
    "an",
    "ang",
    "gan",
    "e",
    "er",
    "nan",
    "ge",
    "ao",
    "li",
]
SYLLABLE_RUNS = st.lists(st.sampled_from(sorted(SYLLABLES)), min_size=1, max_size=5).map("".join)


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(word=st.one_of(SYLLABLE_RUNS, st.text(alphabet="aeinoughxz", min_size=1, max_size=14)))
def test_splits_are_the_best_of_all_splits(word):
    assert list(split_syllables(word)) == _brute_force(word)


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(
    syllables=st.lists(
        st.one_of(st.sampled_from(AMBIGUOUS), st.sampled_from(sorted(SYLLABLES))),
        min_size=8,
        max_size=40,
    ),
    repeat=st.integers(min_value=1, max_value=12),
)
def test_splitting_any_long_pinyin_word_is_cheap(syllables, repeat):
    word = ("".join(syllables) * repeat)[:80]
    split_syllables.cache_clear()
    tracemalloc.start()
    try:
        started = time.perf_counter()
        splits = split_syllables(word)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(splits) <= MAX_SPLITS
    assert all(len(split) <= MAX_SYLLABLES for split in splits)
    assert peak < 1024 * 1024, f"{word}: {peak} bytes"
    assert elapsed < EXTRA_SECONDS, f"{word}: {elapsed:.3f} s"


def _cost(query: str) -> tuple[float, int]:
    """Best-of-three seconds, and the peak bytes allocated, of one search for ``query``."""
    split_syllables.cache_clear()
    gc.collect()
    tracemalloc.start()
    try:
        outcome = search_essays(query, first=10)
        list(outcome.hits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    best = float("inf")
    for _ in range(3):
        split_syllables.cache_clear()
        started = time.perf_counter()
        outcome = search_essays(query, first=10)
        list(outcome.hits)
        best = min(best, time.perf_counter() - started)
    return best, peak


@pytest.mark.django_db
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: f"{a[:8].strip()}-{len(a)}")
def test_hostile_pinyin_search_costs_no_more_than_an_ordinary_one(corpus, attack):
    search_essays("laodongli")  # warm the searcher and the spelling tables
    ordinary_seconds, ordinary_bytes = _cost("laodongli zhuanyi")
    seconds, peak = _cost(attack)
    assert seconds <= ordinary_seconds + EXTRA_SECONDS, (seconds, ordinary_seconds)
    assert peak <= ordinary_bytes + EXTRA_BYTES, (peak, ordinary_bytes)


@pytest.mark.django_db
def test_hostile_pinyin_over_http_answers(client, corpus):
    for attack in ATTACKS:
        for path in ("/search/", "/api/search/"):
            started = time.monotonic()
            response = client.get(path, {"q": attack})
            assert response.status_code == 200, (path, attack, response.status_code)
            assert time.monotonic() - started < 2.0, (path, attack)
