"""dedup: exact duplicates, then near-duplicate clusters, decided once over every record's sketch.

It runs after clean, on the text as it will be released (PII already masked), so records that
became alike through masking are found, and a cluster's representative is always a record that
passed clean: no cluster vanishes because its first member was rejected.

Exact: the first occurrence in the order of the data is kept, the others point to it. Near: the
clusters of near.py; by default the leader of a cluster is kept and the others are rejected as
`near_duplicate` with a pointer to it; with `near.keep: all` every member is kept and the groups
of a cluster are merged, so split puts the whole cluster in one split.

The decision is global (a map of sketches per shard, one reduce, a map that applies it), and it
refers to records by their row in the order of the data, because two copies of a record share an
id and only the first may stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.dedup.near import Rows, cluster
from pipeline.dedup.sketch import Sketches, exact_key, sketch
from pipeline.stage import reject
from schemas import DedupConfig, RecordResult, SftRecord

STAGE = "dedup"

__all__ = ["STAGE", "Decision", "Sketches", "apply", "decide", "exact_key", "run", "sketch"]


@dataclass
class Decision:
    """What dedup decided, by global row: rejections, cluster ids and merged groups."""

    rejected: dict[int, tuple[str, str]] = field(default_factory=dict)
    cluster: dict[int, str] = field(default_factory=dict)
    group: dict[int, str] = field(default_factory=dict)

    def part(self, start: int, stop: int) -> Decision:
        """The decisions for rows [start, stop), renumbered from 0 (what one shard needs)."""

        def cut(table: dict) -> dict:
            return {row - start: value for row, value in table.items() if start <= row < stop}

        return Decision(cut(self.rejected), cut(self.cluster), cut(self.group))


def decide(rows: Rows, config: DedupConfig) -> Decision:
    decision = Decision()
    if config.exact:
        _exact(rows, decision)
    if config.near.enabled:
        _near(rows, config, decision)
    return decision


def _exact(rows: Rows, decision: Decision) -> None:
    first: dict[str, int] = {}
    for row in range(len(rows)):
        table, local = rows.locate(row)
        key = table.exact[local]
        twin = first.setdefault(key, row)
        if twin != row:
            kept, at = rows.locate(twin)
            detail = f"same content as {kept.ids[at]} kept from {kept.sources[at]}"
            decision.rejected[row] = ("exact_duplicate", detail)


def _near(rows: Rows, config: DedupConfig, decision: Decision) -> None:
    matches = cluster(rows, config.near, skip=decision.rejected)
    leaders = {match.leader for match in matches.values()}

    def record_id(row: int) -> str:
        table, local = rows.locate(row)
        return table.ids[local]

    for leader in leaders:
        decision.cluster[leader] = record_id(leader)
    if config.near.keep == "representative":
        for row, match in matches.items():
            table, local = rows.locate(match.leader)
            leader = f"{table.ids[local]} kept from {table.sources[local]}"
            detail = f"near-duplicate (Jaccard {match.similarity:.2f}) of {leader}"
            decision.rejected[row] = ("near_duplicate", detail)
        return
    for row, match in matches.items():
        decision.cluster[row] = record_id(match.leader)
    decision.group.update(_merged_groups(rows, matches))


def _merged_groups(rows: Rows, matches: dict) -> dict[int, str]:
    """One group for all records of every group a cluster touches (the smallest name wins)."""
    parent: dict[str, str] = {}

    def find(group: str) -> str:
        while parent.get(group, group) != group:
            group = parent[group]
        return group

    def group_of(row: int) -> str:
        table, local = rows.locate(row)
        return table.groups[local]

    for row, match in matches.items():
        a, b = find(group_of(row)), find(group_of(match.leader))
        if a != b:
            parent[max(a, b)] = min(a, b)
    touched = set(parent) | set(parent.values())
    return {row: find(group) for row in range(len(rows)) if (group := group_of(row)) in touched}


def apply(records: Iterable[SftRecord], decision: Decision) -> RecordResult:
    """Apply the decision for one shard's records (rows numbered from 0 in this shard)."""
    kept, rejections, count = [], [], 0
    for row, record in enumerate(records):
        count += 1
        if row in decision.rejected:
            reason, detail = decision.rejected[row]
            rejections.append(reject(record, STAGE, reason, detail))
            continue
        update = {}
        if row in decision.cluster:
            update["cluster"] = decision.cluster[row]
        if row in decision.group:
            update["group"] = decision.group[row]
        kept.append(record.model_copy(update={"meta": record.meta.model_copy(update=update)}) if update else record)
    return RecordResult(stage=STAGE, input=count, kept=kept, rejections=rejections)


def run(records: Iterable[SftRecord], config: DedupConfig) -> RecordResult:
    """All of dedup over records in memory (what annotation push and tests use)."""
    records = list(records)
    return apply(records, decide(Rows([sketch(records, config.near)]), config))
