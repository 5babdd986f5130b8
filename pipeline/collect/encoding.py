"""Decode raw bytes from the encodings Chinese data arrives in.

Order matters: a byte-order mark is proof; strict UTF-8 almost never decodes text written in
another encoding by accident; GB18030 (a superset of GBK and GB2312) is the usual mainland
legacy encoding, tried last because it accepts many byte sequences.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass

# UTF-32 LE's mark begins with UTF-16 LE's, so the longer marks are tried first.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UNMARKED = ("utf-8", "gb18030")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


class UndecodableError(ValueError):
    """The bytes are in none of the supported encodings (or not in the one forced)."""


def decode(data: bytes, forced: str | None = None) -> Decoded:
    if forced:
        try:
            return Decoded(data.decode(forced), forced)
        except UnicodeDecodeError as err:
            raise UndecodableError(f"not valid {forced} at byte {err.start}") from None
        except LookupError:
            raise UndecodableError(f"unknown encoding {forced!r} in the source config") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(name), name)
            except UnicodeDecodeError as err:
                raise UndecodableError(f"starts with a {name} byte-order mark but breaks at byte {err.start}") from None
    for name in _UNMARKED:
        try:
            return Decoded(data.decode(name), name)
        except UnicodeDecodeError:
            continue
    raise UndecodableError("neither UTF-8 (with or without BOM), UTF-16/32 with BOM, nor GB18030/GBK")


def decode_lines(data: bytes, forced: str | None = None) -> tuple[str, Iterator[tuple[int, str | None]]]:
    """Lines of a line-oriented file; a line that cannot be decoded comes back as None.

    A JSONL file with one corrupt line should lose that line, not the file, so when the whole
    file fails every encoding, lines are decoded one by one as UTF-8 (as long as most of them are).
    """
    try:
        decoded = decode(data, forced)
        return decoded.encoding, _numbered(decoded.text.splitlines())
    except UndecodableError:
        if forced:
            raise
    raw_lines = data.split(b"\n")
    good = sum(1 for raw in raw_lines if _utf8_or_none(raw) is not None)
    if good < 0.5 * len(raw_lines):
        raise UndecodableError("neither UTF-8 (with or without BOM), UTF-16/32 with BOM, nor GB18030/GBK")
    lines = (_utf8_or_none(raw) for raw in raw_lines)
    return "utf-8", _numbered(lines)


def _utf8_or_none(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None


def _numbered(lines) -> Iterator[tuple[int, str | None]]:
    return ((number, line) for number, line in enumerate(lines, start=1))
