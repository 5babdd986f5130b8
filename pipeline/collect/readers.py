"""File readers: bytes on disk to numbered rows, each a dict or a reason why it is not one.

Readers know file syntax only; what a row means (alpaca, sharegpt, ...) is decided per row in
`formats.py`, never from the first row of a file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.collect.encoding import UndecodableError, decode, decode_lines

FILE_KINDS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".md": "markdown",
    ".markdown": "markdown",
}


@dataclass(frozen=True)
class Row:
    """One row of a file: `data` when it parsed, otherwise a reason code and a detail."""

    line: int | None
    data: object = None
    reason: str | None = None
    detail: str = ""


class FileProblem(ValueError):
    """The whole file is unusable; `reason` is the rejection's reason code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def file_kind(path: Path) -> str | None:
    return FILE_KINDS.get(path.suffix.lower())


def read_rows(path: Path, kind: str, encoding: str | None) -> tuple[str, Iterator[Row]]:
    """The encoding used and the rows of a JSON, JSONL, CSV or Parquet file."""
    if kind == "parquet":
        return "binary", _parquet_rows(path)
    data = path.read_bytes()
    try:
        if kind == "jsonl":
            used, lines = decode_lines(data, encoding)
            return used, _jsonl_rows(lines)
        decoded = decode(data, encoding)
    except UndecodableError as err:
        raise FileProblem("undecodable_file", str(err)) from None
    if kind == "csv":
        return decoded.encoding, _csv_rows(decoded.text, "\t" if path.suffix.lower() == ".tsv" else ",")
    return decoded.encoding, _json_rows(decoded.text)


def read_text(path: Path, encoding: str | None) -> tuple[str, str]:
    try:
        decoded = decode(path.read_bytes(), encoding)
    except UndecodableError as err:
        raise FileProblem("undecodable_file", str(err)) from None
    return decoded.encoding, decoded.text


def _jsonl_rows(lines: Iterator[tuple[int, str | None]]) -> Iterator[Row]:
    for number, line in lines:
        if line is None:
            yield Row(number, reason="undecodable_line", detail="the line is not valid UTF-8")
        elif line.strip():
            yield _parse_json_line(number, line)


def _parse_json_line(number: int, line: str) -> Row:
    try:
        return Row(number, json.loads(line))
    except json.JSONDecodeError as err:
        return Row(number, reason="malformed_json", detail=f"{err.msg} at column {err.colno}")


def _json_rows(text: str) -> Iterator[Row]:
    """A JSON array (with each element's line), a single object, or JSONL in a .json file."""
    start = _skip_space(text, 0)
    if start == len(text):
        return iter(())
    if text[start] == "[":
        return _array_rows(text, start)
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        return _jsonl_rows(_numbered_lines(text))
    return iter([Row(text.count("\n", 0, start) + 1, whole)])


def _numbered_lines(text: str) -> Iterator[tuple[int, str | None]]:
    return ((number, line) for number, line in enumerate(text.splitlines(), start=1))


def _array_rows(text: str, start: int) -> Iterator[Row]:
    decoder = json.JSONDecoder()
    position, line, counted = start + 1, 1, 0
    while True:
        position = _skip_space(text, position)
        if position < len(text) and text[position] == "]":
            return
        line += text.count("\n", counted, position)
        counted = position
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as err:
            yield Row(err.lineno, reason="malformed_json", detail=f"{err.msg}; the rest of the array is unreadable")
            return
        yield Row(line, value)
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position += 1
        elif position >= len(text) or text[position] != "]":
            bad_line = text.count("\n", 0, position) + 1
            yield Row(
                bad_line, reason="malformed_json", detail="expected ',' or ']'; the rest of the array is unreadable"
            )
            return


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _csv_rows(text: str, delimiter: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    previous_end = reader.line_num
    for cells in reader:
        line, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield Row(line, reason="malformed_csv", detail=f"{len(cells)} cells where the header has {len(header)}")
        else:
            yield Row(line, dict(zip(header, cells, strict=True)))


def _parquet_rows(path: Path) -> Iterator[Row]:
    import pyarrow.parquet as pq

    try:
        rows = pq.read_table(path).to_pylist()
    except Exception as err:  # pyarrow raises several unrelated types for a damaged file
        raise FileProblem("unreadable_file", f"not a readable Parquet file: {err}") from None
    return (Row(index, row) for index, row in enumerate(rows, start=1))
