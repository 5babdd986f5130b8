"""Which files a source names, and what happens to links, loops and files collect cannot read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import collect
from schemas import SourceConfig

ROW = '{"instruction": "问", "output": "答"}\n'


def names(entries: list) -> list[tuple[str, str | None]]:
    return [(entry.path.name, entry.problem) for entry in entries]


def test_a_link_out_of_the_folder_is_listed_but_not_opened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_text(ROW, encoding="utf-8")
    secret = tmp_path / "passwd"
    secret.write_text("user,password\nroot,hunter2\n", encoding="utf-8")
    os.symlink(secret, data / "leak.csv")
    source = SourceConfig(path=str(data))
    assert names(collect.source_files(source)) == [("a.jsonl", None), ("leak.csv", "link_outside_source")]
    assert [p.name for p in collect.expand_source(source)] == ["a.jsonl"]  # never hashed or read
    [rejection] = collect.read(data / "leak.csv", source)
    assert rejection.reason == "link_outside_source" and "password" not in rejection.detail
    followed = SourceConfig(path=str(data), follow_links=True)  # the user's own choice
    assert names(collect.source_files(followed)) == [("a.jsonl", None), ("leak.csv", None)]
    assert [r.reason for r in collect.read(data / "leak.csv", followed)] == ["unknown_format"]


def test_a_glob_through_links_that_loop_ends_and_reads_each_file_once(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    (loop / "sub").mkdir(parents=True)
    (loop / "a.jsonl").write_text(ROW, encoding="utf-8")
    (loop / "sub" / "b.jsonl").write_text(ROW, encoding="utf-8")
    os.symlink("..", loop / "sub" / "up")
    os.symlink("..", loop / "up")  # out of the root, and back into it
    os.symlink("a.jsonl", loop / "again.jsonl")
    found = collect.expand_source(SourceConfig(path=str(tmp_path / "loop" / "**" / "*.jsonl")))
    assert [p.relative_to(loop).as_posix() for p in found] == ["a.jsonl", "sub/b.jsonl"]  # the file, not its link
    assert [p.relative_to(loop).as_posix() for p in collect.expand_source(SourceConfig(path=str(loop)))] == [
        "a.jsonl",
        "sub/b.jsonl",
    ]


def test_globs_match_like_glob_hidden_files_and_depth_included(tmp_path: Path) -> None:
    for name in ("a.jsonl", "b.json", ".hidden.jsonl", "sub/c.jsonl", "sub/deeper/d.jsonl", ".git/e.jsonl"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(ROW, encoding="utf-8")

    def found(pattern: str) -> list[str]:
        return [
            p.relative_to(tmp_path).as_posix()
            for p in collect.expand_source(SourceConfig(path=str(tmp_path / pattern)))
        ]

    assert found("*.jsonl") == ["a.jsonl"]
    assert found("*/*.jsonl") == ["sub/c.jsonl"]
    assert found("**/*.jsonl") == ["a.jsonl", "sub/c.jsonl", "sub/deeper/d.jsonl"]
    assert found(".*.jsonl") == [".hidden.jsonl"]
    assert found("[ab].json*") == ["a.jsonl", "b.json"]
    with pytest.raises(FileNotFoundError, match="matches no file"):
        found("*.csv")


def test_special_files_are_reported_not_opened(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(ROW, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.jsonl")  # reading it would block forever
    source = SourceConfig(path=str(tmp_path))
    assert names(collect.source_files(source)) == [("a.jsonl", None), ("pipe.jsonl", "unsupported_file_type")]
    assert [p.name for p in collect.expand_source(source)] == ["a.jsonl"]
    [rejection] = collect.read(tmp_path / "pipe.jsonl", source)
    assert rejection.detail == "not a regular file (a FIFO, socket or device)"


def test_a_named_file_is_read_whatever_its_links(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere" / "a.jsonl"
    real.parent.mkdir()
    real.write_text(ROW, encoding="utf-8")
    os.symlink(real, tmp_path / "link.jsonl")
    source = SourceConfig(path=str(tmp_path / "link.jsonl"))
    assert names(collect.source_files(source)) == [("link.jsonl", None)]
    assert len(collect.run(tmp_path / "link.jsonl", source).kept) == 1
