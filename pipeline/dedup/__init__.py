"""dedup: drop exact duplicates of normalized content, pointing each to the twin that was kept.

The first occurrence in source order is kept, so the choice is deterministic. `seen` may be
shared across calls: the flow passes the same dict through every shard, so duplicates are found
across files while each shard is processed on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableMapping

from pipeline.ids import content_key, digest
from schemas import DedupConfig, RecordResult, Rejection, SftRecord, SourcePointer

STAGE = "dedup"

_SPACE = re.compile(r"\s+")


def exact_key(record: SftRecord) -> str:
    """Content with runs of whitespace folded: formatting differences do not make new data."""
    messages = [m.model_copy(update={"content": _SPACE.sub(" ", m.content)}) for m in record.messages]
    return digest(content_key(messages, record.tools), length=32)


def run(
    records: Iterable[SftRecord],
    config: DedupConfig,
    seen: MutableMapping[str, tuple[str, SourcePointer]] | None = None,
) -> RecordResult:
    seen = {} if seen is None else seen
    kept: list[SftRecord] = []
    rejections: list[Rejection] = []
    count = 0
    for record in records:
        count += 1
        if not config.exact:
            kept.append(record)
            continue
        key = exact_key(record)
        twin = seen.get(key)
        if twin is None:
            seen[key] = (record.id, record.meta.source)
            kept.append(record)
        else:
            twin_id, twin_source = twin
            rejections.append(
                Rejection(
                    record_id=record.id,
                    stage=STAGE,
                    reason="exact_duplicate",
                    detail=f"same content as {twin_id} kept from {twin_source}",
                    source=record.meta.source,
                )
            )
    return RecordResult(stage=STAGE, input=count, kept=kept, rejections=rejections)
