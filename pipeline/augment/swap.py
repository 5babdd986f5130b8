"""Random swap (EDA's RS): swap the places of two content words, a share of times."""

from __future__ import annotations

from random import Random

from pipeline.augment.words import editable


def apply(
    words: list[str], stop: tuple[bool, ...] | None, rate: float, rng: Random, synonyms: dict
) -> list[str] | None:
    positions = editable(words, stop)
    if len(positions) < 2:
        return None
    changed = list(words)
    for _ in range(max(1, round(rate * len(positions)))):
        a, b = rng.sample(positions, 2)
        changed[a], changed[b] = changed[b], changed[a]
    return changed if changed != words else None
