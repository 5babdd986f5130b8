"""Reading releases: resolve `DATASET@VERSION`, summarise, and diff two versions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.io import read_models
from pipeline.release import REJECTIONS, SPLITS, versions
from schemas import Rejection, SftRecord


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


def find_record(release_dir: Path, record_id: str) -> tuple[SftRecord | None, list[Rejection]]:
    """The released record with this id (or unique id prefix), and any rejections of that id."""
    matches = []
    for split in SPLITS:
        path = release_dir / f"{split}.jsonl"
        if path.exists():
            matches += [r for r in read_models(path, SftRecord) if r.id.startswith(record_id)]
    rejected = [r for r in read_models(release_dir / REJECTIONS, Rejection) if r.record_id.startswith(record_id)]
    ids = {r.id for r in matches} | {r.record_id for r in rejected}
    if len(ids) > 1:
        raise ValueError(f"{record_id!r} matches {len(ids)} records; give more of the id")
    return (matches[0] if matches else None), rejected


def lineage_lines(release_dir: Path, record: SftRecord) -> list[str]:
    """A record's history, oldest first, as a person reads it (a note's pair: its lines and headings)."""
    source = record.meta.source
    lines = [
        f"record {record.id} in {record.meta.split}",
        f"source: {source} (encoding {source.encoding or '-'}, format {source.format or '-'})",
    ]
    if source.headings:
        lines.append(f"headings: {' > '.join(source.headings)}")
    if record.meta.parent:
        parent, _ = find_record(release_dir, record.meta.parent)
        where = f" from {parent.meta.source}" if parent else ""
        lines.append(f"augmented from {record.meta.parent}{where}")
    if record.meta.cluster and record.meta.cluster != record.id:
        lines.append(f"near-duplicate cluster of {record.meta.cluster}")
    elif record.meta.cluster:
        lines.append("representative of a near-duplicate cluster")
    lines.append(f"annotation: {_annotation(record)}")
    lines += [_step(step) for step in record.meta.lineage] or ["  no stage changed its text"]
    lines.append(
        f"tokens: {record.meta.tokens}, trained tokens: {record.meta.trained_tokens}, group: {record.meta.group}"
    )
    return lines


def _step(step) -> str:
    detail = f" ({step.detail})" if step.detail else ""
    return f"  {step.stage}: {step.action}{detail}" + (f" x{step.count}" if step.count > 1 else "")


def _annotation(record: SftRecord) -> str:
    steps = [s for s in record.meta.lineage if s.stage == "annotate"]
    return "; ".join(f"{s.action} {s.detail}".strip() for s in steps) or "none"
