"""split: deterministic, hash-based train/validation/test assignment by group.

A record's split depends only on its group key, the salt and the ratios, never on what else
is in the data, so adding records never moves an existing one. All records of a group (one
Markdown document, a near-duplicate cluster, an augmented child and its parent) land in the
same split, so a model is not tested on text from a document it trained on.

Hashing gives every category and source the configured ratios in expectation, which is the
stratification that survives growth; exact per-stratum quotas would move records whenever
data is added. The release report shows the balance by category and source.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pipeline.dedup import Decision
from pipeline.dedup.near import Rows
from schemas import RecordResult, SftRecord, SplitConfig

STAGE = "split"

_BUCKETS = 2**64


def position(group: str, salt: str) -> float:
    """A uniform number in [0, 1) for a group: the first 8 bytes of sha256(salt, group)."""
    raw = hashlib.sha256(f"{salt}\x00{group}".encode()).digest()[:8]
    return int.from_bytes(raw, "big") / _BUCKETS


@dataclass(frozen=True)
class Bounds:
    """test = [0, test_end); validation = [validation_start, validation_end); the rest train."""

    test_end: float
    validation_start: float
    validation_end: float


def bounds(groups: Iterable[str], config: SplitConfig) -> Bounds:
    """Ratios, tightened so that `max_test` and `max_validation` hold exactly for these groups.

    A cap cuts between groups at the position where the count would pass it, so the groups
    nearest the start of the range stay. When data grows, a capped split may hand its last
    groups to train; without caps nothing ever moves.
    """
    sizes = Counter(groups)
    ordered = sorted((position(g, config.salt), n) for g, n in sizes.items())
    test_end = _cap(ordered, 0.0, config.test, config.max_test)
    validation_start = config.test
    validation_end = _cap(ordered, validation_start, config.test + config.validation, config.max_validation)
    return Bounds(test_end, validation_start, validation_end)


def bounds_after(rows: Rows, decided: Decision, config: SplitConfig) -> Bounds:
    """Bounds over the records dedup keeps, in the groups dedup gives them (from sketches alone)."""

    def groups() -> Iterator[str]:
        for row in range(len(rows)):
            if row not in decided.rejected:
                table, local = rows.locate(row)
                yield decided.group.get(row, table.groups[local])

    return bounds(groups(), config)


def _cap(ordered: list[tuple[float, int]], start: float, end: float, limit: int | None) -> float:
    if limit is None:
        return end
    first = bisect.bisect_left(ordered, (start, 0))
    total = 0
    for point, size in ordered[first:]:
        if point >= end or total + size > limit:
            return min(point, end)
        total += size
    return end


def assign(group: str, config: SplitConfig, limits: Bounds | None = None) -> str:
    limits = limits or Bounds(config.test, config.test, config.test + config.validation)
    point = position(group, config.salt)
    if point < limits.test_end:
        return "test"
    if limits.validation_start <= point < limits.validation_end:
        return "validation"
    return "train"


def run(records: Iterable[SftRecord], config: SplitConfig, limits: Bounds | None = None) -> RecordResult:
    """Assign splits; `limits` (from `bounds` over every record of the build) applies the caps."""
    kept = []
    for record in records:
        meta = record.meta.model_copy(update={"split": assign(record.meta.group, config, limits)})
        kept.append(record.model_copy(update={"meta": meta}))
    return RecordResult(stage=STAGE, input=len(kept), kept=kept, rejections=[])
