"""File readers: bytes on disk to numbered rows, each a dict or a reason why it is not one.

Readers know file syntax only; what a row means (alpaca, sharegpt, ...) is decided per row in
`formats.py`, never from the first row of a file. Every reader streams: memory holds one line,
record or JSON value (capped by `collect.max_line_bytes`) and a read buffer, whatever the file's size.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from pipeline.collect.chunking import Chunk
from pipeline.collect.compression import compression, inner_suffix, open_binary
from pipeline.collect.csvrows import csv_rows
from pipeline.collect.encoding import SAMPLE_BYTES, UndecodableError, decode, sniff
from pipeline.collect.jsonstream import json_rows
from pipeline.collect.jsonvalue import check, loads
from pipeline.collect.lines import Line, decoded_lines
from pipeline.collect.problems import FileProblem, RowProblem, shorten
from pipeline.collect.rows import Row

__all__ = ["FILE_KINDS", "FileProblem", "Row", "file_kind", "read_rows", "read_text"]

FILE_KINDS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
}

DEFAULT_MAX_LINE_BYTES = 16 << 20
_PARQUET_BATCH = 1024


def file_kind(path: Path) -> str | None:
    """The reader for a file, from its suffix (the inner one for `a.jsonl.gz`); None when none fits."""
    return FILE_KINDS.get(inner_suffix(path))


def read_sample(path: Path) -> tuple[bytes, bool]:
    """The first bytes of the (decompressed) file, and whether they are the whole file.

    A compressed stream that breaks inside the sample gives what came before the break: the
    rows there are still read, and the break is reported where the rows reach it.
    """
    pieces, size = [], 0
    with open_binary(path) as handle:
        try:
            while size <= SAMPLE_BYTES and (piece := handle.read1(1 << 16)):
                pieces.append(piece)
                size += len(piece)
        except FileProblem:
            return b"".join(pieces)[:SAMPLE_BYTES], False
    return b"".join(pieces)[:SAMPLE_BYTES], size <= SAMPLE_BYTES


def file_encoding(path: Path, forced: str | None, whole: bool = True) -> str:
    """The encoding to read a file in; `whole`: the read covers the file, so it may call it empty."""
    sample, complete = read_sample(path)
    if whole and complete and not sample.strip(b" \t\r\n"):
        raise FileProblem("empty_file", "the file is empty" if not sample else "the file holds only whitespace")
    try:
        return sniff(sample, complete, forced)
    except UndecodableError as err:
        raise FileProblem("undecodable_file", str(err)) from None


def read_rows(
    path: Path,
    kind: str,
    encoding: str | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    chunk: Chunk | None = None,
) -> tuple[str, Iterator[Row]]:
    """The encoding used and the rows of a JSON, JSONL, CSV or Parquet file (or of one chunk of a JSONL file)."""
    if kind == "parquet":
        return "binary", _or_empty(_parquet_rows(path), True)
    whole = chunk is None or chunk.covers_file
    used = file_encoding(path, encoding, whole)
    if kind == "jsonl":
        rows = _jsonl_rows(path, used, max_line_bytes, chunk or Chunk.whole())
    elif kind == "csv":
        delimiter = "\t" if inner_suffix(path) == ".tsv" else ","
        rows = _csv_rows(path, used, delimiter, max_line_bytes)
    else:
        rows = _json_rows(path, used, max_line_bytes)
    return used, _or_empty(rows, whole)


def read_text(path: Path, encoding: str | None) -> tuple[str, str]:
    """A whole document (Markdown), decompressed and decoded."""
    with open_binary(path) as handle:
        data = handle.read()
    try:
        decoded = decode(data, encoding)
    except UndecodableError as err:
        raise FileProblem("undecodable_file", str(err)) from None
    return decoded.encoding, decoded.text


def _or_empty(rows: Iterator[Row], whole_file: bool) -> Iterator[Row]:
    """The rows, or one `empty_file` row when a whole file gave none (blank lines only)."""
    empty = True
    for row in rows:
        empty = False
        yield row
    if empty and whole_file:
        yield Row(None, reason="empty_file", detail="the file holds no rows, only blank lines")


def _jsonl_rows(path: Path, encoding: str, max_bytes: int, chunk: Chunk) -> Iterator[Row]:
    with open_binary(path, chunk.start) as handle:
        lines = decoded_lines(
            handle, encoding, max_bytes, first_line=chunk.first_line, length=chunk.length, at_start=chunk.start == 0
        )
        for line in lines:
            if line.text is None:
                yield Row(line.number, reason=line.reason, detail=line.detail)
            elif line.text.strip(" \t\r\n"):
                yield _parsed(line)


def _parsed(line: Line) -> Row:
    try:
        return Row(line.number, loads(line.text or ""))
    except RowProblem as problem:
        return Row(line.number, reason=problem.reason, detail=problem.detail)
    except Exception as err:  # the per-row backstop: no row may stop a file
        return Row(line.number, reason="unreadable_row", detail=shorten(f"{type(err).__name__}: {err}"))


def _csv_rows(path: Path, encoding: str, delimiter: str, max_bytes: int) -> Iterator[Row]:
    with open_binary(path) as handle:
        yield from csv_rows(decoded_lines(handle, encoding, max_bytes, keep_ends=True), delimiter, max_bytes)


def _json_rows(path: Path, encoding: str, max_bytes: int) -> Iterator[Row]:
    with open_binary(path) as handle:
        stream = io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline="")
        try:
            yield from json_rows(stream, encoding, max_bytes)
        finally:
            stream.detach()


def _parquet_rows(path: Path) -> Iterator[Row]:
    if compression(path):
        raise FileProblem("unsupported_file_type", "a compressed Parquet file: Parquet compresses inside, unpack it")
    import pyarrow.parquet as pq

    number = 0
    try:
        batches = pq.ParquetFile(path).iter_batches(batch_size=_PARQUET_BATCH)
        for batch in batches:
            for values in batch.to_pylist():
                number += 1
                yield _checked_row(number, values)
    except FileProblem:
        raise
    except Exception as err:  # pyarrow raises several unrelated types for a damaged file
        where = f" after row {number}" if number else ""
        raise FileProblem("unreadable_file", f"not a readable Parquet file{where}: {err}", number or None) from None


def _checked_row(number: int, values: object) -> Row:
    try:
        check(values)
    except RowProblem as problem:
        return Row(number, reason=problem.reason, detail=problem.detail)
    return Row(number, values)
