"""A document's identity: its content, or its file name with its title, or an explicit
collection heading; never its first line. Papers that share a column label both survive."""

from __future__ import annotations

import pytest

from essays.models import Collection, Essay
from tests.corpus import import_essays

pytestmark = pytest.mark.django_db


def a_paper(title: str, topic: str) -> str:
    return (
        f"临床研究\n{title}\n张三1，李四2\n1.某某大学医学院，北京100000\n"
        f"摘要：目的探讨{topic}的效果。方法回顾分析。结果有效。\n"
        f"关键词：{topic}；护理；疗效\n"
        f"1 资料与方法\n选取患者100例，分为两组，观察{topic}的效果。\n"
        f"2 结果\n观察组优于对照组，差异有统计学意义。\n"
        f"参考文献\n[1] 王五.{topic}研究[J].中华护理杂志,2015,50(1):1-3.\n"
    )


def test_two_papers_with_the_same_column_label_are_two_collections(tmp_path):
    first = tmp_path / "a.txt"
    second = tmp_path / "b.txt"
    first.write_text(a_paper("耳穴贴压对胸腰椎术后患者便秘的影响", "耳穴贴压"), encoding="utf-8")
    second.write_text(a_paper("精细化管理用于血液透析患者院外护理", "精细化管理"), encoding="utf-8")
    output = import_essays(first, second)
    assert "文档：新建 2" in output
    titles = sorted(Collection.objects.values_list("title", flat=True))
    assert titles == ["精细化管理用于血液透析患者院外护理", "耳穴贴压对胸腰椎术后患者便秘的影响"]
    essay = Essay.objects.get(title="耳穴贴压对胸腰椎术后患者便秘的影响")
    assert essay.front_matter["column"] == ["临床研究"]
    assert essay.keywords == ["耳穴贴压", "护理", "疗效"]


def test_a_reencoded_copy_under_another_name_updates_in_place_and_the_dry_run_says_why(
    tmp_path,
):
    original = tmp_path / "a.txt"
    text = a_paper("耳穴贴压对胸腰椎术后患者便秘的影响", "耳穴贴压")
    original.write_text(text, encoding="utf-8")
    import_essays(original)
    collection = Collection.objects.get()
    copy = tmp_path / "copy-gbk.txt"
    copy.write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    output = import_essays(copy, dry_run=True)
    assert f"更新文集 #{collection.pk}：内容指纹相同" in output
    output = import_essays(copy)
    assert "未变 1 篇" in output
    assert Collection.objects.count() == 1


def test_an_edited_file_under_the_same_name_updates_its_collection(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(a_paper("耳穴贴压对胸腰椎术后患者便秘的影响", "耳穴贴压"), encoding="utf-8")
    import_essays(path)
    path.write_text(
        a_paper("耳穴贴压对胸腰椎术后患者便秘的影响", "耳穴贴压").replace("100例", "120例"),
        encoding="utf-8",
    )
    output = import_essays(path, dry_run=True)
    assert "同一源文件名“a.txt”且标题相同" in output
    assert "篇1 更新" in import_essays(path)
    assert Collection.objects.count() == 1
    assert "120例" in Essay.objects.get().sections.get(number="1").text


def test_the_same_title_in_another_file_with_other_words_is_a_new_collection(tmp_path):
    first, second = tmp_path / "v1.txt", tmp_path / "v2.txt"
    first.write_text(a_paper("耳穴贴压对胸腰椎术后患者便秘的影响", "耳穴贴压"), encoding="utf-8")
    second.write_text(
        a_paper("耳穴贴压对胸腰椎术后患者便秘的影响", "耳穴贴压").replace("100例", "90例"),
        encoding="utf-8",
    )
    import_essays(first)
    output = import_essays(second, dry_run=True)
    assert "新文集：没有内容相同或同名同标题的文集" in output
    import_essays(second)
    assert Collection.objects.count() == 2
