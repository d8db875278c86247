"""Toneless-pinyin slugs for Chinese names: 城乡统筹 → ``chengxiang-tongchou``."""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

from essays.text.jieba_setup import ensure_jieba

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def pinyin_slug(name: str) -> str:
    """A slug of the name's toneless pinyin, one hyphen-separated part per word.

    Compounds the dictionary knows as one word (城乡统筹) are split into the words they
    are made of (城乡 + 统筹), so slugs read like ``laodongli-zhuanyi``.
    """
    tokenizer = ensure_jieba()
    words: list[str] = []
    for token in tokenizer.lcut(name):
        words.extend(_split_compound(token, tokenizer))
    parts = [_NOT_SLUG.sub("", "".join(lazy_pinyin(word)).lower()) for word in words]
    return "-".join(part for part in parts if part)[:80].strip("-")


def _split_compound(token: str, tokenizer) -> list[str]:
    """Cover a long token from the left with the longest shorter words inside it."""
    if len(token) <= 2:
        return [token]
    inner = {word for word in tokenizer.lcut_for_search(token) if 1 < len(word) < len(token)}
    if not inner:
        return [token]
    pieces, start = [], 0
    while start < len(token):
        for end in range(len(token), start, -1):
            candidate = token[start:end]
            if candidate in inner or end == start + 1:
                pieces.append(candidate)
                start = end
                break
    # Glue stray single characters to the piece before them (劳动力 + 转移, not 劳动 + 力).
    merged: list[str] = []
    for piece in pieces:
        if len(piece) == 1 and merged:
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged
