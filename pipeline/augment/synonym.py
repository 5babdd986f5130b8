"""Synonym replacement (EDA's SR): replace a share of content words by a 词林 synonym."""

from __future__ import annotations

from random import Random

from pipeline.augment.words import editable


def apply(
    words: list[str], stop: tuple[bool, ...] | None, rate: float, rng: Random, synonyms: dict
) -> list[str] | None:
    positions = [i for i in editable(words, stop) if words[i] in synonyms]
    if not positions:
        return None
    changed = list(words)
    for i in rng.sample(positions, max(1, round(rate * len(positions)))):
        changed[i] = rng.choice(synonyms[words[i]])
    return changed
