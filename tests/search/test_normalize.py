"""One normalisation for index and query: simplified, half-width, lower case, digits."""

import pytest

from search.normalize import fold, normalize


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
