"""Sentence reordering: shuffle the sentences inside a line of several sentences.

Sentences end at 。！？； (and their ASCII forms). Lines are kept in place, because a line break
usually separates an instruction from its input, and moving those apart changes the task.
A text with no line of two or more sentences is left alone.
"""

from __future__ import annotations

import re
from random import Random

_SENTENCE = re.compile(r"[^。！？；!?;]+(?:[。！？；!?;]+|$)")


def sentences(line: str) -> list[str]:
    return [s for s in _SENTENCE.findall(line) if s.strip()]


def apply(
    words: list[str], stop: tuple[bool, ...] | None, rate: float, rng: Random, synonyms: dict
) -> list[str] | None:
    lines = "".join(words).split("\n")
    movable = [i for i, line in enumerate(lines) if len(sentences(line)) >= 2]
    if not movable:
        return None
    index = rng.choice(movable)
    parts = sentences(lines[index])
    if parts[-1].rstrip()[-1:] not in "。！？；!?;":
        parts[-1] = parts[-1].rstrip() + "。"
    for _ in range(10):
        shuffled = rng.sample(parts, len(parts))
        if shuffled != parts:
            lines[index] = "".join(shuffled)
            return ["\n".join(lines)]
    return None
