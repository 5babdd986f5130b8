"""split: deterministic, hash-based train/validation/test assignment by group.

A record's split depends only on its group key, the salt and the ratios, never on what else
is in the data, so adding records never moves an existing one. All records of a group (one
Markdown document, say) land in the same split, so a model is not tested on text from a
document it trained on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from schemas import RecordResult, SftRecord, SplitConfig

STAGE = "split"

_BUCKETS = 2**64


def position(group: str, salt: str) -> float:
    """A uniform number in [0, 1) for a group: the first 8 bytes of sha256(salt, group)."""
    raw = hashlib.sha256(f"{salt}\x00{group}".encode()).digest()[:8]
    return int.from_bytes(raw, "big") / _BUCKETS


def assign(group: str, config: SplitConfig) -> str:
    point = position(group, config.salt)
    if point < config.test:
        return "test"
    if point < config.test + config.validation:
        return "validation"
    return "train"


def run(records: Iterable[SftRecord], config: SplitConfig) -> RecordResult:
    kept = []
    for record in records:
        meta = record.meta.model_copy(update={"split": assign(record.meta.group, config)})
        kept.append(record.model_copy(update={"meta": meta}))
    return RecordResult(stage=STAGE, input=len(kept), kept=kept, rejections=[])
