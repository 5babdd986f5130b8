"""The two kinds of shard work a build runs, as plain functions the flow's tasks call.

prepare: one input file (or a byte range of a large JSONL file) through collect, normalize and
every per-shard stage before the first global stage, written as pieces of at most
`collect.shard_size` records with their sketches. finish: one piece through the global stages'
decisions and every stage after them, written with the sketches the leakage check needs.

Each piece of work is cached in the work folder under a key of everything that decides it, so
a later build does only what changed. The key of collect + normalize leaves out the sections of
the config that only later stages read, so changing a clean threshold re-runs from clean on.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline import collect
from pipeline.collect import Chunk
from pipeline.dedup.sketch import Sketches, sketch
from pipeline.engine import (
    COUNTS,
    RECORDS,
    REJECTIONS,
    Chain,
    Writer,
    batches,
    describe,
    read_counts,
    read_records,
    write_counts,
)
from pipeline.release import sha256_file
from pipeline.stages import (
    GlobalStage,
    Resources,
    Stage,
    annotation_store,
    build_stages,
    last_segment_user,
    normalize_stage,
)
from pipeline.work import Cache, key
from schemas import RunConfig, SftRecord, SourceConfig, StageCounts

log = logging.getLogger(__name__)

SKETCH = "sketch"
LEAKAGE = "leakage"
SPLITS = "splits.json"
SECONDS = "seconds.json"
BATCH = 1000

# Sections of the run config that collect and normalize never read (so they stay out of their key).
LATER_SECTIONS = (
    "dedup", "annotate", "decontaminate", "split", "segment", "clean", "augment", "render", "release",
    "runner", "work", "output_dir", "work_dir", "tokenizer", "sources",
)  # fmt: skip
# ... and those no shard work reads at all.
NEVER_READ = ("release", "runner", "work", "output_dir", "work_dir", "sources")


@dataclass(frozen=True)
class Input:
    """One unit of reading: a file of a source, or a byte range of it."""

    index: int
    source: SourceConfig
    path: Path
    sha256: str
    chunk: Chunk
    size: int = 0

    @property
    def name(self) -> str:
        part = "" if self.chunk.covers_file else f"@{self.chunk.start}"
        return f"{self.index:04d}-{self.path.stem[:40]}{part}"


@dataclass(frozen=True)
class Job:
    """What every shard task needs: picklable, so any runner can ship it."""

    config: RunConfig
    code_version: str
    digests: dict[str, str] = field(default_factory=dict)  # files the stages read besides inputs, by sha256

    @property
    def cache(self) -> Cache:
        return Cache.for_dataset(self.config.work_dir, self.config.dataset)

    @cached_property
    def _config_json(self) -> dict:
        return self.config.model_dump(mode="json")

    def section_key(self, *excluded: str) -> dict:
        """The config without `excluded` sections (dumped once per job: every key of every input asks)."""
        return {k: v for k, v in self._config_json.items() if k not in excluded}


@dataclass(frozen=True)
class Piece:
    """Up to `collect.shard_size` records that passed the first stages, with their sketch."""

    folder: Path
    key: str
    records: int
    name: str


@dataclass(frozen=True)
class Prepared:
    entries: list[Path]
    counts: list[StageCounts]
    rejections: list[Path]
    pieces: list[Piece]
    seconds: dict[str, float]


@dataclass(frozen=True)
class Finished:
    entry: Path
    counts: list[StageCounts]
    seconds: dict[str, float]

    @property
    def records(self) -> Path:
        return self.entry / RECORDS

    @property
    def rejections(self) -> Path:
        return self.entry / REJECTIONS

    @property
    def leakage(self) -> Path:
        return self.entry / LEAKAGE


_resources: dict[str, Resources] = {}


def resources(config: RunConfig, name: str | None = None) -> Resources:
    """One Resources per config in each process: a worker loads the segmenter and tokenizer once.

    They are kept under the config's JSON (`name`, when the caller has it: a config read back from
    JSON does not always dump to the same text, as defaults filled in by validators appear)."""
    name = name or config.model_dump_json()
    if name not in _resources:
        _resources[name] = Resources(config)
    return _resources[name]


def split_at_global(stages: list[Stage]) -> tuple[list[Stage], list[Stage]]:
    """The per-shard stages before the first global stage, and everything from it on."""
    first = next((i for i, s in enumerate(stages) if isinstance(s, GlobalStage)), len(stages))
    return stages[:first], stages[first:]


def _drop_index(config: RunConfig, stages: list[Stage], offset: int, length: int) -> int | None:
    if config.segment.keep_in_release:
        return None
    last = last_segment_user(stages)
    return last - offset if offset <= last < offset + length else None


def _keys(job: Job, item: Input) -> tuple[str, str]:
    """The cache keys of an input's collect + normalize ("read") and of its stages up to clean."""
    read_key = key("read", job.code_version, item.sha256, item.chunk, item.source.model_dump(mode="json"),
                   job.section_key(*LATER_SECTIONS))  # fmt: skip
    return read_key, key("prepare", read_key, job.section_key(*NEVER_READ), job.digests)


