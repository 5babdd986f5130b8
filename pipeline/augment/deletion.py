"""Random deletion (EDA's RD): drop each content word with probability `rate`, at least one."""

from __future__ import annotations

from random import Random

from pipeline.augment.words import editable


def apply(
    words: list[str], stop: tuple[bool, ...] | None, rate: float, rng: Random, synonyms: dict
) -> list[str] | None:
    positions = editable(words, stop)
    if len(positions) < 2:
        return None
    doomed = {i for i in positions if rng.random() < rate} or {rng.choice(positions)}
    if len(doomed) == len(positions):
        doomed.discard(rng.choice(sorted(doomed)))
    return [word for i, word in enumerate(words) if i not in doomed]
