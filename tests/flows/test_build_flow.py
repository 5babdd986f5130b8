"""The main job end to end, on a real (ephemeral) Prefect API."""

from __future__ import annotations

import json
from pathlib import Path

from flows.build import build_dataset_flow
from pipeline.release import load_manifest, versions
from pipeline.release.catalog import diff


def released_records(folder: Path) -> list[dict]:
    return [json.loads(line) for name in ("train", "validation", "test") if (folder / f"{name}.jsonl").exists()
            for line in (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]  # fmt: skip


def test_build_releases_every_record_or_accounts_for_it(collection: Path) -> None:
    result = build_dataset_flow(str(collection))
    manifest = result.manifest
    counts = manifest.counts
    assert result.created and manifest.version == "v1"
    assert counts.input == 13 + 3 + 2 + 1 + 1  # rows, the malformed line and the undecodable file included
    assert counts.input == counts.released + counts.rejected
    assert counts.rejected_by_reason == {
        "collect.malformed_json": 1,
        "collect.undecodable_file": 1,
        "dedup.exact_duplicate": 1,
        "normalize.roles_out_of_order": 1,
    }
    assert all(stage.balanced for stage in manifest.stages)
    by_source = {Path(name).name: (t.released, t.rejected) for name, t in counts.by_source.items()}
    assert by_source == {
        "alpaca.json": (12, 1),
        "chats.jsonl": (1, 2),
        "faq.md": (2, 0),
        "faq.csv": (1, 0),
        "junk.json": (0, 1),
    }
    assert [s.stage for s in manifest.stages] == [
        "collect", "normalize", "segment", "clean", "dedup", "split", "render",
    ]  # fmt: skip
    records = released_records(result.release)
    assert len(records) == counts.released == 16
    assert all(r["text"].endswith("<|im_end|>\n") and r["meta"]["tokens"] > 0 for r in records)
    faq = [r for r in records if r["meta"]["source"]["file"].endswith("faq.md")]
    assert len({r["meta"]["split"] for r in faq}) == 1
    ledger = [
        json.loads(line) for line in (result.release / "rejections.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert {(r["reason"], r["source"]["line"]) for r in ledger if r["source"]["file"].endswith("chats.jsonl")} == {
        ("roles_out_of_order", 2),
        ("malformed_json", 3),
    }


def test_rerun_is_a_no_op_and_a_new_record_is_a_new_version(collection: Path) -> None:
    first = build_dataset_flow(str(collection))
    again = build_dataset_flow(str(collection))
    assert not again.created and again.release == first.release
    output_dir = first.release.parent.parent
    assert versions(output_dir, "toy") == ["v1"]

    chats = collection.parent / "raw" / "chats.jsonl"
    new_row = {"conversations": [{"from": "human", "value": "新加的问题？"}, {"from": "gpt", "value": "新加的回答。"}]}
    chats.write_text(
        chats.read_text(encoding="utf-8") + json.dumps(new_row, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    second = build_dataset_flow(str(collection))
    assert second.created and second.manifest.version == "v2" and second.manifest.parent == "v1"
    change = diff(first.release, second.release)
    [added] = change.added
    assert change.removed == [] and change.changed == []
    assert any(
        r["id"] == added and r["messages"][0]["content"] == "新加的问题？" for r in released_records(second.release)
    )


def test_builds_are_deterministic(collection: Path, tmp_path: Path) -> None:
    first = build_dataset_flow(str(collection))
    other = collection.read_text(encoding="utf-8").replace(str(tmp_path / "releases"), str(tmp_path / "elsewhere"))
    second_config = tmp_path / "other.yaml"
    second_config.write_text(other, encoding="utf-8")
    second = build_dataset_flow(str(second_config))
    assert second.created and second.release != first.release
    assert load_manifest(second.release).fingerprint == load_manifest(first.release).fingerprint
