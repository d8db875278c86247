"""Properties every parse of the bundled sources must have, whatever the encoding."""

from pathlib import Path

import pytest

from essays.importer import parse_document

SOURCE_DIR = Path(__file__).resolve().parent / ".." / ".." / ".." / "fixtures" / "source"
SOURCES = ["000_66e2ff588f5fb02b.txt", "003_9514cc16462ea946.txt"]


def load(name: str) -> bytes:
    return (SOURCE_DIR / name).read_bytes()


def source_text(name: str) -> str:
    return load(name).decode("utf-8")


@pytest.fixture(scope="module", params=SOURCES)
def source(request):
    name = request.param
    return name, parse_document(load(name), name)


def test_sources_are_plain_utf8():
    # the premise of the other tests: the fixtures are UTF-8 without BOM, LF line ends
    for name in SOURCES:
        data = load(name)
        assert not data.startswith(b"\xef\xbb\xbf")
        assert b"\r\n" not in data


def test_raw_text_is_the_decoded_source_verbatim(source):
    name, doc = source
    assert doc.raw_text == source_text(name)
    assert doc.encoding.lower().replace("_", "-") in ("utf-8", "utf8")


def gb18030(text: str) -> bytes:
    return text.encode("gb18030")


def utf8_bom_crlf(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


@pytest.mark.parametrize("encode", [gb18030, utf8_bom_crlf], ids=["gb18030", "utf8-bom-crlf"])
def test_reencoded_source_parses_to_equal_result(source, encode):
    name, doc = source
    data = encode(source_text(name))
    other = parse_document(data, name)
    assert other.title == doc.title
    assert other.declared_count == doc.declared_count
    assert len(other.essays) == len(doc.essays)
    for mine, theirs in zip(doc.essays, other.essays, strict=True):
        assert theirs == mine
    assert other.essays == doc.essays
    # the raw text is the same text once the BOM and CR are set aside
    assert other.raw_text.lstrip("\ufeff").replace("\r\n", "\n") == doc.raw_text


def test_gb18030_source_reports_its_encoding(source):
    name, _ = source
    other = parse_document(gb18030(source_text(name)), name)
    assert other.raw_text == source_text(name)
    # GB18030 is a superset of GBK/GB2312; any of the family names is a fair report
    assert other.encoding.lower().replace("-", "").replace("_", "") in (
        "gb18030",
        "gbk",
        "gb2312",
        "cp936",
    )


def test_parent_is_earlier_and_higher(source):
    _, doc = source
    for e in doc.essays:
        for i, s in enumerate(e.sections):
            if s.parent is None:
                assert s.level == 1, (e.number, i, s)
                continue
            assert 0 <= s.parent < i, (e.number, i, s)
            parent = e.sections[s.parent]
            assert parent.level < s.level, (e.number, i, s)


def test_levels_never_jump_more_than_one_below_parent(source):
    _, doc = source
    for e in doc.essays:
        previous_level = 0
        for i, s in enumerate(e.sections):
            assert s.level >= 1
            assert s.level <= previous_level + 1, (e.number, i, s)
            if s.parent is not None:
                assert s.level == e.sections[s.parent].level + 1, (e.number, i, s)
            previous_level = s.level


def test_parent_is_the_nearest_open_section_one_level_up(source):
    # the outline is a tree read top to bottom: a section's parent is the last section
    # before it one level higher
    _, doc = source
    for e in doc.essays:
        for i, s in enumerate(e.sections):
            expected = None
            for j in range(i - 1, -1, -1):
                if e.sections[j].level == s.level - 1:
                    expected = j
                    break
            assert s.parent == expected, (e.number, i, s)


def test_essay_numbers_are_consecutive(source):
    _, doc = source
    assert [e.number for e in doc.essays] == list(range(1, len(doc.essays) + 1))


def test_texts_have_no_blank_or_padded_paragraphs(source):
    _, doc = source
    for e in doc.essays:
        texts = [e.intro] + [s.text for s in e.sections]
        for text in texts:
            if not text:
                continue
            for p in text.split("\n"):
                assert p, (e.number, text[:30])
                assert p == p.strip(), (e.number, p[:30])
                assert "\r" not in p
                assert "\ufeff" not in p
        for s in e.sections:
            assert s.heading == s.heading.strip()
            assert not s.heading.endswith("。")
