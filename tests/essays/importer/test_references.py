"""Reference entries parsed into kind letter, year, authors, title, place and publisher."""

from essays.importer.references import parse_reference, parse_reference_block


def test_book_with_place_and_publisher():
    ref = parse_reference(
        "[1]", "郑功成等:中国社会保障制度变迁与评估[M].北京:中国人民大学出版社, 2002.11"
    )
    assert (ref.kind, ref.year) == ("M", 2002)
    assert (ref.authors, ref.title) == ("郑功成等", "中国社会保障制度变迁与评估")
    assert (ref.place, ref.publisher) == ("北京", "中国人民大学出版社")


def test_journal_article_with_issue_glued_to_the_year():
    ref = parse_reference("[1]", "王涛. 高等院校党政管理工作实施探析[J].才智, 2012(01).")
    assert (ref.kind, ref.year, ref.authors) == ("J", 2012, "王涛")
    assert (ref.title, ref.publisher) == ("高等院校党政管理工作实施探析", "才智")


def test_entry_without_type_letter_has_empty_kind():
    ref = parse_reference("[5]", "寒冰:城乡就业一体化的积极探索.四川劳动保障, 2004 (10)")
    assert (ref.kind, ref.year) == ("", 2004)
    assert (ref.title, ref.publisher) == ("城乡就业一体化的积极探索", "四川劳动保障")


def test_entry_without_year():
    ref = parse_reference(
        "[8]", "徐震:农村劳动力转移就业是促进农民增收的现实选择.中共合肥市党校学报."
    )
    assert ref.year is None
    assert ref.publisher == "中共合肥市党校学报"


def test_document_number_in_the_title_is_not_the_kind_or_the_year_source():
    ref = parse_reference(
        "(1) (3)",
        "中共成都市委, 成都市人民政府.关于深入开展国家公共文化服务体系示范区创建工作的实施意见 "
        "(成委发[2012]12号) [Z].2012.",
    )
    assert (ref.kind, ref.year) == ("Z", 2012)
    assert ref.authors == "中共成都市委, 成都市人民政府"
    assert ref.title.endswith("(成委发[2012]12号)")


def test_online_resource_kind_keeps_the_letters():
    ref = parse_reference("[2]", "国务院:政府信息公开条例[EB/OL].http://www.gov.cn, 2007")
    assert ref.kind == "EB"


def test_block_labels_and_continuation_lines():
    refs = parse_reference_block(["(1) (3) 某某.某文件[Z].", "2012."])
    assert len(refs) == 1
    assert refs[0].label == "(1) (3)"
    assert refs[0].year == 2012
