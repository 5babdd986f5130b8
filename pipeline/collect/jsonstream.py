"""A JSON file read value by value with a bounded buffer: an array element by element, or
top-level values one after another (a single object, or JSONL saved as `.json`).

Each value is parsed by the C decoder (`raw_decode`) straight from the buffer; when it runs off
the end of the buffer, more text is read and the value parsed again. A value longer than the
cap, or one the decoder cannot take (too deep, NaN, a 5,000-digit number), is skipped by a small
structural scanner that keeps only its state (depth, inside a string or not), never its text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TextIO

from pipeline.collect.jsonvalue import DECODER, check, problem_of
from pipeline.collect.problems import FileProblem, RowProblem
from pipeline.collect.rows import Row

_READ = 1 << 20
_NON_SPACE = re.compile(r"[^ \t\r\n]")
_STRUCTURE = re.compile(r'[\[\]{}"]')
_IN_STRING = re.compile(r'["\\]')
_SCALAR_END = re.compile(r"[,\]}\s]")


class _Buffer:
    """The unread part of a text stream, with the line number of any position in it."""

    def __init__(self, stream: TextIO, encoding: str) -> None:
        self._stream = stream
        self._encoding = encoding
        self.text = ""
        self.eof = False
        self._counted = 0  # position up to which newlines are counted
        self._line = 1  # the line at `_counted`

    def fill(self) -> bool:
        if self.eof:
            return False
        try:
            more = self._stream.read(_READ)
        except UnicodeDecodeError as err:
            line = self.line_at(len(self.text))
            raise FileProblem(
                "undecodable_file", f"not valid {self._encoding} after line {line}: {err.reason}", line
            ) from None
        if not more:
            self.eof = True
            return False
        self.text += more
        return True

    def line_at(self, position: int) -> int:
        if position < self._counted:
            return self._line - self.text.count("\n", position, self._counted)
        self._line += self.text.count("\n", self._counted, position)
        self._counted = position
        return self._line

    def drop(self, position: int) -> int:
        """Forget the text before `position`; the same place is 0 afterwards."""
        self._line = self.line_at(position)
        self.text = self.text[position:]
        self._counted = 0
        return 0

    def non_space(self, position: int) -> int | None:
        """The first position at or after `position` that is not JSON whitespace; None at the end."""
        while True:
            found = _NON_SPACE.search(self.text, position)
            if found:
                return found.start()
            position = self.drop(len(self.text))
            if not self.fill():
                return None

    def next_line(self, position: int) -> int | None:
        while True:
            newline = self.text.find("\n", position)
            if newline >= 0:
                return newline + 1
            position = self.drop(len(self.text))
            if not self.fill():
                return None


def json_rows(stream: TextIO, encoding: str, max_chars: int) -> Iterator[Row]:
    buffer = _Buffer(stream, encoding)
    buffer.fill()
    start = buffer.non_space(0)
    if start is None:
        return
    if buffer.text[start] == "[":
        yield from _array(buffer, start + 1, max_chars)
    else:
        yield from _documents(buffer, start, max_chars)


def _array(buffer: _Buffer, position: int, max_chars: int) -> Iterator[Row]:
    expect_value, count = True, 0
    while True:
        found = buffer.non_space(position)
        if found is None:
            yield Row(buffer.line_at(len(buffer.text)), reason="malformed_json", detail="the array is never closed")
            return
        char = buffer.text[found]
        if char == "]":
            if count == 0:
                yield Row(None, reason="empty_file", detail="an empty JSON array")
            yield from _trailing(buffer, found + 1)
            return
        if not expect_value:
            if char != ",":
                detail = f"expected ',' or ']' at line {buffer.line_at(found)}; the rest of the array is unreadable"
                yield Row(buffer.line_at(found), reason="malformed_json", detail=detail)
                return
            position, expect_value = found + 1, True
            continue
        row, end = _value(buffer, found, max_chars)
        count += 1
        if end is None:
            yield Row(row.line, reason=row.reason, detail=f"{row.detail}; the rest of the array is unreadable")
            return
        yield row
        position, expect_value = end, False
        if position > _READ:
            position = buffer.drop(position)


def _documents(buffer: _Buffer, position: int | None, max_chars: int) -> Iterator[Row]:
    """Values one after another; after a broken one, reading goes on at the next line (JSONL)."""
    while position is not None:
        found = buffer.non_space(position)
        if found is None:
            return
        row, end = _value(buffer, found, max_chars)
        if end is None:
            end = buffer.next_line(found)
        yield row
        position = end
        if position is not None and position > _READ:
            position = buffer.drop(position)


def _trailing(buffer: _Buffer, position: int) -> Iterator[Row]:
    found = buffer.non_space(position)
    if found is not None:
        line = buffer.line_at(found)
        yield Row(line, reason="malformed_json", detail="text after the array's closing bracket, not read")


def _value(buffer: _Buffer, position: int, max_chars: int) -> tuple[Row, int | None]:
    """The row of the value at `position` and where it ends (None: no way to know where)."""
    line = buffer.line_at(position)
    while True:
        try:
            value, end = DECODER.raw_decode(buffer.text, position)
        except json.JSONDecodeError as err:
            if not buffer.eof and (err.pos >= len(buffer.text) - 8 or err.msg.startswith("Unterminated string")):
                if len(buffer.text) - position > max_chars:
                    return _too_long(line, max_chars), _skip_value(buffer, position)
                buffer.fill()
                continue
            detail = f"{err.msg} (line {buffer.line_at(err.pos)})"
            return Row(line, reason="malformed_json", detail=detail), None
        except (RecursionError, ValueError) as err:
            problem = problem_of(err)
            return Row(line, reason=problem.reason, detail=problem.detail), _skip_value(buffer, position)
        if end >= len(buffer.text) and buffer.fill():
            continue  # a number or literal may go on in the next read
        if end - position > max_chars:
            return _too_long(line, max_chars), end
        try:
            check(value, buffer.text[position:end])
        except RowProblem as problem:
            return Row(line, reason=problem.reason, detail=problem.detail), end
        return Row(line, value), end


def _too_long(line: int, max_chars: int) -> Row:
    return Row(line, reason="line_too_long", detail=f"a value of more than {max_chars:,} characters")


def _skip_value(buffer: _Buffer, position: int) -> int | None:
    """Where the value at `position` ends, scanning structure only; None when it never ends."""
    if buffer.text[position] not in '[{"':
        while True:
            found = _SCALAR_END.search(buffer.text, position)
            if found:
                return found.start()
            position = buffer.drop(len(buffer.text))
            if not buffer.fill():
                return len(buffer.text)
    depth, in_string = 0, False
    while True:
        found = (_IN_STRING if in_string else _STRUCTURE).search(buffer.text, position)
        if found is None or (found.group() == "\\" and found.end() >= len(buffer.text)):
            position = buffer.drop(found.start() if found else len(buffer.text))
            if not buffer.fill():
                return None
            continue
        char, position = found.group(), found.end()
        if char == "\\":
            position += 1
        elif char == '"':
            in_string = not in_string
            if not in_string and depth == 0:
                return position
        elif char in "[{":
            depth += 1
        else:
            depth -= 1
            if depth <= 0:
                return position
