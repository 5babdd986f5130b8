"""dedup: exact duplicates, then near-duplicate clusters, before anyone annotates or splits.

Exact: the first occurrence in source order is kept, the others point to it. Near: MinHash-LSH
clusters (near.py); by default one representative per cluster is kept and the others are
rejected as `near_duplicate` with a pointer to it; with `near.keep: all` every member is kept
and the cluster's groups are merged, so split puts the whole cluster in one split.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.dedup.near import find_near_duplicates
from pipeline.ids import content_key, digest
from schemas import DedupConfig, RecordResult, Rejection, SftRecord

STAGE = "dedup"

_SPACE = re.compile(r"\s+")


def exact_key(record: SftRecord) -> str:
    """Content with runs of whitespace folded: formatting differences do not make new data."""
    messages = [m.model_copy(update={"content": _SPACE.sub(" ", m.content)}) for m in record.messages]
    return digest(content_key(messages, record.tools), length=32)


def run(records: Iterable[SftRecord], config: DedupConfig) -> RecordResult:
    unique, rejections = _drop_exact(list(records), config)
    count = len(unique) + len(rejections)
    kept = unique
    if config.near.enabled and len(unique) > 1:
        kept, near_rejections = _cluster_near(unique, config)
        rejections += near_rejections
    return RecordResult(stage=STAGE, input=count, kept=kept, rejections=rejections)


def _drop_exact(records: list[SftRecord], config: DedupConfig) -> tuple[list[SftRecord], list[Rejection]]:
    if not config.exact:
        return records, []
    seen: dict[str, SftRecord] = {}
    kept, rejections = [], []
    for record in records:
        key = exact_key(record)
        twin = seen.get(key)
        if twin is None:
            seen[key] = record
            kept.append(record)
        else:
            detail = f"same content as {twin.id} kept from {twin.meta.source}"
            rejections.append(_reject(record, "exact_duplicate", detail))
    return kept, rejections


def _cluster_near(records: list[SftRecord], config: DedupConfig) -> tuple[list[SftRecord], list[Rejection]]:
    texts = ["\n".join(m.content for m in r.messages if m.role != "system") for r in records]
    answers = [next((m.content for m in reversed(r.messages) if m.role == "assistant"), "") for r in records]
    pairs = find_near_duplicates(texts, answers, config.near)
    if not pairs:
        return records, []
    cluster_of = {p.member: p.representative for p in pairs} | {p.representative: p.representative for p in pairs}
    similarity = {p.member: p.similarity for p in pairs}
    if config.near.keep == "representative":
        kept, rejections = [], []
        for index, record in enumerate(records):
            representative = cluster_of.get(index)
            if representative is None or representative == index:
                kept.append(_tag(record, records[representative].id) if representative is not None else record)
            else:
                rep = records[representative]
                detail = f"near-duplicate (Jaccard {similarity[index]:.2f}) of {rep.id} kept from {rep.meta.source}"
                rejections.append(_reject(record, "near_duplicate", detail))
        return kept, rejections
    return _merge_groups(records, cluster_of), []


def _merge_groups(records: list[SftRecord], cluster_of: dict[int, int]) -> list[SftRecord]:
    """Keep every member; give all records of every group a cluster touches one group."""
    parent: dict[str, str] = {}

    def find(group: str) -> str:
        while parent.get(group, group) != group:
            group = parent[group]
        return group

    for member, representative in cluster_of.items():
        a, b = find(records[member].meta.group), find(records[representative].meta.group)
        if a != b:
            parent[max(a, b)] = min(a, b)
    merged = []
    for index, record in enumerate(records):
        group = find(record.meta.group)
        meta_update: dict = {"group": group}
        if index in cluster_of:
            meta_update["cluster"] = records[cluster_of[index]].id
        merged.append(record.model_copy(update={"meta": record.meta.model_copy(update=meta_update)}))
    return merged


def _tag(record: SftRecord, cluster: str) -> SftRecord:
    return record.model_copy(update={"meta": record.meta.model_copy(update={"cluster": cluster})})


def _reject(record: SftRecord, reason: str, detail: str) -> Rejection:
    return Rejection(record_id=record.id, stage=STAGE, reason=reason, detail=detail, source=record.meta.source)
