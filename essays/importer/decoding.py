"""Turn the bytes of a source document into text, or refuse it with a clear message."""

from __future__ import annotations

import codecs
import hashlib
import unicodedata

from .parsed import SourceError

#: Control characters that never occur in a plain-text document.
_TEXT_CONTROLS = {"\n", "\r", "\t", "\f", "\v"}
#: Above this share of control characters the "text" is really binary data.
_MAX_CONTROL_SHARE = 0.01


def decode_source(data: bytes) -> tuple[str, str]:
    """Decode a document: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.

    Returns the text (BOM removed, otherwise verbatim) and the encoding's name.
    Raises ``SourceError`` for an empty, blank, binary or undecodable file.
    """
    if not data:
        raise SourceError("文件是空的，没有可导入的内容。")
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SourceError("这是二进制文件，不是纯文本文档，无法导入。")
    text, encoding = _decode(data)
    if not text.strip():
        raise SourceError("文件只有空白字符，没有可导入的内容。")
    controls = sum(
        1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS
    )
    if controls > max(2, len(text) * _MAX_CONTROL_SHARE):
        raise SourceError("文件含有大量控制字符，看起来是二进制文件，无法导入。")
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    boms = [
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ]
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                return data.decode(encoding).lstrip("\ufeff"), encoding
            except UnicodeDecodeError as error:
                raise SourceError(
                    f"文件以 {encoding} 标记开头，但第 {error.start} 字节处的内容无法按该编码解码。"
                ) from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    _refuse_damaged_utf8(data, utf8_error)
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    raise SourceError("无法识别文件编码：只支持 UTF-8（可带 BOM）与 GB18030/GBK 编码的纯文本。")


#: A file whose first bytes hold this many non-ASCII characters of valid UTF-8 is UTF-8.
_UTF8_EVIDENCE = 8


def _refuse_damaged_utf8(data: bytes, error: UnicodeDecodeError) -> None:
    """Refuse a UTF-8 file that is cut off or has another encoding mixed in.

    Decoding such a file as GB18030 could succeed and import mojibake, so it is refused
    with where the damage is.
    """
    valid = data[: error.start].decode("utf-8")
    if sum(1 for ch in valid if ord(ch) > 0x7F) < _UTF8_EVIDENCE:
        return  # no evidence of UTF-8: let GB18030 try
    if error.end >= len(data) and error.reason == "unexpected end of data":
        raise SourceError(f"文件在末尾被截断：第 {error.start} 字节起的最后一个字不完整。")
    raise SourceError(
        f"文件是 UTF-8 编码，但第 {error.start} 字节处的内容不是 UTF-8："
        "可能混用了多种编码（例如 GBK 的段落）或文件已损坏。"
    )


def text_fingerprint(text: str) -> str:
    """SHA-256 of a document's text with encoding artefacts removed.

    Line endings, a BOM, Unicode normalisation (NFC), trailing spaces and blank lines
    at either end do not change it, so a re-encoded or re-saved copy of a file has the
    same fingerprint as the original; any change to the words does.
    """
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return hashlib.sha256("\n".join(lines).strip("\n").encode("utf-8")).hexdigest()
