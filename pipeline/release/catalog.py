"""Reading releases: resolve `DATASET@VERSION`, summarise, and diff two versions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.release import SPLITS, load_manifest, versions


def resolve(output_dir: Path, ref: str) -> Path:
    """The folder of `DATASET@VERSION`, or of the latest version for a bare `DATASET`."""
    dataset, _, version = ref.partition("@")
    known = versions(output_dir, dataset)
    if not known:
        raise ValueError(f"no releases of {dataset!r} under {output_dir}")
    version = version or known[-1]
    if version not in known:
        raise ValueError(f"{dataset} has no version {version!r}; it has {', '.join(known)}")
    return output_dir / dataset / version


def record_hashes(release_dir: Path) -> dict[str, str]:
    """id -> hash of the released line, for every released record."""
    hashes = {}
    for split in SPLITS:
        path = release_dir / f"{split}.jsonl"
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                record_id = json.loads(line)["id"]
                hashes[record_id] = hashlib.sha256(_without_volatile(line).encode()).hexdigest()
    return hashes


def _without_volatile(line: str) -> str:
    """A record's line without where it came from, so moving a file is not a change."""
    record = json.loads(line)
    record["meta"].pop("source", None)
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Diff:
    added: list[str]
    removed: list[str]
    changed: list[str]


def diff(old_dir: Path, new_dir: Path) -> Diff:
    old, new = record_hashes(old_dir), record_hashes(new_dir)
    return Diff(
        added=sorted(new.keys() - old.keys()),
        removed=sorted(old.keys() - new.keys()),
        changed=sorted(k for k in old.keys() & new.keys() if old[k] != new[k]),
    )


def summary(release_dir: Path) -> dict:
    manifest = load_manifest(release_dir)
    return {
        "release": f"{manifest.dataset}@{manifest.version}",
        "path": str(release_dir),
        "counts": manifest.counts.model_dump(),
        "fingerprint": manifest.fingerprint,
    }
