"""What the essay page computes: reading time, reference markers, topic extracts, ledes."""

import pytest

from essays.models import Essay, Reference, Section
from essays.reading import (
    description,
    lede,
    link_markers,
    reading_minutes,
    reference_targets,
    topic_extracts,
)


def ref(order: int, label: str = "") -> Reference:
    return Reference(order=order, label=label, text=f"文献{order}")


def test_a_marker_links_only_where_a_reference_carries_its_number():
    # 篇11: [1] and [2] in the text, one reference printed as "(1) (3)"
    targets = reference_targets([ref(1, "(1) (3)")])
    assert targets == {1: "ref-1", 3: "ref-1"}
    html = link_markers("产品”。[1]当然，列为目标，[2]这是", targets)
    assert html.count("<a ") == 1
    assert (
        '<a class="ref-marker" id="cite-ref-1-1" href="#ref-1" aria-label="参考文献 1">[1]</a>'
        in html
    )
    assert "[2]这是" in html


def test_document_numbers_in_brackets_are_not_markers():
    targets = reference_targets([ref(n, f"[{n}]") for n in range(1, 4)])
    html = link_markers("《意见》(成委发[2008]37号)规定[3]", targets)
    assert "成委发[2008]37号" in html
    assert html.endswith(
        '<a class="ref-marker" id="cite-ref-3-1" href="#ref-3" aria-label="参考文献 3">[3]</a>'
    )


def test_unlabelled_references_carry_their_order_and_full_width_markers_link():
    targets = reference_targets([ref(1), ref(2)])
    assert 'href="#ref-2"' in link_markers("见［2］", targets)


def test_marker_linking_escapes_the_text_around_it():
    html = link_markers("<script>alert(1)</script>[1]&", {1: "ref-1"})
    assert "<script>" not in html
    assert html.startswith("&lt;script&gt;alert(1)&lt;/script&gt;<a ")
    assert html.endswith("</a>&amp;")


def test_reading_time_counts_characters_at_a_calm_pace():
    essay = Essay(intro="字" * 500)
    sections = [Section(heading="标题", text="字" * 698)]
    assert reading_minutes(essay, sections) == 3
    assert reading_minutes(Essay(intro=""), []) == 1


def test_topic_extracts_pick_the_sections_that_carry_the_topic():
    sections = [
        Section(order=1, heading="引言", text="与主题无关的一段话。"),
        Section(order=2, heading="城乡统筹", text="推进城乡统筹，实现城乡一体化。" * 2),
        Section(order=3, heading="其他", text="前面有很多很多字" * 10 + "城乡发展" + "后文" * 30),
    ]
    extracts = topic_extracts(sections, {"城乡统筹": 5, "城乡": 1})
    assert [e.section.order for e in extracts] == [2, 3]
    first = extracts[0]
    assert first.match == "城乡统筹" and first.before == "推进"
    assert first.after.startswith("，实现城乡一体化")
    second = extracts[1]
    assert second.match == "城乡"
    assert second.before.startswith("…") and second.after.endswith("…")


def test_a_topic_in_the_heading_only_shows_the_start_of_the_text():
    sections = [Section(order=1, heading="推进城乡统筹", text="第一句话。" * 20)]
    (extract,) = topic_extracts(sections, {"城乡统筹": 5})
    assert extract.match == "" and extract.before == ""
    assert extract.after == ("第一句话。" * 20)[:72] + "…"


def test_no_keywords_no_extracts():
    assert topic_extracts([Section(order=1, text="城乡统筹")], {}) == []


@pytest.mark.parametrize(
    ("texts", "expected"),
    [(("", "  第一行\n第二行 "), "第一行 第二行"), (("字" * 130,), "字" * 119 + "…"), ((), "")],
)
def test_description_is_one_trimmed_line(texts, expected):
    assert description(*texts) == expected


def test_lede_prefers_subtitle_then_intro_then_first_heading():
    essay = Essay(subtitle="", title="同名")
    essay.lede_intro, essay.lede_heading = "", "加快发展现代农业"
    assert lede(essay) == "加快发展现代农业"
    essay.lede_intro = "城郊乡位于县城周边"
    assert lede(essay) == "城郊乡位于县城周边"
    essay.subtitle = "人事部门应怎样提升服务意识"
    assert lede(essay) == "人事部门应怎样提升服务意识"


def test_each_marker_gets_an_id_its_reference_links_back_to():
    targets = reference_targets([ref(1, "[1]"), ref(2, "[2]")])
    first = link_markers("甲[1]乙[2]", targets)
    second = link_markers("丙[1]", targets)
    assert 'id="cite-ref-1-1"' in first and 'id="cite-ref-2-1"' in first
    assert 'id="cite-ref-1-2"' in second
    assert targets.cited == {"ref-1": ["cite-ref-1-1", "cite-ref-1-2"], "ref-2": ["cite-ref-2-1"]}
