"""release: publish an immutable, versioned folder that trainers can pin and verify.

A release is staged in a hidden folder, checked (records in = released + rejected at every
stage), finished with its manifest, made read-only and only then renamed into place, so a
reader never sees half a release. A build whose bytes equal the latest release's is not
published again: same data, same version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import stat
import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.io import atomic_write_text, read_models, write_json
from pipeline.release.card import dataset_card
from pipeline.release.exports import dataset_info, export_checks, write_exports
from pipeline.release.report import build_report
from pipeline.release.stats import ReleaseStats
from schemas import (
    FileEntry,
    InputFile,
    Manifest,
    Rejection,
    ReleaseCounts,
    SftRecord,
    SourceCounts,
    StageCounts,
)

log = logging.getLogger(__name__)

SPLITS = ("train", "validation", "test")
MANIFEST = "manifest.json"
REJECTIONS = "rejections.jsonl"
REPORT = "report.html"
CARD = "README.md"
LOCK = ".lock"
STAGING_PREFIX = ".staging-"


class ReleaseRefused(RuntimeError):
    """The build broke an invariant a trainer relies on; nothing was published."""


@dataclass(frozen=True)
class ReleaseRequest:
    """Everything about a build that the manifest records, besides the records themselves."""

    dataset: str
    input_fingerprint: str
    code_version: str
    config: dict
    tokenizer: str
    chat_template: str
    input_count: int
    stages: Sequence[StageCounts]
    inputs: Sequence[InputFile]
    keep_segments: bool = False
    exports: Sequence[str] = ()
    llamafactory: bool = False
    checks: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Published:
    path: Path
    manifest: Manifest
    created: bool


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_fingerprint(config: dict, inputs: Sequence[InputFile], code_version: str) -> str:
    """What decides a build's output: the config, the input bytes and the code."""
    payload = {"config": config, "inputs": [[i.path, i.sha256] for i in inputs], "code": code_version}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def versions(output_dir: Path, dataset: str) -> list[str]:
    """Published versions, oldest first."""
    root = output_dir / dataset
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if p.name.startswith("v") and p.name[1:].isdigit()]
    return sorted(found, key=lambda name: int(name[1:]))


def load_manifest(release_dir: Path) -> Manifest:
    return Manifest.model_validate_json((release_dir / MANIFEST).read_text(encoding="utf-8"))


def find_build(output_dir: Path, dataset: str, fingerprint: str) -> Path | None:
    """The release already built from exactly these inputs, config and code, if any."""
    for version in reversed(versions(output_dir, dataset)):
        if load_manifest(output_dir / dataset / version).input_fingerprint == fingerprint:
            return output_dir / dataset / version
    return None


def check_conservation(request: ReleaseRequest, released: int, rejected: int) -> None:
    """Refuse a release in which any record is unaccounted for."""
    problems = [
        f"stage {s.stage}: {s.input} in, {s.added} added, {s.kept} kept, {s.rejected_total} rejected"
        for s in request.stages
        if not s.balanced
    ]
    for before, after in zip(request.stages, request.stages[1:], strict=False):
        if before.kept != after.input:
            problems.append(f"{before.stage} kept {before.kept} but {after.stage} received {after.input}")
    if request.stages and request.stages[0].input != request.input_count:
        problems.append(
            f"{request.input_count} input records but {request.stages[0].stage} received {request.stages[0].input}"
        )
    ledger = sum(s.rejected_total for s in request.stages)
    if ledger != rejected:
        problems.append(f"stages rejected {ledger} records but the ledger holds {rejected}")
    added = sum(s.added for s in request.stages)
    if request.input_count + added != released + rejected:
        problems.append(
            f"{request.input_count} input records and {added} augmented, but {released} released + {rejected} rejected"
        )
    if problems:
        raise ReleaseRefused("records are unaccounted for: " + "; ".join(problems))


def publish(
    output_dir: Path, request: ReleaseRequest, records: Iterable[SftRecord], rejections: Iterable[Rejection]
) -> Published:
    root = output_dir / request.dataset
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        return _publish_staged(root, staging, request, records, rejections)
    finally:
        if staging.exists():
            _make_writable(staging)
            shutil.rmtree(staging)


