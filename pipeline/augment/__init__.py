"""augment: new training examples from train records, for scarce Chinese data.

Children are made from train records only (validation and test measure the real data), by
default from user turns only (so the answers stay correct), with a seeded generator per record
(the same data gives the same children on any machine), and at most `max_share` of the train
split. Each child records its parent and operation; a child equal to an existing record is
dropped. The stage's counts show the children as `added`, apart from the input records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from random import Random

from pipeline.augment import deletion, insertion, reorder, swap, synonym
from pipeline.augment.synonyms import load_synonyms
from pipeline.ids import record_id
from schemas import AugmentConfig, RecordResult, Segmentation, SftRecord

STAGE = "augment"

OPERATIONS: dict[str, Callable] = {
    "synonym": synonym.apply,
    "insert": insertion.apply,
    "delete": deletion.apply,
    "swap": swap.apply,
    "reorder": reorder.apply,
}


def run(records: Iterable[SftRecord], config: AugmentConfig) -> RecordResult:
    originals = list(records)
    if not config.enabled:
        return RecordResult(stage=STAGE, input=len(originals), kept=originals, rejections=[])
    synonyms = load_synonyms() if {"synonym", "insert"} & set(config.operations) else {}
    train = [r for r in originals if r.meta.split == "train"]
    budget = int(len(train) * config.max_share / (1 - config.max_share))
    chance = min(1.0, budget / (len(train) * config.children_per_record)) if train else 0.0
    known = {r.id for r in originals}
    children: list[SftRecord] = []
    for record in train:
        if len(children) >= budget or _draw(config.seed, record.id) >= chance:
            continue
        rng = Random(f"{config.seed}:{record.id}")
        for _ in range(config.children_per_record):
            child = make_child(record, config, rng, synonyms)
            if child is not None and child.id not in known and len(children) < budget:
                known.add(child.id)
                children.append(child)
    return RecordResult(
        stage=STAGE, input=len(originals), kept=originals + children, rejections=[], added=len(children)
    )


def _draw(seed: int, record_id: str) -> float:
    raw = hashlib.sha256(f"augment:{seed}:{record_id}".encode()).digest()[:8]
    return int.from_bytes(raw, "big") / 2**64


def make_child(record: SftRecord, config: AugmentConfig, rng: Random, synonyms: dict) -> SftRecord | None:
    """A child by the first operation (in a random order) that changes one of the chosen turns."""
    if record.segments is None:
        raise ValueError("augment needs segments: run the segment stage first")
    for name in rng.sample(config.operations, len(config.operations)):
        messages, segments, changed = list(record.messages), list(record.segments), False
        for index, (message, seg) in enumerate(zip(record.messages, record.segments, strict=True)):
            if message.role not in config.roles:
                continue
            words = OPERATIONS[name](list(seg.words), seg.stop, config.rate, rng, synonyms)
            if words is not None and "".join(words) != message.content:
                messages[index] = message.model_copy(update={"content": "".join(words)})
                segments[index] = Segmentation(words=tuple(words))
                changed = True
        if changed:
            return _child(record, tuple(messages), tuple(segments), name)
    return None


def _child(parent: SftRecord, messages: tuple, segments: tuple, operation: str) -> SftRecord:
    meta = parent.meta.model_copy(update={"parent": parent.id, "cluster": None})
    child = parent.model_copy(
        update={"id": record_id(messages, parent.tools), "messages": messages, "segments": segments, "meta": meta}
    )
    return child.with_lineage(STAGE, operation, f"child of {parent.id}")
