"""Expectations for fixtures/source/003 (打造学习型服务型政府), one standalone essay.

Written by reading the source line by line and applying essays/importer/MARKUP.md; "L12"
refers to line 12 of the source file. Where MARKUP.md is silent a comment says so.
"""

import pytest

from tests.essays.importer.outline import all_paragraphs, outline, paras, parse_source

SOURCE_NAME = "003_9514cc16462ea946.txt"
TITLE = "打造学习型服务型政府"


@pytest.fixture(scope="module")
def doc():
    return parse_source(SOURCE_NAME)


@pytest.fixture(scope="module")
def essay(doc):
    assert len(doc.essays) == 1
    return doc.essays[0]


# (一)'s first sentence is exactly 50 characters once the closing 。 is dropped: "longer than
# 50" is not met, so it is a heading and the rest of L34 is its text.
HEADING_1 = (
    "打造学习型组织,营造良好的机制和氛围,不断激发政府和公务员的创造力,"
    "使大家更加勤奋聪明快乐的创新服务"
)

OUTLINE = [
    # L16: short, no closing punctuation, not after a heading, followed by text -> an
    # unnumbered level-1 heading.
    (1, "", "提高政府服务水平,具有十分重要的意义,不仅是必要的,而且是可行的", None),
    # Ordinal leads stand alone in this essay (L18 `首先是…。`), so every ordinal-led
    # paragraph with a short first sentence is a heading one level below, lead kept.
    (2, "", "首先是形势逼人、大势所趋", 0),  # L18
    (2, "", "其次是社会需求和百姓的期盼", 0),  # L22, rest of the paragraph is text
    (2, "", "第三是打造政府品牌,提升政府和城市核心竞争力的需要", 0),  # L24
    (2, "", "第四,政府服务严重滞后的现状增加了打造学习型服务型政府的迫切性和艰巨性", 0),  # L26
    # numbered headings after an unnumbered heading start again at level 1
    (1, "(一)", HEADING_1, None),  # L34 `(一)、`
    (1, "(二)", "确立全新理念,强化服务意识", None),  # L36
    (1, "(二)", "搭建服务平台,重树服务形象", None),  # glued to the end of L38, printed (二) again
    (1, "(三)", "转变职能创新服务,提高政府的服务能力", None),  # L40
]


def test_document(doc):
    assert doc.title == TITLE
    # MARKUP.md: no `(共N篇)` line, so nothing is declared; a careful reader records None.
    assert doc.declared_count is None
    assert [e.number for e in doc.essays] == [1]


def test_title_and_subtitle(essay):
    assert essay.title == TITLE
    assert essay.subtitle == "提高政府服务水平"  # L10
    assert essay.keywords == []
    assert essay.references == []


def test_intro(essay):
    # L8 repeats the title (noise), L10 is the subtitle; the intro is L12 only.
    assert essay.intro == (
        "随着中国的入世,随着现代企业服务品质的提高、随着人民群众对服务期盼质的提高,"
        "更随着中央十五届六中全会的召开,继大连、上海、北京等城市提出创建学习型城市、"
        "打造服务型政府的举措后,全国各地各级政府都在改进作风,着手打造学习型服务型政府,"
        "改进自己的服务,重塑新形势下的政府形象。党的十六大召开,"
        "新一轮打造服务型政府的高潮已经兴起。"
    )


def test_outline(essay):
    assert outline(essay) == OUTLINE


def test_unnumbered_heading_has_no_text(essay):
    assert essay.sections[0].text == ""


def test_ordinal_sections(essay):
    s = essay.sections
    assert s[1].text.startswith("经济全球化、信息化、市场化与民主化已是当代四大国际性潮流。")
    assert s[1].text.endswith("政府的职能必须从管理型计划型向学习型服务型民主型转变。")
    assert "\n" not in s[1].text
    assert s[2].text.startswith("服务的水平既是社会进步的标志,")
    assert s[2].text.endswith("改变政府职能提高服务效能乃是人心所向和最佳选择。")
    assert s[3].text.startswith("经济文化服务全球化一体化使我们进入了这样一个时代,")
    assert s[3].text.endswith("城市靠政府打造升值,城市提升政府的品牌效应。")


def test_line_joined_across_blank_line(essay):
    # L28 stops at `积极打` (long line, no closing punctuation); L30 continues `造服务型政府。`
    p = paras(essay.sections[4].text)
    assert len(p) == 2
    assert p[0].startswith("政府的特殊身份和特殊地位,")
    assert p[0].endswith("必须尽快转变观念积极打造服务型政府。")
    assert "积极打造服务型政府" in p[0]
    # L32 begins with the title words but is a full sentence, not a title repeat; it has
    # no heading of its own, so it stays text of the current section (第四).
    assert p[1] == (
        "打造学习型服务型政府是一个牵一发动全身的战略工程系统工程,"
        "需要进行观念的革命、机制的创新、流程的再造和职能的转变,"
        "需要从公务员的意识到政府的机制流程进行观念更新、服务转型。"
    )


def test_numbered_sections(essay):
    s = essay.sections
    assert s[5].text.startswith("构建危机文化,强化忧患意识,保持居危思进的精神状态;")
    assert s[5].text.endswith("做到工作学习化,学习工作化,积极培育高素质的复合型人才。")
    # the glued `(二)、搭建服务平台,…` is split off the end of L38
    assert s[6].text.startswith("服务是一篇内涵很深外延很广的大文章,")
    assert s[6].text.endswith("不断提升服务顾客的核心能力。")
    assert "搭建服务平台" not in s[6].text
    assert "\n" not in s[6].text
    assert s[7].text.startswith("要继续开展“创三优一满意”文明机关、文明窗口、文明处室活动,")
    assert s[7].text.endswith("、“四满意(基层满意百姓满意同行满意上级满意)。")
    assert s[8].text.startswith("要借鉴现代企业的服务理念服务模式,变管理型为服务型政府,")


def test_truncated_last_word_stays(essay):
    # L40 ends `热线网络服务。使` (the source is cut off); the `使` is kept.
    assert essay.sections[8].text.endswith("挂牌服务、热线网络服务。使")


def test_no_download_notices_or_related_documents(essay):
    text = essay.full_text()
    for noise in ("合集下载", "下载文档", "仅部分预览", "人工客服", "相关文档", "最新文档"):
        assert noise not in text


def test_title_repeats_are_not_text(essay):
    # L8 and L14 repeat the title: noise. L10 is the subtitle, not text.
    for p in all_paragraphs(essay):
        assert p.strip() != TITLE
        assert p.strip() != "提高政府服务水平"
    assert all(s.heading != TITLE for s in essay.sections)


def test_raw_text_keeps_the_noise(doc):
    assert "合集下载" in doc.raw_text
    assert doc.raw_text.rstrip().endswith("最新文档")