def is_prepared(job: Job, item: Input) -> bool:
    """Whether a previous build left this input's work up to clean in the cache."""
    return job.cache.ready(job.cache.entry("prepare", _keys(job, item)[1]))


def prepare_all(job: Job, items: list[Input]) -> list[Prepared]:
    return [prepare(job, item) for item in items]


def prepare(job: Job, item: Input) -> Prepared:
    config = job.config
    stages = build_stages(config, resources(config))
    before, _ = split_at_global(stages)
    read_key, prepare_key = _keys(job, item)
    read_entry = _read(job, item, read_key)
    entry = job.cache.entry("prepare", prepare_key)
    if not job.cache.ready(entry):
        with job.cache.writing("prepare", prepare_key) as scratch:
            _prepare_into(scratch, job, before, read_entry, _drop_index(config, stages, 0, len(before)), item.name)
    counts = read_counts(read_entry / COUNTS) + read_counts(entry / COUNTS)
    meta = json.loads((entry / "pieces.json").read_text(encoding="utf-8"))
    pieces = [
        Piece(entry / p["name"], f"{prepare_key}/{p['name']}", p["records"], f"{item.name}-p{n:03d}")
        for n, p in enumerate(meta["pieces"])
    ]
    seconds = json.loads((read_entry / SECONDS).read_text()) | meta["seconds"]
    return Prepared([read_entry, entry], counts, [read_entry / REJECTIONS, entry / REJECTIONS], pieces, seconds)


def _read(job: Job, item: Input, read_key: str) -> Path:
    """collect + normalize of one input, cached by the input's bytes and their configs."""
    entry = job.cache.entry("read", read_key)
    if job.cache.ready(entry):
        return entry
    config = job.config
    with job.cache.writing("read", read_key) as scratch:
        records, rejected = Writer(scratch / RECORDS), Writer(scratch / REJECTIONS)
        collected = Collected(rejected)
        chain = Chain([normalize_stage(config, item.source)], {}, None)
        started = time.process_time()
        try:
            for batch in batches(collected.records(item, config), BATCH):
                records.write(chain.run(batch, rejected.write))
        finally:
            records.close()
            rejected.close()
        write_counts(scratch / COUNTS, [collected.counts, *chain.counts])
        log.info("collect %s: %s", item.name, describe(collected.counts))
        chain.log_summary(item.name)
        seconds = {"collect": time.process_time() - started - sum(chain.seconds.values()), **chain.seconds}
        (scratch / SECONDS).write_text(json.dumps(seconds), encoding="utf-8")
    return entry


class Collected:
    """collect's records as a stream; its rejections go straight to the ledger, tallied by reason."""

    def __init__(self, ledger: Writer) -> None:
        self.ledger = ledger
        self.kept = 0
        self.rejected: dict[str, int] = {}

    def records(self, item: Input, config: RunConfig) -> Iterator[SftRecord]:
        for thing in collect.read(item.path, item.source, config.collect, item.chunk):
            if isinstance(thing, SftRecord):
                self.kept += 1
                yield thing
            else:
                self.rejected[thing.reason] = self.rejected.get(thing.reason, 0) + 1
                self.ledger.write([thing])

    @property
    def counts(self) -> StageCounts:
        total = self.kept + sum(self.rejected.values())
        return StageCounts(stage="collect", input=total, kept=self.kept, rejected=self.rejected)


