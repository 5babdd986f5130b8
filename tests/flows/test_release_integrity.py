"""Release integrity: one build of a dataset at a time, tampering reported by file, debris of a
killed build removed."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.build import build_dataset_flow
from flows.cli import app
from pipeline.release import ReleaseTampered, verify_release, versions


def test_two_builds_at_once_publish_one_version(collection: Path) -> None:
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: build_dataset_flow(str(collection)), range(2)))
    output_dir = results[0].release.parent.parent
    assert versions(output_dir, "toy") == ["v1"]
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].manifest.fingerprint == results[1].manifest.fingerprint


def test_a_changed_release_is_reported_by_file_and_never_reused(collection: Path) -> None:
    first = build_dataset_flow(str(collection))
    train = first.release / "train.jsonl"
    train.parent.chmod(stat.S_IRWXU)
    train.chmod(stat.S_IRUSR | stat.S_IWUSR)
    with train.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "added later"}\n')
    with pytest.raises(ReleaseTampered, match=r"train\.jsonl was changed"):
        verify_release(first.release)
    rerun = CliRunner().invoke(app, ["run", str(collection)])
    assert rerun.exit_code == 2
    assert "train.jsonl was changed" in rerun.output and "Traceback" not in rerun.output


def test_an_extra_file_in_a_release_is_reported(collection: Path) -> None:
    release = build_dataset_flow(str(collection)).release
    release.chmod(stat.S_IRWXU)
    (release / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ReleaseTampered, match=r"notes\.txt is not in the manifest"):
        verify_release(release)


def test_staging_left_by_a_killed_build_is_removed(collection: Path) -> None:
    root = collection.parent / "releases" / "toy"
    debris = root / ".staging-0123456789abcdef"
    debris.mkdir(parents=True)
    (debris / "train.jsonl").write_text("half a release\n", encoding="utf-8")
    debris.chmod(stat.S_IRUSR | stat.S_IXUSR)
    build_dataset_flow(str(collection))
    assert not debris.exists()
    assert [p.name for p in root.iterdir() if p.name.startswith(".staging")] == []
