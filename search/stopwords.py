"""Words that carry no meaning on their own in a query (the one list of them).

A reader types ``如何提升党政管理服务意识`` or ``政府服务滞后的问题``: 如何, 的 and 问题 say
how the question is put, not what it is about. When a query is loosened into its words
(:mod:`search.backends.whoosh.matching`), these never make an essay match by themselves
and count for nothing in how much of the query an essay covers. A one-character word
(的, 与, 型, 化) is treated the same way: in an unspaced query it is a particle or an affix far more
often than a concept. Matching the whole typed string is unaffected: ``的问题`` still
finds every essay holding exactly that.
"""

from __future__ import annotations

#: Function words, question words and the filler of paper titles (…问题研究, 浅析…).
_STOP_TEXT = """
    的 地 得 了 着 过 和 与 及 或 而 并 在 对 把 被 从 向 以 于 为 之 其 这 那 是 有 也 都
    如何 怎样 怎么 怎么样 为什么 为何 什么 哪些 哪里 是否 能否 可以 应该
    问题 研究 探讨 探析 探究 浅析 浅谈 试析 初探 略论 简论 论述 分析 思考 对策
    关于 有关 方面 以及 及其 其中 若干 一些 一种 一个 我国 当前 当代 新时期
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())


def is_informative(word: str) -> bool:
    """Whether ``word`` may make an essay match a loosened query (not a stop word,
    longer than one character)."""
    return len(word) > 1 and word not in STOP_WORDS
