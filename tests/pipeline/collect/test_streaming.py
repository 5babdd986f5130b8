"""Streaming reads: chunks of a big JSONL file, values across read buffers, caps, compression."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import zstandard

from pipeline import collect
from pipeline.collect.readers import read_rows, read_text
from schemas import CollectConfig, SftRecord, SourceConfig


def alpaca(number: int) -> dict:
    return {"instruction": f"第{number}个问题是什么？", "input": "", "output": f"这是第{number}个回答。"}


def jsonl(count: int, broken_every: int = 0) -> str:
    lines = []
    for number in range(count):
        lines.append(
            "{broken" if broken_every and number % broken_every == 0 else json.dumps(alpaca(number), ensure_ascii=False)
        )
    return "\n".join(lines) + "\n"


def dumped(items) -> list[str]:
    return [item.model_dump_json() for item in items]


def test_a_big_jsonl_file_is_cut_at_line_starts_and_reads_the_same_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text(jsonl(6000, broken_every=97), encoding="utf-8")
    source, config = SourceConfig(path=str(path)), CollectConfig(shard_bytes=1 << 16)
    chunks = collect.chunks(path, source, config)
    assert len(chunks) == path.stat().st_size // (1 << 16) + 1
    data = path.read_bytes()
    for chunk in chunks:
        assert chunk.start == 0 or data[chunk.start - 1 : chunk.start] == b"\n"
        assert chunk.first_line == data[: chunk.start].count(b"\n") + 1
    whole = dumped(collect.read(path, source, config))
    assert dumped(item for chunk in chunks for item in collect.read(path, source, config, chunk)) == whole


def test_only_plain_jsonl_in_an_ascii_compatible_encoding_is_cut(tmp_path: Path) -> None:
    config = CollectConfig(shard_bytes=1 << 16)
    text = jsonl(4000)
    files = {
        "a.jsonl.gz": gzip.compress(text.encode()),
        "b.csv": ("instruction,output\n" + "q,a\n" * 20000).encode(),
        "c.jsonl": text.encode("utf-16"),
        "d.jsonl": text.encode("gb18030"),
    }
    counts = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        counts[name] = len(collect.chunks(tmp_path / name, SourceConfig(path=str(tmp_path / name)), config))
    assert counts["a.jsonl.gz"] == counts["b.csv"] == counts["c.jsonl"] == 1
    assert counts["d.jsonl"] > 1


def test_json_values_across_read_buffers_keep_their_lines(tmp_path: Path) -> None:
    rows = [{"n": number, "text": "字" * (number % 700)} for number in range(3000)]  # about 3 MB: several buffers
    path = tmp_path / "a.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    _, read = read_rows(path, "json")
    parsed = list(read)
    assert [row.data for row in parsed] == rows
    assert [row.line for row in parsed[:3]] == [2, 6, 10]
    assert parsed[-1].line == 2 + 4 * 2999


def test_a_value_longer_than_the_cap_is_skipped_and_the_array_goes_on(tmp_path: Path) -> None:
    rows = [alpaca(1), {"instruction": "长", "output": "很长" * 5000}, alpaca(2)]
    path = tmp_path / "a.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    _, read = read_rows(path, "json", max_line_bytes=4096)
    assert [(row.reason, row.data == rows[0] or row.data == rows[2]) for row in read] == [
        (None, True),
        ("line_too_long", False),
        (None, True),
    ]


def test_a_long_line_is_refused_by_number_and_the_next_lines_read(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    lines = [json.dumps(alpaca(1)), json.dumps({"instruction": "长", "output": "x" * 100_000}), json.dumps(alpaca(2))]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = collect.run(path, SourceConfig(path=str(path)), CollectConfig(max_line_bytes=4096))
    assert [r.meta.source.line for r in result.kept] == [1, 3]
    [rejection] = result.rejections
    assert (rejection.reason, rejection.source.line) == ("line_too_long", 2)


def test_an_unterminated_csv_quote_past_the_cap_gives_the_lines_back(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    rows = "".join(f"问题{n},回答{n}\n" for n in range(400))
    path.write_text(f'instruction,output\n"开了没关,答\n{rows}', encoding="utf-8")
    result = collect.run(path, SourceConfig(path=str(path)), CollectConfig(max_line_bytes=1024))
    assert len(result.kept) == 400
    [rejection] = result.rejections
    assert (rejection.reason, rejection.source.line) == ("malformed_csv", 2)


def test_compressed_files_read_as_their_content(tmp_path: Path) -> None:
    text = jsonl(50).encode()
    (tmp_path / "plain.jsonl").write_bytes(text)
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(text))
    (tmp_path / "b.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(text))
    (tmp_path / "c.md.gz").write_bytes(gzip.compress("## 问？\n答\n".encode("gb18030")))
    expected = [r.messages for r in collect.run(tmp_path / "plain.jsonl", SourceConfig(path=str(tmp_path))).kept]
    for name in ("a.jsonl.gz", "b.jsonl.zst"):
        kept = collect.run(tmp_path / name, SourceConfig(path=str(tmp_path))).kept
        assert [r.messages for r in kept] == expected and all(isinstance(r, SftRecord) for r in kept)
    assert read_text(tmp_path / "c.md.gz", None) == ("gb18030", "## 问？\n答\n")