def _publish_staged(
    root: Path, staging: Path, request: ReleaseRequest, records: Iterable[SftRecord], rejections: Iterable[Rejection]
) -> Published:
    by_source: dict[str, Counter] = defaultdict(Counter)
    excluded = set() if request.keep_segments else {"segments"}
    stats = ReleaseStats()
    by_split = _write_splits(staging, records, by_source, excluded, stats)
    rejected = _write_rejections(staging / REJECTIONS, rejections, by_source, stats)
    check_conservation(request, sum(by_split.values()), rejected)
    present = [s for s in SPLITS if by_split[s]]
    for name in (f"{s}.jsonl" for s in SPLITS if not by_split[s]):
        (staging / name).unlink()
    written = {f"{s}.jsonl": by_split[s] for s in present} | {REJECTIONS: rejected}
    written |= _write_exports(staging, request, present)
    files = [FileEntry(path=name, sha256=sha256_file(staging / name), records=n) for name, n in written.items()]
    fingerprint = hashlib.sha256("".join(f"{f.path}:{f.sha256}\n" for f in files).encode()).hexdigest()
    existing = versions(root.parent, request.dataset)
    if existing and load_manifest(root / existing[-1]).fingerprint == fingerprint:
        return Published(root / existing[-1], load_manifest(root / existing[-1]), created=False)
    manifest = Manifest(
        dataset=request.dataset,
        version="",
        fingerprint=fingerprint,
        input_fingerprint=request.input_fingerprint,
        parent=existing[-1] if existing else None,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        code_version=request.code_version,
        config=request.config,
        tokenizer=request.tokenizer,
        chat_template=request.chat_template,
        counts=ReleaseCounts(
            input=request.input_count,
            augmented=sum(s.added for s in request.stages),
            released=sum(by_split.values()),
            rejected=rejected,
            by_split={s: by_split[s] for s in SPLITS},
            rejected_by_reason=_reasons(request.stages),
            by_source={name: SourceCounts(**tally) for name, tally in sorted(by_source.items())},
        ),
        token_stats=_token_stats(stats.tokens),
        checks={**request.checks, "masks": _mask_stats(stats.coverage), **export_checks(staging, written, by_split)},
        stages=list(request.stages),
        inputs=list(request.inputs),
        files=files,
    )
    return _rename_into_place(root, staging, manifest, existing, stats)


def _write_exports(staging: Path, request: ReleaseRequest, splits: list[str]) -> dict[str, int]:
    formats = list(request.exports)
    if request.llamafactory and "sharegpt" not in formats:
        formats.append("sharegpt")
    written: dict[str, int] = {}
    for split in splits:
        written |= write_exports(staging, split, read_models(staging / f"{split}.jsonl", SftRecord), formats)
    if request.llamafactory:
        write_json(staging / "dataset_info.json", dataset_info(staging, request.dataset, splits, formats))
        written["dataset_info.json"] = len(splits)
    return written


def _rename_into_place(
    root: Path, staging: Path, manifest: Manifest, existing: list[str], stats: ReleaseStats
) -> Published:
    number = int(existing[-1][1:]) + 1 if existing else 1
    while True:
        version = f"v{number}"
        final = manifest.model_copy(update={"version": version})
        report = _write_report(staging, final, stats)
        final = final.model_copy(update={"files": [*manifest.files, report]})
        atomic_write_text(staging / CARD, dataset_card(final, stats, root / version))
        card = FileEntry(path=CARD, sha256=sha256_file(staging / CARD), records=0)
        final = final.model_copy(update={"files": [*final.files, card]})
        write_json(staging / MANIFEST, final.model_dump(mode="json"))
        _make_read_only(staging)
        try:
            os.rename(staging, root / version)
        except OSError:
            if not (root / version).exists():
                raise
            _make_writable(staging)
            number += 1
            continue
        return Published(root / version, final, created=True)


def _write_report(staging: Path, manifest: Manifest, stats: ReleaseStats) -> FileEntry:
    atomic_write_text(staging / REPORT, build_report(manifest, stats))
    return FileEntry(path=REPORT, sha256=sha256_file(staging / REPORT), records=0)


