"""Real Chinese papers (80 ChinaXiv preprints, CC BY 4.0, in fixtures/chinaxiv): their plain
text, as a reader copies it out of a PDF viewer, imports with the title, numbered
headings, keywords and reference count their markdown shows; and the rules of a paper's
layout, each on a small example."""

from __future__ import annotations

from pathlib import Path

import pytest

from essays.importer import parse_document
from essays.importer.evaluation import TARGETS, evaluate, markdown_truth, summary
from essays.importer.markdown import plain_text
from essays.importer.paper_references import split_authors
from essays.importer.parsed import SourceError

PAPERS = sorted(
    (Path(__file__).resolve().parents[3] / "fixtures" / "chinaxiv" / "papers").glob("*.md")
)


def paper(text: str, name: str = "paper.txt"):
    (essay,) = parse_document(text.encode("utf-8"), name).essays
    return essay


@pytest.fixture(scope="module")
def results():
    return [evaluate(path) for path in PAPERS]


def test_the_development_corpus_is_committed_with_its_attribution():
    assert len(PAPERS) == 80
    readme = (PAPERS[0].parent.parent / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme
    assert (PAPERS[0].parent.parent / "LICENSE").exists()


def test_every_paper_imports_as_one_essay_with_a_body(results):
    assert [r.name for r in results if r.error] == []


@pytest.mark.parametrize("measure", sorted(TARGETS))
def test_the_papers_meet_the_targets(results, measure):
    assert summary(results)[measure] >= TARGETS[measure]


def test_what_the_markdown_shows_is_read_from_its_marks():
    truth = markdown_truth(
        "# 护理园地\n\n# 精细化管理运用于血液透析患者院外护理\n\n罗莉\n\n"
        "摘要：目的探讨。\n\n关键词：精细化管理；血液透析中图分类号：R47\n\n"
        "# 1资料与方法\n\n正文。\n\n# 表1 两组比较\n\n# 1.1一般资料\n\n正文。\n\n"
        "# 参考文献：\n\n[1]甲.题[J].刊,2013,1(2):3.\n[2]乙.题[J].刊,2014.\n"
    )
    assert truth.title == "精细化管理运用于血液透析患者院外护理"
    assert truth.headings == [("1", "资料与方法"), ("1.1", "一般资料")]
    assert truth.keywords == ["精细化管理", "血液透析"]
    assert truth.reference_count == 2


FRONT = """临床研究
CN 53-1189/P ISSN 1672-7673
精细化管理运用于血液透析患者
院外护理的效果观察
罗莉1,2，周瑾1*
1.南方医科大学中西医结合医院护理部，广东广州510513；2.南方医科大学护理学院，广州510515
【摘要】目的探讨精细化管理在血液透析患者院外护理中的作用。方法将180例患者分为两组。
关 键 词：精细化管理；血液透析，院外护理、自我护理能力 中图分类号：R473 文献标志码：A 文章编号：1674-6236(2016)02-0142-04
Delicacy management applied to hemodialysis patients out of hospital
LUO Li, ZHOU Jin
Abstract: Objective To study the application of delicacy management.
Key words: delicacy management; hemodialysis
DOI:10.14022/j.cnki.dzsjgc.2016.02.044
0 引言
血液透析患者逐渐增多，多采用医院-家庭流动式治疗。
1资料与方法
1.1一般资料
取2013年1月至2014年12月在我院住院的患者180例。
2.2.1常权重系数的确定假设由专家给出的权重向量为w，其分量之和为1，据此计算各指标的常权重。
图1 两组患者的护理流程
表2 两组患者自我护理能力比较
结论
精细化管理可提高患者的自我护理能力。
参考文献（References）：
［1］周爱萍.精细化管理在血液透析室护理管理中的应用[J].中外健康文摘，2013,38(9):193-194.
[2］梁燕萍，肖翠艳，吴娇华，等.居家护理对血液透析患者生活质量的影响[J].国际护理
学杂志，2011，30(11):1633-1635.
【3】陈湘玉，谢玮伟. 精细化管理[M]. 北京：人民卫生出版社，2010.
[4] 王新歌，樊少磊. 协同护理模式的影响[J]. 中华护理杂志, 2013, 48(3): 207-209.
[Wang X G, Fan S L. The effect of collaborative care[J]. Chinese Journal of Nursing, 2013, 48(3): 207-209.]
[5] Smith J, Brown K, et al. Dialysis care at home[J]. Kidney International, 2015, 88: 1-9.
"""


def test_the_front_matter_of_a_paper():
    essay = paper(FRONT)
    assert essay.title == "精细化管理运用于血液透析患者院外护理的效果观察"
    front = essay.front_matter
    assert front["column"] == ["临床研究"]
    assert front["header"] == ["CN 53-1189/P ISSN 1672-7673"]
    assert front["authors"] == "罗莉1,2，周瑾1*"
    assert "南方医科大学" in front["affiliations"][0]
    assert front["abstract"].startswith("目的探讨精细化管理")
    assert essay.keywords == ["精细化管理", "血液透析", "院外护理", "自我护理能力"]
    assert front["metadata"]["中图分类号"] == "R473"
    assert front["metadata"]["文献标志码"] == "A"
    assert front["metadata"]["DOI"] == "10.14022/j.cnki.dzsjgc.2016.02.044"
    assert front["english"]["title"].startswith("Delicacy management")
    assert front["english"]["keywords"] == "delicacy management; hemodialysis"
    assert essay.intro.startswith("目的探讨精细化管理")


def test_the_headings_of_a_paper():
    essay = paper(FRONT)
    outline = [(s.level, s.number, s.heading) for s in essay.sections]
    assert outline == [
        (1, "0", "引言"),
        (1, "1", "资料与方法"),
        (2, "1.1", "一般资料"),
        (3, "2.2.1", "常权重系数的确定"),
        (1, "", "结论"),
    ]
    glued = essay.sections[3]
    assert glued.text.startswith("假设由专家给出的权重向量")
    assert "图1 两组患者的护理流程" in glued.text  # captions stay text
    assert not any("Abstract" in s.heading or "Key words" in s.heading for s in essay.sections)


def test_the_references_of_a_paper():
    references = paper(FRONT).references
    assert [r.label for r in references] == ["[1]", "[2]", "[3]", "[4]", "[5]"]
    assert references[1].text.endswith("国际护理学杂志，2011，30(11):1633-1635.")  # joined
    assert "Chinese Journal of Nursing" in references[3].text  # bilingual: one entry
    assert [r.kind for r in references] == ["J", "J", "M", "J", "J"]
    assert [r.year for r in references] == [2013, 2011, 2010, 2013, 2015]
    assert references[2].place == "北京" and references[2].publisher == "人民卫生出版社"
    assert split_authors(references[1].authors) == (["梁燕萍", "肖翠艳", "吴娇华"], True)
    assert split_authors(references[4].authors) == (["Smith J", "Brown K"], True)


@pytest.mark.parametrize(
    ("heading", "entries"),
    [
        ("参考文献", "(1) 甲.题一[J].刊,2001.\n(2) 乙.题二[J].刊,2002.\n"),
        ("References", "1. Li A. Title one[J]. J, 2001.\n2. Wu B. Title two[J]. J, 2002.\n"),
        ("参考文献：", "甲.题一[J].刊,2001,1:2.\n乙.题二[M].北京:出版社,2002.\n"),
    ],
)
def test_reference_label_styles(heading, entries):
    text = f"题目是一篇论文的标题\n作者\n摘要：内容。\n关键词：甲；乙\n1 引言\n正文。\n{heading}\n{entries}"
    assert len(paper(text).references) == 2


def test_markdown_headings_are_honoured():
    markdown = "# 一篇论文的标题在这里\n\n摘要：内容。\n\n# 研究背景与意义\n\n正文。\n"
    essay = paper(markdown, "paper.md")
    assert [s.heading for s in essay.sections] == ["研究背景与意义"]
    assert "#" not in essay.title


def test_a_field_out_of_bounds_is_named_while_parsing():
    text = "长" * 600 + "\n这是正文，内容完整。\n"
    with pytest.raises(SourceError) as raised:
        parse_document(text.encode("utf-8"), "long.txt")
    message = str(raised.value)
    assert message.startswith("long.txt：")
    assert "篇1" in message and "标题" in message and "600" in message and "500" in message


def test_plain_text_drops_marks_images_and_keeps_table_cells():
    markdown = "# 标题\n\n![](images/a.jpg)\n\n<table><tr><td>甲</td><td>1.5</td></tr></table>\n\n$x ^ { 2 }$ 与 **粗体**\n"
    text = plain_text(markdown)
    assert "#" not in text and "images" not in text
    assert "甲 1.5" in text and "x2" in text and "粗体" in text and "**" not in text
