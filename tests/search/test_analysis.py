"""The analysers: jieba words with renumbered positions, character grams, pinyin."""

from jieba.analyse import ChineseAnalyzer

from search.analysis import grams
from search.backends.whoosh.analysis import GramAnalyzer, JiebaAnalyzer, PinyinAnalyzer


def _tokens(analyzer, text):
    return [(t.text, t.pos) for t in analyzer(text, positions=True)]


def test_jieba_positions_are_consecutive_not_character_offsets():
    # jieba's own whoosh tokenizer uses character offsets: phrase queries then fail.
    stock = [t.pos for t in ChineseAnalyzer()("统筹城乡发展", positions=True)]
    assert stock != list(range(len(stock)))
    ours = [pos for _, pos in _tokens(JiebaAnalyzer(), "统筹城乡发展")]
    assert ours == list(range(len(ours)))


def test_jieba_normalises_and_keeps_user_dictionary_words():
    words = [text for text, _ in _tokens(JiebaAnalyzer(), "鎮村一體化 ＭＢＴＩ")]
    assert "镇村一体化" in words
    assert "mbti" in words


def test_grams_have_every_character_and_pair_at_its_position():
    tokens = _tokens(GramAnalyzer(), "农村藕")
    assert ("农", 0) in tokens and ("农村", 0) in tokens
    assert ("藕", 2) in tokens and ("村藕", 1) in tokens


def test_grams_do_not_join_lines():
    tokens = dict(_tokens(GramAnalyzer(), "城乡\n统筹"))
    assert "乡统" not in tokens


def test_grams_of_a_term():
    assert grams("藕") == ["藕"]
    assert grams("城乡统筹") == ["城乡", "乡统", "统筹"]


def test_pinyin_one_syllable_per_character():
    assert [t for t, _ in _tokens(PinyinAnalyzer(), "中山市")] == ["zhong", "shan", "shi"]
    assert [t for t, _ in _tokens(PinyinAnalyzer(), "勞動力")] == ["lao", "dong", "li"]


def test_pinyin_reading_cached_per_word_is_pypinyins_reading():
    from pypinyin import lazy_pinyin

    from search.pinyin import _PINYIN, HAN
    from tests.corpus import ALL_SOURCES

    runs = [m.group(0) for path in ALL_SOURCES for m in HAN.finditer(path.read_text("utf-8"))]
    assert runs
    assert [_PINYIN.read(run) for run in runs] == [lazy_pinyin(run) for run in runs]


def test_term_positions_are_the_token_streams_terms_and_positions():
    """Indexing takes each field's terms in one call: the same as the token stream."""
    from search.analysis import one_document
    from tests.corpus import ALL_SOURCES

    texts = [path.read_text("utf-8")[:3000] for path in ALL_SOURCES[:4]]
    texts += ["城乡\n统筹  ＭＢＴＩ 統籌", "a  b\n\tc d ", "", "  "]
    for analyzer in (JiebaAnalyzer(), GramAnalyzer(), PinyinAnalyzer()):
        for text in texts:
            expected: dict[str, list[int]] = {}
            for term, pos in _tokens(analyzer, text):
                expected.setdefault(term, []).append(pos)
            with one_document():
                assert analyzer.term_positions(text) == expected


def test_a_line_is_cut_once_per_document(monkeypatch):
    """The title is also part of the text: within one document jieba cuts it once."""
    from essays.text.jieba_setup import ensure_jieba
    from search import analysis

    tokenizer = ensure_jieba()
    cuts = []
    original = tokenizer.cut_for_search
    monkeypatch.setattr(
        tokenizer, "cut_for_search", lambda line: cuts.append(line) or original(line)
    )
    with analysis.one_document():
        JiebaAnalyzer().term_positions("城乡统筹发展")
        JiebaAnalyzer().term_positions("城乡统筹发展\n农村劳动力转移")
    assert cuts == ["城乡统筹发展", "农村劳动力转移"]
    JiebaAnalyzer().term_positions("城乡统筹发展")  # outside a document: no memory kept
    assert cuts[-1] == "城乡统筹发展" and len(cuts) == 3


def test_analysers_keep_positions_unless_told_not_to():
    assert JiebaAnalyzer().positions and GramAnalyzer().positions
    assert not JiebaAnalyzer(positions=False).positions
