"""Encodings are made here by re-encoding UTF-8 text, as a user's legacy files would be."""

from __future__ import annotations

import codecs

import pytest

from pipeline.collect.encoding import UndecodableError, ascii_compatible, decode, has_private_use, sniff

TEXT = "问题：中文编码测试，包括繁體字與「引號」。\nsecond line 第二行\n"
TRADITIONAL = '{"instruction": "請問臺灣的首都是哪裡？", "output": "臺北市是臺灣的首都，也是最大的城市之一。"}\n' * 3


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


def test_big5_is_told_apart_from_gb18030() -> None:
    """GB18030 decodes Big5 bytes "successfully" into gibberish with private-use characters."""
    data = TRADITIONAL.encode("big5")
    assert has_private_use(data.decode("gb18030"))  # the trap this test is about
    decoded = decode(data)
    assert decoded.encoding == "big5"
    assert decoded.text == TRADITIONAL


@pytest.mark.parametrize("name", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_mark_is_found_by_its_nul_bytes(name: str) -> None:
    data = '{"instruction": "你好", "output": "您好！"}\n'.encode(name) * 4
    assert sniff(data, complete=True) == name
    assert not ascii_compatible(name)


def test_utf16_looking_bytes_that_do_not_decode_say_so() -> None:
    data = '{"a": "b"}\n'.encode("utf-16-le") * 4 + b"\x00\xdc" + "x".encode("utf-16-le")  # a lone surrogate
    with pytest.raises(UndecodableError, match="UTF-16-LE without a byte-order mark"):
        sniff(data, complete=True)


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


def test_a_utf8_file_with_a_corrupt_line_stays_utf8() -> None:
    lines = ['{"a": "第一行"}'.encode(), b'{"a": "\xff\xfe broken"}', '{"a": "第三行"}'.encode()]
    assert sniff(b"\n".join(lines), complete=True) == "utf-8"


def test_a_sample_cut_inside_a_character_is_not_held_against_it() -> None:
    data = "中文" * 100
    sample = data.encode("utf-8")[:-1]
    assert sniff(sample, complete=False) == "utf-8"
