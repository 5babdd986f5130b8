"""Encodings are made here by re-encoding UTF-8 text, as a user's legacy files would be."""

from __future__ import annotations

import codecs

import pytest

from pipeline.collect.encoding import UndecodableError, decode, decode_lines

TEXT = "问题：中文编码测试，包括繁體字與「引號」。\nsecond line 第二行\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("gb18030"), "gb18030"),
        ("中文简体文本，只用 GBK 字符。".encode("gbk"), "gb18030"),
    ],
)
def test_detects_and_decodes(data: bytes, expected: str) -> None:
    decoded = decode(data)
    assert decoded.encoding == expected
    assert decoded.text.lstrip("\ufeff") in (TEXT, "中文简体文本，只用 GBK 字符。")
    assert not decoded.text.startswith("\ufeff")


def test_forced_encoding_is_used_and_checked() -> None:
    big5 = "繁體中文".encode("big5")
    assert decode(big5, "big5").text == "繁體中文"
    with pytest.raises(UndecodableError, match="not valid utf-8"):
        decode("中文".encode("gbk"), "utf-8")
    with pytest.raises(UndecodableError, match="unknown encoding"):
        decode(b"abc", "no-such-codec")


def test_undecodable_bytes_are_refused_with_the_reason() -> None:
    with pytest.raises(UndecodableError, match="GB18030"):
        decode(bytes(range(0x80, 0x100)) * 4)


def test_one_corrupt_line_loses_only_that_line() -> None:
    lines = ['{"a": "第一行"}'.encode(), b'{"a": "\xff\xfe broken"}', '{"a": "第三行"}'.encode()]
    encoding, numbered = decode_lines(b"\n".join(lines))
    assert encoding == "utf-8"
    assert list(numbered) == [(1, '{"a": "第一行"}'), (2, None), (3, '{"a": "第三行"}')]
