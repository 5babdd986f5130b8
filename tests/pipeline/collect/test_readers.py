from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.collect.readers import FileProblem, read_rows


def rows_of(path: Path, kind: str, encoding: str | None = None) -> list:
    return list(read_rows(path, kind, encoding)[1])


def test_json_array_rows_carry_their_line(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps([{"n": 1}, {"n": 2}, {"n": 3}], indent=2), encoding="utf-8")
    rows = rows_of(path, "json")
    assert [(r.line, r.data) for r in rows] == [(2, {"n": 1}), (5, {"n": 2}), (8, {"n": 3})]


def test_broken_json_array_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('[\n {"n": 1},\n {"n": 2,,}\n]', encoding="utf-8")
    rows = rows_of(path, "json")
    assert rows[0].data == {"n": 1}
    assert (rows[1].line, rows[1].reason) == (3, "malformed_json")


def test_json_file_holding_jsonl_is_read_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text('{"n": 1}\n{"n": 2}\n', encoding="utf-8")
    assert [(r.line, r.data) for r in rows_of(path, "json")] == [(1, {"n": 1}), (2, {"n": 2})]


def test_jsonl_malformed_line_does_not_stop_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"n": 1}\n{"n": \n\n{"n": 3}\n', encoding="utf-8")
    rows = rows_of(path, "jsonl")
    assert [(r.line, r.reason) for r in rows] == [(1, None), (2, "malformed_json"), (4, None)]
    assert "column" in rows[1].detail


def test_csv_rows_with_embedded_newlines_keep_their_start_line(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_bytes('问题,回答\n"多行\n问题",答一\n问二,答二\n坏行\n'.encode("gb18030"))
    encoding, rows = read_rows(path, "csv", None)
    rows = list(rows)
    assert encoding == "gb18030"
    assert [(r.line, r.data) for r in rows[:2]] == [
        (2, {"问题": "多行\n问题", "回答": "答一"}),
        (4, {"问题": "问二", "回答": "答二"}),
    ]
    assert (rows[2].line, rows[2].reason) == (5, "malformed_csv")


def test_parquet_rows(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_pylist([{"instruction": "问", "output": "答"}]), path)
    assert [(r.line, r.data) for r in rows_of(path, "parquet")] == [(1, {"instruction": "问", "output": "答"})]


def test_damaged_parquet_is_a_file_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(FileProblem) as caught:
        rows_of(path, "parquet")
    assert caught.value.reason == "unreadable_file"


def test_undecodable_json_file_is_a_file_problem(tmp_path: Path) -> None:
    path = tmp_path / "bin.json"
    path.write_bytes(bytes(range(0x80, 0x100)) * 4)
    with pytest.raises(FileProblem) as caught:
        rows_of(path, "json")
    assert caught.value.reason == "undecodable_file"
