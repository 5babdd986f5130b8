"""augment: new training examples from train records, for scarce Chinese data.

Children are made from train records only (validation and test measure the real data), by
default from user turns only (so the answers stay correct), with a seeded generator per record
(the same data gives the same children on any machine), and at most `max_share` of the train
split. Each child records its parent and operation; a child equal to an existing record is
dropped. The stage's counts show the children as `added`, apart from the input records.

Every operation sees a turn tagged with parts of speech and marked with what it must not touch
(words.py: numbers, names, quotes, code, the task's data lines, negations, words the answer
repeats). The default operations are the two that only reorder coordinated words or drop
optional words; synonym replacement, insertion and sentence reordering are there to switch on
once bench/quality/augment_bench.py shows them at 80% good children or more (labels pending).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import cache
from random import Random

from pipeline.augment import deletion, insertion, reorder, swap, synonym
from pipeline.augment.synonyms import Thesaurus, load_thesaurus
from pipeline.augment.words import turn_of
from pipeline.ids import record_id
from pipeline.segment import Segmenter, load_segmenter
from schemas import AugmentConfig, RecordResult, SegmentConfig, SftRecord

STAGE = "augment"

OPERATIONS: dict[str, Callable] = {
    "synonym": synonym.apply,
    "insert": insertion.apply,
    "delete": deletion.apply,
    "swap": swap.apply,
    "reorder": reorder.apply,
}


def run(records: Iterable[SftRecord], config: AugmentConfig, segmenter: Segmenter | None = None) -> RecordResult:
    """`segmenter` is the run's (the segment stage's): children are segmented with it, and it tags
    parts of speech when its backend uses jieba's tag set (jieba, rjieba); otherwise jieba tags,
    with the run's user dictionaries, so its names stay protected. Without one, jieba's default."""
    originals = list(records)
    if not config.enabled:
        return RecordResult(stage=STAGE, input=len(originals), kept=originals, rejections=[])
    tagger = _tagger(segmenter)
    thesaurus = load_thesaurus()
    train = [r for r in originals if r.meta.split == "train"]
    budget = int(len(train) * config.max_share / (1 - config.max_share))
    known = {r.id for r in originals}
    made: dict[str, list[SftRecord]] = {}
    total = 0
    # Parents are tried in a seeded order until the budget is spent: the safe operations leave most
    # records without a child, so a random share drawn in advance would leave the budget unused.
    for record in sorted(train, key=lambda r: _draw(config.seed, r.id)):
        if total >= budget:
            break
        rng = Random(f"{config.seed}:{record.id}")
        for _ in range(config.children_per_record):
            child = make_child(record, config, rng, thesaurus, tagger, segmenter or tagger)
            if child is not None and child.id not in known and total < budget:
                known.add(child.id)
                made.setdefault(record.id, []).append(child)
                total += 1
    children = [child for record in train for child in made.get(record.id, ())]
    return RecordResult(
        stage=STAGE, input=len(originals), kept=originals + children, rejections=[], added=len(children)
    )


_JIEBA_TAGS = ("jieba", "rjieba")


def _tagger(segmenter: Segmenter | None) -> Segmenter:
    """The segmenter that tags parts of speech with jieba's tags (nr, ns, nt, nz: names to protect)."""
    if segmenter is not None and segmenter.config.backend in _JIEBA_TAGS:
        return segmenter
    return _jieba_tagger(tuple(segmenter.config.user_dicts) if segmenter else ())


@cache
def _jieba_tagger(user_dicts: tuple[str, ...]) -> Segmenter:
    return load_segmenter(SegmentConfig(pos=True, user_dicts=list(user_dicts)))


def _draw(seed: int, record_id: str) -> float:
    raw = hashlib.sha256(f"augment:{seed}:{record_id}".encode()).digest()[:8]
    return int.from_bytes(raw, "big") / 2**64


def make_child(
    record: SftRecord,
    config: AugmentConfig,
    rng: Random,
    thesaurus: Thesaurus,
    tagger: Segmenter,
    segmenter: Segmenter | None = None,
) -> SftRecord | None:
    """A child by the first operation (in a random order) that changes one of the chosen turns,
    segmented with `segmenter` (the tagger when None)."""
    answer = "\n".join(m.content for m in record.messages if m.role == "assistant")
    turns = {
        i: turn_of(m.content, tagger.backend.tag(m.content), tagger.stop_words, answer)
        for i, m in enumerate(record.messages)
        if m.role in config.roles and m.content.strip()
    }
    for name in rng.sample(config.operations, len(config.operations)):
        messages, changed = list(record.messages), False
        for index, turn in turns.items():
            words = OPERATIONS[name](turn, config.rate, rng, thesaurus)
            if words is not None and "".join(words) != messages[index].content:
                messages[index] = messages[index].model_copy(update={"content": "".join(words)})
                changed = True
        if changed:
            return _child(record, tuple(messages), name, segmenter or tagger)
    return None


def _child(parent: SftRecord, messages: tuple, operation: str, segmenter: Segmenter) -> SftRecord:
    segments = tuple(segmenter.segment(m.content) for m in messages)
    meta = parent.meta.model_copy(update={"parent": parent.id, "cluster": None})
    child = parent.model_copy(
        update={"id": record_id(messages, parent.tools), "messages": messages, "segments": segments, "meta": meta}
    )
    return child.with_lineage(STAGE, operation, f"child of {parent.id}")
