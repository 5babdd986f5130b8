"""Random insertion (EDA's RI): insert a synonym of a content word at a random position."""

from __future__ import annotations

from random import Random

from pipeline.augment.words import editable


def apply(
    words: list[str], stop: tuple[bool, ...] | None, rate: float, rng: Random, synonyms: dict
) -> list[str] | None:
    sources = [i for i in editable(words, stop) if words[i] in synonyms]
    if not sources:
        return None
    changed = list(words)
    for _ in range(max(1, round(rate * len(sources)))):
        word = rng.choice(synonyms[words[rng.choice(sources)]])
        changed.insert(rng.randrange(len(changed) + 1), word)
    return changed
