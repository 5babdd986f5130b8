"""collect over whole files: ids, source pointers and per-file failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.collect import expand_source, run
from schemas import ColumnMapping, SourceConfig


def collect_file(path: Path, **options: object):
    return run(path, SourceConfig(path=str(path), **options))


def test_pointer_names_file_line_encoding_and_format(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    lines = [
        json.dumps(
            {"conversations": [{"from": "human", "value": "问"}, {"from": "gpt", "value": "答"}]}, ensure_ascii=False
        ),
        "{broken",
        json.dumps({"instruction": "问二", "output": "答二"}, ensure_ascii=False),
    ]
    path.write_bytes("\n".join(lines).encode("gb18030"))
    result = collect_file(path)
    counts = result.counts
    assert (counts.input, counts.kept, counts.rejected) == (3, 2, {"malformed_json": 1})
    first, second = result.kept
    assert (first.meta.source.line, first.meta.source.encoding, first.meta.source.format) == (1, "gb18030", "sharegpt")
    assert (second.meta.source.line, second.meta.source.format) == (3, "alpaca")
    [rejection] = result.rejections
    assert str(rejection).startswith(f"{path.as_posix()}:2: malformed_json")


def test_ids_are_stable_and_depend_on_content_only(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.json"
    a.write_text('{"instruction": "问", "output": "答"}\n', encoding="utf-8")
    b.write_text('[{"output": "答", "instruction": "问"}, {"instruction": "别的", "output": "答"}]', encoding="utf-8")
    [ra] = collect_file(a).kept
    rb, rc = collect_file(b).kept
    assert ra.id == rb.id != rc.id
    assert len(ra.id) == 16 and ra.meta.group == ra.id


def test_markdown_records_share_the_document_group(tmp_path: Path) -> None:
    path = tmp_path / "faq.md"
    path.write_text("## 问一？\n答一\n\n## 问二？\n答二\n", encoding="utf-8")
    result = collect_file(path)
    assert {r.meta.group for r in result.kept} == {"doc:faq.md"}  # not the absolute path: moving files moves nothing
    assert [r.meta.source.line for r in result.kept] == [1, 4]


def test_category_from_a_column(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text("q,a,kind\n首都？,北京,常识\n", encoding="utf-8")
    [record] = collect_file(path, columns=ColumnMapping(instruction="q", output="a"), category_field="kind").kept
    assert record.meta.category == "常识"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("sheet.xlsx", b"PK\x03\x04", "unsupported_file_type"),
        ("bin.csv", bytes(range(0x80, 0x100)) * 3, "undecodable_file"),
        ("stub.md", b"", "empty_document"),
    ],
)
def test_unusable_file_becomes_one_rejection_naming_it(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = collect_file(path)
    assert result.kept == []
    [rejection] = result.rejections
    assert (rejection.reason, rejection.source.file) == (reason, path.as_posix())


def test_expand_source_lists_folders_and_globs_unreadable_files_included(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.jsonl", "sub/b.md", "sub/c.parquet", "skip.bin", ".hidden.jsonl"):
        (tmp_path / name).write_text("x")
    folder = expand_source(SourceConfig(path=str(tmp_path)))
    assert [p.name for p in folder] == ["a.jsonl", "skip.bin", "b.md", "c.parquet"]  # skip.bin: to be rejected
    assert [p.name for p in expand_source(SourceConfig(path=str(tmp_path / "**/*.md")))] == ["b.md"]
    [rejection] = run(tmp_path / "skip.bin", SourceConfig(path=str(tmp_path))).rejections
    assert (rejection.reason, rejection.detail) == ("unsupported_file_type", "cannot read .bin files")
    with pytest.raises(FileNotFoundError, match="matches no file"):
        expand_source(SourceConfig(path=str(tmp_path / "nothing*.json")))


def test_documents_in_a_folder_are_grouped_by_their_path_inside_it(tmp_path: Path) -> None:
    (tmp_path / "notes" / "sub").mkdir(parents=True)
    (tmp_path / "notes" / "sub" / "a.md").write_text("## 问？\n答\n", encoding="utf-8")
    source = SourceConfig(path=str(tmp_path / "notes"))
    [record] = run(expand_source(source)[0], source).kept
    assert record.meta.group == "doc:sub/a.md"


def test_a_jsonl_line_in_another_encoding_is_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = '{"instruction": "问", "output": "答"}'.encode()
    bad = '{"instruction": "坏行", "output": "答"}'.encode("gbk")
    path.write_bytes(b"\n".join([good, bad, good.replace("问".encode(), "问二".encode())]))
    result = collect_file(path)
    assert result.counts.kept == 2
    [rejection] = result.rejections
    assert (rejection.reason, rejection.source.line) == ("undecodable_line", 2)
