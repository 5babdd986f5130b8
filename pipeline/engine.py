"""Running a run of fused stages over one shard: batches in, stage by stage in memory, files out.

A shard is read in batches and each batch goes through every stage of the run before the next
batch is read, so memory holds one batch whatever the shard's size; each stage's counts add up
over the batches, and its rejections are written as they come. Records are written once, at the
end of the run, and read back without being validated again (`read_records` uses pydantic's Rust
JSON parser, the fastest way measured to get the models back, faster than orjson plus
`model_construct` in Python).

Global stages appear in a run as their `apply`; a decision that names rows (dedup's) refers to
the rows entering the run, in order, so each batch gets its slice of it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from pipeline.stages import Records, ShardStage, Stage
from schemas import Rejection, SftRecord, StageCounts

log = logging.getLogger(__name__)

RECORDS = "records.jsonl"
REJECTIONS = "rejections.jsonl"
COUNTS = "counts.json"


def batches(records: Iterable[SftRecord], size: int) -> Iterator[Records]:
    batch: Records = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def read_records(path: Path) -> Iterator[SftRecord]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield SftRecord.model_validate_json(line)


def read_rejections(path: Path) -> Iterator[Rejection]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield Rejection.model_validate_json(line)


def write_counts(path: Path, counts: list[StageCounts]) -> None:
    path.write_text(json.dumps([c.model_dump(mode="json") for c in counts], ensure_ascii=False) + "\n", "utf-8")


def read_counts(path: Path) -> list[StageCounts]:
    return [StageCounts.model_validate(c) for c in json.loads(path.read_text(encoding="utf-8"))]


def without_segments(record: SftRecord) -> SftRecord:
    """The record without its segments, its word count kept in `meta.words`."""
    if record.segments is None:
        return record
    words = sum(
        sum(1 for word in seg.words if word.strip())
        for message, seg in zip(record.messages, record.segments, strict=True)
        if message.role in ("user", "assistant")
    )
    meta = record.meta.model_copy(update={"words": words})
    return record.model_copy(update={"segments": None, "meta": meta})


class Chain:
    """A run of stages applied batch by batch, with running counts per stage."""

    def __init__(self, stages: list[Stage], decisions: dict[str, Any], drop_segments_after: int | None) -> None:
        self.stages = stages
        self.decisions = decisions
        self.drop_after = drop_segments_after
        self.counts: list[StageCounts] = [StageCounts(stage=s.name, input=0, kept=0) for s in stages]
        self.seconds: dict[str, float] = {s.name: 0.0 for s in stages}
        self.rows = 0

    def run(self, batch: Records, rejected: Callable[[list[Rejection]], None]) -> Records:
        start, self.rows = self.rows, self.rows + len(batch)
        records = batch
        for index, stage in enumerate(self.stages):
            started = time.process_time()
            if isinstance(stage, ShardStage):
                result = stage.run(records)
            else:
                result = stage.apply(records, rows_of(self.decisions[stage.name], start, self.rows))
            self.seconds[stage.name] += time.process_time() - started
            self.counts[index] = self.counts[index] + result.counts
            rejected(result.rejections)
            records = result.kept
            if self.drop_after is not None and index == self.drop_after:
                records = [without_segments(r) for r in records]
        return records

    def log_summary(self, where: str) -> None:
        """One INFO line per stage: records in and kept, the top rejection reasons, CPU seconds."""
        for counts in self.counts:
            log.info("%s %s: %s (%.2f s)", counts.stage, where, describe(counts), self.seconds[counts.stage])


def describe(counts: StageCounts) -> str:
    """`5000 in, 4930 kept, 70 rejected (too_short 50, refusal 20)` for logs and progress lines."""
    added = f", {counts.added} added" if counts.added else ""
    reasons = sorted(counts.rejected.items(), key=lambda item: -item[1])
    top = ", ".join(f"{reason} {n}" for reason, n in reasons[:3]) + (", ..." if len(reasons) > 3 else "")
    rejected = f", {counts.rejected_total} rejected ({top})" if counts.rejected_total else ""
    return f"{counts.input} in{added}, {counts.kept} kept{rejected}"


def rows_of(decision: Any, start: int, stop: int) -> Any:
    """The slice of a row-indexed decision for rows [start, stop); other decisions as they are."""
    part = getattr(decision, "part", None)
    return part(start, stop) if callable(part) else decision


class Writer:
    """Appends models to a JSONL file, one line each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._handle: TextIO = path.open("w", encoding="utf-8")

    def write(self, models: Iterable[SftRecord | Rejection]) -> None:
        for model in models:
            self._handle.write(model.model_dump_json() + "\n")
            self.count += 1

    def close(self) -> None:
        self._handle.close()
