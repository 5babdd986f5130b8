from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.release import ReleaseRefused, ReleaseRequest, load_manifest, publish, sha256_file, versions
from pipeline.release.catalog import diff, resolve
from schemas import Rejection, SftRecord, SourceCounts, StageCounts


def request(records: int, rejected: int, **changes: object) -> ReleaseRequest:
    stages = [
        StageCounts(
            stage="collect",
            input=records + rejected,
            kept=records,
            rejected={"malformed_json": rejected} if rejected else {},
        ),
        StageCounts(stage="render", input=records, kept=records),
    ]
    fields = dict(
        dataset="toy",
        input_fingerprint="f" * 64,
        code_version="test",
        config={"dataset": "toy"},
        tokenizer="tiny",
        chat_template="chatml",
        input_count=records + rejected,
        stages=stages,
        inputs=[],
    )
    return ReleaseRequest(**{**fields, **changes})


def split_records(make_record, texts: list[str]) -> list[SftRecord]:
    out = []
    for index, text in enumerate(texts):
        record = make_record(("user", text), ("assistant", "答"), line=index + 1)
        meta = record.meta.model_copy(update={"split": ("train", "validation", "test")[index % 3], "tokens": 5 + index})
        out.append(record.model_copy(update={"meta": meta, "text": f"<|im_start|>user\n{text}"}))
    return out


def a_rejection() -> Rejection:
    from schemas import SourcePointer

    return Rejection(
        record_id="x", stage="collect", reason="malformed_json", detail="bad", source=SourcePointer(file="a", line=2)
    )


def test_publish_writes_an_immutable_verifiable_release(tmp_path: Path, make_record) -> None:
    records = split_records(make_record, ["问一", "问二", "问三", "问四"])
    published = publish(tmp_path, request(4, 1), records, [a_rejection()])
    folder = published.path
    assert published.created and folder == tmp_path / "toy" / "v1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md", "manifest.json", "rejections.jsonl", "report.html",
        "test.jsonl", "train.jsonl", "validation.jsonl",
    ]  # fmt: skip
    manifest = load_manifest(folder)
    assert manifest.counts.by_split == {"train": 2, "validation": 1, "test": 1}
    assert manifest.counts.rejected_by_reason == {"collect.malformed_json": 1}
    assert manifest.counts.by_source == {"a": SourceCounts(rejected=1), "t.jsonl": SourceCounts(released=4)}
    assert manifest.token_stats["max"] == 8.0 and manifest.token_stats["total"] == 26.0
    for entry in manifest.files:
        assert sha256_file(folder / entry.path) == entry.sha256
    assert (folder / "train.jsonl").stat().st_mode & 0o222 == 0
    assert not list((tmp_path / "toy").glob(".staging-*"))


def test_same_bytes_publish_no_new_version_and_new_data_does(tmp_path: Path, make_record) -> None:
    records = split_records(make_record, ["问一", "问二"])
    first = publish(tmp_path, request(2, 0), records, [])
    again = publish(tmp_path, request(2, 0, input_fingerprint="e" * 64), records, [])
    assert not again.created and again.path == first.path
    grown = split_records(make_record, ["问一", "问二", "问三"])
    second = publish(tmp_path, request(3, 0), grown, [])
    assert second.path.name == "v2" and second.manifest.parent == "v1"
    assert versions(tmp_path, "toy") == ["v1", "v2"]
    change = diff(resolve(tmp_path, "toy@v1"), resolve(tmp_path, "toy"))
    assert change.added == [grown[2].id] and change.removed == [] and change.changed == []


def test_unbalanced_counts_refuse_the_release(tmp_path: Path, make_record) -> None:
    records = split_records(make_record, ["问一", "问二"])
    with pytest.raises(ReleaseRefused, match="unaccounted"):
        publish(tmp_path, request(3, 0), records, [])
    lost = request(2, 0, stages=[StageCounts(stage="collect", input=3, kept=2)], input_count=3)
    with pytest.raises(ReleaseRefused, match="stage collect: 3 in, 0 added, 2 kept, 0 rejected"):
        publish(tmp_path, lost, records, [])
    assert versions(tmp_path, "toy") == []
    assert not list((tmp_path / "toy").glob(".staging-*"))


def test_datasets_loads_the_release_folder(tmp_path: Path, make_record) -> None:
    import datasets

    records = split_records(make_record, [f"问题{i}" for i in range(9)])
    folder = publish(tmp_path, request(9, 0), records, []).path
    loaded = datasets.load_dataset(str(folder))
    assert {name: len(split) for name, split in loaded.items()} == {"train": 3, "validation": 3, "test": 3}
    assert loaded["train"][0]["messages"][0]["content"] == "问题0"


def test_resolve_names_what_exists(tmp_path: Path, make_record) -> None:
    publish(tmp_path, request(2, 0), split_records(make_record, ["一", "二"]), [])
    with pytest.raises(ValueError, match="has no version 'v9'; it has v1"):
        resolve(tmp_path, "toy@v9")
    with pytest.raises(ValueError, match="no releases of 'other'"):
        resolve(tmp_path, "other")


def test_released_line_is_the_record_as_json(tmp_path: Path, make_record) -> None:
    records = split_records(make_record, ["问一"])
    folder = publish(tmp_path, request(1, 0), records, []).path
    line = json.loads((folder / "train.jsonl").read_text(encoding="utf-8"))
    assert set(line) == {"id", "messages", "tools", "text", "meta"}
    assert line["meta"]["source"] == {"file": "t.jsonl", "line": 1, "item": None, "encoding": None, "format": None}


def test_segments_are_released_only_on_request(tmp_path: Path, make_segmented) -> None:
    record = make_segmented(("user", "问题"), ("assistant", "回答"))
    record = record.model_copy(update={"meta": record.meta.model_copy(update={"split": "train"}), "text": "t"})
    plain = publish(tmp_path / "a", request(1, 0), [record], []).path
    kept = publish(tmp_path / "b", request(1, 0, keep_segments=True), [record], []).path
    assert "segments" not in json.loads((plain / "train.jsonl").read_text(encoding="utf-8"))
    assert json.loads((kept / "train.jsonl").read_text(encoding="utf-8"))["segments"][0]["words"] == ["问题"]
