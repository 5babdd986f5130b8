"""Retention: remove old releases of a dataset, never one that a training run pins.

A training run folder holds `release.json` ({"release": "DATASET@VERSION", "fingerprint": ...}),
written when it pinned its data (pipeline/train). A release named there is kept whatever its
age: removing it would make the run impossible to reproduce or evaluate again. A pin is matched
by name alone, not by fingerprint, so a run that pins `demo@v1` of another releases folder also
keeps this folder's `demo@v1`: retention errs on the side of keeping.

A release is removed by renaming it to a staging name first (readers list only `v<N>` folders, so
they never see a half-removed release; a build's stale-staging cleanup finishes what a killed
prune left), then deleting it, with the dataset's release lock held so no build publishes or
re-uses it meanwhile.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.release import STAGING_PREFIX, release_lock, versions
from schemas import RunConfig

log = logging.getLogger(__name__)

PIN = "release.json"
# Run folders sit at <runs>/<run>/ and tuning trials at <runs>/<tune-run>/<trial>/.
PIN_DEPTHS = ("*/" + PIN, "*/*/" + PIN)


@dataclass(frozen=True)
class Pruned:
    dataset: str
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    pinned: dict[str, list[str]] = field(default_factory=dict)  # version kept only for its pins -> run folders


def pins(runs_dirs: Iterable[Path]) -> dict[str, list[Path]]:
    """`DATASET@VERSION` -> the run folders that pin it, from every `release.json` under the folders."""
    found: dict[str, list[Path]] = {}
    for root in runs_dirs:
        if not Path(root).is_dir():
            continue
        for pattern in PIN_DEPTHS:
            for pin in sorted(Path(root).glob(pattern)):
                ref = _pinned_ref(pin)
                if ref:
                    found.setdefault(ref, []).append(pin.parent)
    return found


def _pinned_ref(pin: Path) -> str | None:
    try:
        ref = json.loads(pin.read_text(encoding="utf-8")).get("release")
    except (OSError, ValueError, AttributeError):
        log.warning("%s is not a readable pin; its run keeps nothing", pin)
        return None
    return ref if isinstance(ref, str) else None


def plan(dataset: str, known: list[str], keep: int, pinned: dict[str, list[Path]]) -> Pruned:
    """Which of `known` (oldest first) to remove so that the newest `keep` remain, pins aside."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1 (the latest release always stays), got {keep}")
    newest = set(known[-keep:])
    removed, kept, held = [], [], {}
    for version in known:
        runs = pinned.get(f"{dataset}@{version}", [])
        if version in newest:
            kept.append(version)
        elif runs:
            kept.append(version)
            held[version] = [str(run) for run in runs]
        else:
            removed.append(version)
    return Pruned(dataset, removed, kept, held)


def prune(output_dir: Path, dataset: str, keep: int, runs_dirs: Iterable[Path], dry_run: bool = False) -> Pruned:
    """Remove all but the newest `keep` releases of `dataset`, except those a training run pins."""
    pinned = pins(runs_dirs)
    if dry_run:
        return plan(dataset, versions(output_dir, dataset), keep, pinned)
    with release_lock(output_dir, dataset):
        result = plan(dataset, versions(output_dir, dataset), keep, pinned)
        for version in result.removed:
            remove_release(output_dir / dataset / version)
            log.info("removed release %s@%s (retention: keep %d)", dataset, version, keep)
    return result


def retain(config: RunConfig, created: bool, runs_dirs: Iterable[Path]) -> Pruned | None:
    """`release.keep` applied after a build: None when nothing was published or every release is kept."""
    if not created or config.release.keep is None:
        return None
    return prune(Path(config.output_dir), config.dataset, config.release.keep, runs_dirs)


def remove_release(folder: Path) -> None:
    """Rename out of the versions' namespace, then delete (releases are read-only: made writable first)."""
    folder.chmod(stat.S_IRWXU)
    doomed = folder.with_name(f"{STAGING_PREFIX}pruned-{folder.name}-{uuid.uuid4().hex[:8]}")
    os.rename(folder, doomed)
    for path in doomed.rglob("*"):
        path.chmod(stat.S_IRWXU if path.is_dir() else stat.S_IRUSR | stat.S_IWUSR)
    shutil.rmtree(doomed)