def _prepare_into(scratch: Path, job: Job, stages: list[Stage], read_entry: Path, drop: int | None, name: str) -> None:
    config = job.config
    rejected = Writer(scratch / REJECTIONS)
    chain = Chain(stages, {}, drop)
    pieces, pending = [], []

    def flush() -> None:
        name = f"piece-{len(pieces):04d}"
        folder = scratch / name
        folder.mkdir()
        writer = Writer(folder / RECORDS)
        writer.write(pending)
        writer.close()
        sketch(pending, config.dedup.near).save(folder / SKETCH)
        pieces.append({"name": name, "records": len(pending)})
        pending.clear()

    try:
        for batch in batches(read_records(read_entry / RECORDS), BATCH):
            for record in chain.run(batch, rejected.write):
                pending.append(record)
                if len(pending) >= config.collect.shard_size:
                    flush()
        if pending:
            flush()
    finally:
        rejected.close()
    write_counts(scratch / COUNTS, chain.counts)
    chain.log_summary(name)
    meta = {"pieces": pieces, "seconds": chain.seconds}
    (scratch / "pieces.json").write_text(json.dumps(meta), encoding="utf-8")


def finish_all(job: Job, pieces: list[Piece], decisions: list[dict[str, Any]]) -> list[Finished]:
    return [finish(job, piece, part) for piece, part in zip(pieces, decisions, strict=True)]


def finish(job: Job, piece: Piece, decisions: dict[str, Any]) -> Finished:
    """The global stages' decisions and every later stage, over one piece."""
    config = job.config
    stages = build_stages(config, resources(config))
    before, after = split_at_global(stages)
    digest = key({name: asdict(value) for name, value in decisions.items()})
    finish_key = key("finish", piece.key, digest, job.section_key(*NEVER_READ), job.digests)
    entry = job.cache.entry("finish", finish_key)
    if not job.cache.ready(entry):
        with job.cache.writing("finish", finish_key) as scratch:
            _finish_into(scratch, job, after, piece, decisions, _drop_index(config, stages, len(before), len(after)))
    return Finished(entry, read_counts(entry / COUNTS), json.loads((entry / SECONDS).read_text()))


def _finish_into(
    scratch: Path, job: Job, stages: list[Stage], piece: Piece, decisions: dict[str, Any], drop: int | None
) -> None:
    config = job.config
    before = Sketches.load(piece.folder / SKETCH)
    row_of = {record_id: row for row, record_id in reversed(list(enumerate(before.ids)))}
    records, rejected = Writer(scratch / RECORDS), Writer(scratch / REJECTIONS)
    chain = Chain(stages, decisions, drop)
    final: list[tuple[str, str, int | None]] = []
    changed: list[SftRecord] = []
    try:
        for batch in batches(read_records(piece.folder / RECORDS), BATCH):
            out = chain.run(batch, rejected.write)
            records.write(out)
            for record in out:
                row = None if _changed_since_dedup(record) else row_of.get(record.id)
                final.append((record.id, record.meta.split or "", row))
                if row is None:
                    changed.append(record)
    finally:
        records.close()
        rejected.close()
    new = sketch(changed, config.dedup.near) if changed else None
    _leakage_sketch(scratch / LEAKAGE, before, final, new, config.dedup.near.num_perm)
    write_counts(scratch / COUNTS, chain.counts)
    chain.log_summary(piece.name)
    (scratch / SECONDS).write_text(json.dumps(chain.seconds), encoding="utf-8")


def _changed_since_dedup(record: SftRecord) -> bool:
    """Whether a later stage changed the dialogue (a child of augment, turns cut by render)."""
    return record.meta.parent is not None or any(
        step.stage == "render" and step.action == "dropped_turns" for step in record.meta.lineage
    )


def _leakage_sketch(folder: Path, before: Sketches, final: list, new: Sketches | None, num_perm: int) -> None:
    """Sketches of the released records: rows of the piece's sketch reused, the changed ones new."""
    rows, fresh = [], 0
    for _, _, row in final:
        if row is None:
            rows.append((new, fresh))
            fresh += 1
        else:
            rows.append((before, row))
    Sketches.gather(rows, num_perm).save(folder)
    (folder / SPLITS).write_text(json.dumps([split for _, split, _ in final]), encoding="utf-8")


def file_digests(config: RunConfig) -> dict[str, str]:
    """sha256 of every file the stages read besides the inputs, so a changed file re-runs its stage."""
    paths = [Path(b.path) for b in config.decontaminate.benchmarks] + [Path(p) for p in config.segment.user_dicts]
    if config.segment.stop_words:
        paths.append(Path(config.segment.stop_words))
    if config.annotate.enabled:
        paths += sorted(p for p in annotation_store(config).glob("*") if p.is_file())
    tokenizer = Path(config.tokenizer)
    if tokenizer.is_dir():
        paths += sorted(p for p in tokenizer.iterdir() if p.is_file())
    return {p.as_posix(): sha256_file(p) for p in paths if p.is_file()}
