"""CSV and TSV rows, streamed, with unterminated quotes found and their damage undone.

An unterminated quote makes a CSV parser read every following line into one field until the
next quote character somewhere below, so rows vanish into one answer without any error. Quotes
are parsed strictly (a closing quote must be followed by a delimiter or the end of the line), and
a record that spans several lines is accepted only when it parses cleanly into as many cells as
the header has. Otherwise the record is refused as `malformed_csv` at the line where its quote
opened, and the lines after that one are read again as rows of their own: nothing is swallowed.

A record is held in memory only up to `collect.max_line_bytes`; a quote still open past that is
treated as unterminated in the same way.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator

from pipeline.collect.lines import Line
from pipeline.collect.rows import Row


class _BadLine(Exception):
    def __init__(self, line: Line) -> None:
        self.line = line


class _Overflow(Exception):
    pass


class _Feed:
    """Lines for `csv.reader`, remembering those of the current record so they can be read again."""

    def __init__(self, lines: Iterator[Line], max_bytes: int) -> None:
        self._lines = lines
        self._back: deque[Line] = deque()
        self._max_bytes = max_bytes
        self.taken: list[Line] = []
        self._size = 0

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self._back.popleft() if self._back else next(self._lines)
        self.taken.append(line)
        if line.text is None:
            raise _BadLine(line)
        self._size += line.size
        if self._size > self._max_bytes and len(self.taken) > 1:
            raise _Overflow
        return line.text

    def start_record(self) -> None:
        self.taken, self._size = [], 0

    def read_again(self, lines: list[Line]) -> None:
        self._back.extendleft(reversed(lines))


def csv_rows(lines: Iterator[Line], delimiter: str, max_bytes: int) -> Iterator[Row]:
    """Rows as dicts keyed by the header; `lines` keep their line endings."""
    feed = _Feed(lines, max_bytes)
    header: list[str] | None = None
    rows = 0
    while True:
        feed.start_record()
        try:
            cells = next(csv.reader(feed, delimiter=delimiter, strict=True))
        except StopIteration:
            break
        except _BadLine as bad:
            yield _bad_line(feed.taken, bad.line)
            continue
        except (csv.Error, _Overflow) as err:
            yield _broken(feed.taken, err)
            feed.read_again(feed.taken[1:])
            continue
        taken = feed.taken
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = cells
            continue
        rows += 1
        if len(cells) != len(header):
            detail = f"{len(cells)} cells where the header has {len(header)}"
            if len(taken) > 1:
                detail += f"; the quote opened on line {taken[0].number} is probably unterminated"
                feed.read_again(taken[1:])
            yield Row(taken[0].number, reason="malformed_csv", detail=detail)
            continue
        yield Row(taken[0].number, dict(zip(header, cells, strict=True)))
    if header is not None and rows == 0:
        yield Row(None, reason="empty_file", detail="a header and no rows")


def _bad_line(taken: list[Line], bad: Line) -> Row:
    if len(taken) == 1:
        return Row(bad.number, reason=bad.reason, detail=bad.detail)
    return Row(taken[0].number, reason=bad.reason, detail=f"line {bad.number} of this record: {bad.detail}")


def _broken(taken: list[Line], err: Exception) -> Row:
    first = taken[0].number
    if isinstance(err, _Overflow):
        detail = f"the quote opened on line {first} is still open after collect.max_line_bytes; probably unterminated"
        return Row(first, reason="malformed_csv", detail=detail)
    message = str(err)
    if "field larger than field limit" in message:
        return Row(first, reason="line_too_long", detail=f"a field longer than {csv.field_size_limit():,} characters")
    if len(taken) > 1:
        message += f"; the quote opened on line {first} is probably unterminated"
    return Row(first, reason="malformed_csv", detail=message)
