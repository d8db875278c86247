"""One normalisation for index and query: simplified, half-width, lower case, digits."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from essays.text.normalize import fold, normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("統籌城鄉", "统筹城乡"),
        ("勞動力轉移", "劳动力转移"),
        ("ＭＢＴＩ", "mbti"),
        ("MbTi", "mbti"),
        ("７４．９％", "74.9%"),
        ("２００３年", "2003年"),
        ("城乡　统筹", "城乡 统筹"),
        ("2 0 0 3年", "2003年"),
        ("6 0 0万", "600万"),
        ("2 7.5%", "27.5%"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_separate_numbers_stay_separate():
    assert normalize("2003 2004") == "2003 2004"
    assert normalize("第1 2期") == "第1 2期"


def test_fold_keeps_length_so_offsets_map_back():
    text = "統籌城鄉發展，ＭＢＴＩ客戶服務 İ 2 0 0 3年"
    assert len(fold(text)) == len(text)


def _reference_fold(text: str) -> str:
    """fold as it was first written: OpenCC over the whole text, lower case per character."""
    from essays.text.normalize import _FULLWIDTH, _lower_char, _t2s

    text = text.translate(_FULLWIDTH)
    converter = _t2s()
    simplified = converter.convert(text)
    if len(simplified) != len(text):
        simplified = "".join(
            converted if len(converted := converter.convert(char)) == 1 else char for char in text
        )
    return "".join(_lower_char(char) for char in simplified)


def test_fold_converts_only_what_opencc_would_and_gives_its_result():
    from opencc import OpenCC

    from tests.corpus import ALL_SOURCES

    paragraphs = [
        line for path in ALL_SOURCES for line in path.read_text("utf-8").splitlines() if line
    ]
    to_traditional = OpenCC("s2t")
    samples = [
        *paragraphs,
        *(to_traditional.convert(p) for p in paragraphs[::5]),
        "乾隆皇帝的頭髮，著作權與瞭解",
        "ΑΣ ΟΔΟΣ İstanbul ＭＢＴＩ",
    ]
    assert [fold(text) for text in samples] == [_reference_fold(text) for text in samples]


_PHRASE_MIX = ["乾隆", "乾燥", "著作", "瞭解", "頭髮", "有序", "藉由", "於是", "發", "髮", "乾"]
_OTHER_MIX = [
    "统筹",
    "城乡",
    "，",
    ",",
    "（",
    "(",
    "／",
    "/",
    " ",
    "\u3000",
    "-",
    "Σ",
    "ΑΣ",
    "İ",
    "ＭＢ",
    "Ab",
    "𠀀",
]


@given(st.lists(st.sampled_from(_PHRASE_MIX + _OTHER_MIX), max_size=30))
@settings(max_examples=400, deadline=None)
def test_fold_by_table_equals_opencc_around_phrases_and_separators(pieces):
    """The table fold with OpenCC for phrase pieces gives OpenCC's answer, wherever
    the phrases, separators, full-width forms and cased letters fall."""
    text = "".join(pieces)
    assert fold(text) == _reference_fold(text)
    assert len(fold(text)) == len(text)