def _write_splits(
    staging: Path, records: Iterable[SftRecord], by_source: dict[str, Counter], excluded: set[str], stats: ReleaseStats
) -> dict[str, int]:
    handles = {s: (staging / f"{s}.jsonl").open("w", encoding="utf-8") for s in SPLITS}
    counts = dict.fromkeys(SPLITS, 0)
    try:
        for record in records:
            split = record.meta.split
            if split not in handles:
                raise ReleaseRefused(f"record {record.id} from {record.meta.source} has no split")
            handles[split].write(record.model_dump_json(exclude=excluded) + "\n")
            counts[split] += 1
            by_source[record.meta.source.file]["released"] += 1
            stats.add_record(record)
    finally:
        for handle in handles.values():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
    return counts


def _mask_stats(coverage: Sequence[float]) -> dict:
    """Loss-mask coverage: the share of each record's tokens that training learns from."""
    if not coverage:
        return {}
    return {
        "records": len(coverage),
        "coverage_mean": round(statistics.fmean(coverage), 4),
        "coverage_min": round(min(coverage), 4),
        "coverage_max": round(max(coverage), 4),
        "records_without_trained_tokens": sum(1 for c in coverage if c == 0),
    }


def _write_rejections(
    path: Path, rejections: Iterable[Rejection], by_source: dict[str, Counter], stats: ReleaseStats
) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for rejection in rejections:
            handle.write(rejection.model_dump_json() + "\n")
            by_source[rejection.source.file]["rejected"] += 1
            stats.add_rejection(rejection)
            count += 1
        handle.flush()
        os.fsync(handle.fileno())
    return count


def _reasons(stages: Sequence[StageCounts]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for stage in stages:
        for reason, count in stage.rejected.items():
            totals[f"{stage.stage}.{reason}"] = totals.get(f"{stage.stage}.{reason}", 0) + count
    return dict(sorted(totals.items()))


def _token_stats(tokens: Sequence[int]) -> dict[str, float]:
    if not tokens:
        return {}
    ordered = sorted(tokens)
    return {
        "total": float(sum(ordered)),
        "min": float(ordered[0]),
        "mean": round(statistics.fmean(ordered), 1),
        "p50": float(ordered[len(ordered) // 2]),
        "p95": float(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]),
        "max": float(ordered[-1]),
    }


def _make_read_only(folder: Path) -> None:
    for path in folder.iterdir():
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)


def _make_writable(folder: Path) -> None:
    folder.chmod(stat.S_IRWXU)
    for path in folder.iterdir():
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


class ReleaseTampered(ReleaseRefused):
    """A published release's files no longer match its manifest."""


def verify_release(release_dir: Path) -> None:
    """Every file the manifest lists has its recorded sha256, and no file was added beside them."""
    manifest = load_manifest(release_dir)
    listed = {entry.path for entry in manifest.files}
    problems = []
    for entry in manifest.files:
        path = release_dir / entry.path
        if not path.is_file():
            problems.append(f"{entry.path} is missing")
        elif sha256_file(path) != entry.sha256:
            problems.append(f"{entry.path} was changed (its sha256 differs from the manifest's)")
    extra = sorted(p.name for p in release_dir.iterdir() if p.name not in listed and p.name != MANIFEST)
    problems += [f"{name} is not in the manifest" for name in extra]
    if problems:
        raise ReleaseTampered(
            f"{manifest.dataset}@{manifest.version} at {release_dir} was modified after publishing: "
            + "; ".join(problems)
            + ". Releases are immutable: restore the files, or remove the folder to publish again."
        )


@contextmanager
def release_lock(output_dir: Path, dataset: str, poll: float = 0.5) -> Iterator[None]:
    """One build of a dataset at a time: the second waits for the first, then finds its release.

    The lock is an flock on `<output_dir>/<dataset>/.lock`, so the kernel releases it when its
    holder dies: a killed build never leaves a lock behind. The holder's pid and start time are
    written into the file for the message the waiting build prints. Staging folders left by a
    killed build are removed once the lock is held (no live build can own them then).
    """
    import fcntl

    root = output_dir / dataset
    root.mkdir(parents=True, exist_ok=True)
    with (root / LOCK).open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another build"
            log.warning("waiting for the build of %s that holds %s (%s)", dataset, root / LOCK, holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}\n")
        handle.flush()
        try:
            remove_stale_staging(root)
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_stale_staging(root: Path) -> int:
    """Remove staging folders of builds that died while publishing; call only with the lock held."""
    removed = 0
    for staging in root.glob(f"{STAGING_PREFIX}*"):
        _make_writable(staging)
        shutil.rmtree(staging, ignore_errors=True)
        removed += 1
    return removed
