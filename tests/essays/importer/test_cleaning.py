"""Noise removal: OCR digits, page numbers, broken lines, site boilerplate."""

import pytest

from essays.importer import cleaning


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("以6 0 0万人左右的速度递增", "以600万人左右的速度递增"),
        ("2 0 0 3年, 到广东就业", "2003年, 到广东就业"),
        ("合计吸纳农村外出劳动力的2 7.5%。", "合计吸纳农村外出劳动力的27.5%。"),
        ("任何时 1 期都能从讲政治的高度", "任何时期都能从讲政治的高度"),
        ("从基层工作汇报中概括经 5 验信息", "从基层工作汇报中概括经验信息"),
        # Numbers that are really numbers stay as they are.
        ("比上年提高2.5个百分点", "比上年提高2.5个百分点"),
        ("2.1 全面部署, 逐步推进", "2.1 全面部署, 逐步推进"),
        ("农业经济问题, 2001 (5)", "农业经济问题, 2001 (5)"),
        ("(1) (3) 中共成都市委", "(1) (3) 中共成都市委"),
    ],
)
def test_repair_digits(raw, clean):
    assert cleaning.repair_digits(raw) == clean


def test_a_line_broken_mid_sentence_joins_the_next_also_across_a_blank_line():
    lines = [
        "许多政府机关的服务观念滞后效能低下,不同程度的影响了发展的机遇,必须尽快转变观念积极打",
        "",
        "造服务型政府。",
        "下一段。",
    ]
    assert cleaning.join_broken_lines(lines) == [
        "许多政府机关的服务观念滞后效能低下,不同程度的影响了发展的机遇,必须尽快转变观念积极打造服务型政府。",
        "下一段。",
    ]


def test_a_heading_without_closing_punctuation_does_not_swallow_the_next_line():
    lines = [
        "1、逐步建立城乡统一的劳动力市场, 实现进城务工农村劳动力的平等地位",
        "各级政府及各有关部门。",
    ]
    assert cleaning.join_broken_lines(lines) == lines


def test_a_long_unfinished_line_stops_before_a_heading():
    lines = [
        "案例:某酒楼品牌啤酒终端导购林小姐一句话损失500元的过错分析 第四模块 由态度,性格及沟通方式决定的客户服务偏好",
        "1.客户服务偏好是提供优秀客户服务的前提",
    ]
    assert cleaning.join_broken_lines(lines) == lines


def test_trailing_site_lists_are_cut():
    lines = ["正文。", "相关文档", "别的文档", "最新文档"]
    assert cleaning.cut_trailing_block(lines) == ["正文。"]
    lines = ["正文。", "【某文集】推荐阅读:", "别的文档07-04"]
    assert cleaning.cut_trailing_block(lines) == ["正文。"]


@pytest.mark.parametrize(
    "line",
    [
        "合集下载",
        "1. 1、下载文档前请自行甄别文档内容的完整性,平台不提供额外的编辑、内容补充、找答案等附加服务。",
        "12",
        "- 3 -",
        "第3页",
        "打造学习型服务型政府",
    ],
)
def test_noise_lines(line):
    assert cleaning.is_noise_line(line, {"打造学习型服务型政府"})


def test_body_text_is_not_noise():
    assert not cleaning.is_noise_line("二天,12小时", {"打造学习型服务型政府"})
