"""Decoding source bytes: the encodings documents come in, and files that are refused."""

import codecs

import pytest

from essays.importer.decoding import decode_source
from essays.importer.parsed import SourceError

TEXT = "提升服务意识 统筹城乡发展 篇1\n一、加快发展现代农业\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("utf-16"), "utf-16"),
    ],
)
def test_each_supported_encoding_gives_the_same_text(data, encoding):
    text, detected = decode_source(data)
    assert text == TEXT
    assert detected == encoding


def test_crlf_line_endings_are_kept_in_the_decoded_text():
    text, _ = decode_source(TEXT.replace("\n", "\r\n").encode("utf-8"))
    assert text == TEXT.replace("\n", "\r\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        (b"  \n\t\r\n  ", "空白"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "二进制"),
        (bytes(range(1, 32)) * 20, "控制字符"),
        (b"\x80\x81\xfd\x80\x81" * 10, "编码"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfa", "utf-8-sig"),
    ],
)
def test_unusable_files_are_refused_with_a_chinese_message(data, message):
    with pytest.raises(SourceError, match=message):
        decode_source(data)
