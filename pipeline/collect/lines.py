"""Numbered lines from a binary stream, split on "\\n" only, each capped before it is decoded.

`str.splitlines` also splits on U+2028, U+2029, U+0085 and a few control characters, all legal
inside a JSON string: it cut rows in two and shifted every later line number. In UTF-8 and the
Chinese legacy encodings a 0x0A byte is always a newline (no multi-byte character contains one),
so lines are cut in bytes and decoded one by one: one corrupt line loses that line only. UTF-16
and UTF-32 have NUL-padded newlines and go through a decoding text stream instead.

A line longer than the cap is skipped in pieces, never held whole: a 2 GB line costs nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from pipeline.collect.encoding import ascii_compatible
from pipeline.collect.problems import FileProblem

_SKIP_PIECE = 1 << 20


@dataclass(frozen=True, slots=True)
class Line:
    """One line: `text` (without its newline unless asked), or a reason code why there is none."""

    number: int
    text: str | None
    reason: str = ""
    detail: str = ""
    size: int = 0


def decoded_lines(
    handle: BinaryIO,
    encoding: str,
    max_bytes: int,
    *,
    first_line: int = 1,
    length: int | None = None,
    at_start: bool = True,
    keep_ends: bool = False,
) -> Iterator[Line]:
    """The lines of `handle` from where it stands; `length` bytes at most when given.

    `at_start`: the handle stands at the start of the file, where a byte-order mark may be.
    """
    if ascii_compatible(encoding):
        return _byte_lines(handle, encoding, max_bytes, first_line, length, at_start, keep_ends)
    return _wide_lines(handle, encoding, max_bytes, first_line, keep_ends)


def _byte_lines(
    handle: BinaryIO,
    encoding: str,
    max_bytes: int,
    number: int,
    length: int | None,
    at_start: bool,
    keep_ends: bool,
) -> Iterator[Line]:
    line_codec = "utf-8" if encoding.lower().replace("_", "-") == "utf-8-sig" else encoding
    left = length
    first = at_start
    while left is None or left > 0:
        try:
            raw = handle.readline(max_bytes + 1)
        except FileProblem as problem:  # a compressed stream broke: say from which line on
            raise FileProblem(problem.reason, f"{problem.detail}; lost from line {number} on", number) from None
        if not raw:
            return
        size = len(raw)
        if not raw.endswith(b"\n") and size > max_bytes:
            size += _skip_rest(handle)
            if left is not None:
                left -= size
            yield Line(number, None, "line_too_long", f"{size:,} bytes, more than collect.max_line_bytes", size)
        else:
            if left is not None:
                left -= size
            yield _decoded(number, raw, encoding if first else line_codec, keep_ends, size)
        first = False
        number += 1


def _decoded(number: int, raw: bytes, codec: str, keep_ends: bool, size: int) -> Line:
    body = raw if keep_ends else raw.rstrip(b"\n").removesuffix(b"\r")
    try:
        return Line(number, body.decode(codec), size=size)
    except UnicodeDecodeError as err:
        return Line(number, None, "undecodable_line", f"not valid {codec} at byte {err.start} of the line", size)


def _skip_rest(handle: BinaryIO) -> int:
    skipped = 0
    while True:
        piece = handle.readline(_SKIP_PIECE)
        skipped += len(piece)
        if not piece or piece.endswith(b"\n"):
            return skipped


def _wide_lines(handle: BinaryIO, encoding: str, max_bytes: int, number: int, keep_ends: bool) -> Iterator[Line]:
    """UTF-16/32 lines through a text stream; the cap is in characters (two bytes at least each)."""
    stream = io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline="\n")
    limit = max(1, max_bytes // 2)
    try:
        while True:
            text = stream.readline(limit + 1)
            if not text:
                return
            if not text.endswith("\n") and len(text) > limit:
                while (piece := stream.readline(_SKIP_PIECE)) and not piece.endswith("\n"):
                    pass
                yield Line(number, None, "line_too_long", f"more than {limit:,} characters in {encoding}")
            else:
                yield Line(number, text if keep_ends else text.rstrip("\n").removesuffix("\r"), size=len(text))
            number += 1
    except UnicodeDecodeError as err:
        raise FileProblem(
            "undecodable_file", f"not valid {encoding} from about line {number} on: {err.reason}", number
        ) from None
    finally:
        stream.detach()
