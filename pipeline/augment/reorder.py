"""Sentence reordering: shuffle the sentences of the instruction line when they stand alone.

Sentences end at 。！？； (and their ASCII forms). Only the first line moves (the rest is the
task's data, words.py), only when no protected span is in it, and only when no sentence after
the first leans on the one before: a sentence that opens with a connective or a pronoun (然后,
所以, 但是, 它, 这 …) is not moved away from what it continues.
"""

from __future__ import annotations

import re
from random import Random

from pipeline.augment.synonyms import Thesaurus
from pipeline.augment.words import Turn

_SENTENCE = re.compile(r"[^。！？；!?;]+(?:[。！？；!?;]+|$)")
_LEANS = re.compile(
    r"^\s*(?:然后|接着|随后|所以|因此|因而|于是|但是|但|可是|然而|不过|而且|并且|另外|此外|同时|最后|其次|再次|那么|否则|"
    r"如果|它|他|她|它们|他们|这|那|此|该|其|上述|以上|这些|那些)"
)


def sentences(line: str) -> list[str]:
    return [s for s in _SENTENCE.findall(line) if s.strip()]


def apply(turn: Turn, rate: float, rng: Random, thesaurus: Thesaurus) -> list[str] | None:
    text = "".join(turn.words)
    first, newline, rest = text.partition("\n")
    width = len(first)
    offsets, start = [], 0
    for word in turn.words:
        offsets.append(start)
        start += len(word)
    if not all(free for free, at in zip(turn.free, offsets, strict=True) if at < width):
        return None
    parts = sentences(first)
    if len(parts) < 2 or any(_LEANS.match(p) for p in parts[1:]):
        return None
    if parts[-1].rstrip()[-1:] not in "。！？；!?;":
        parts[-1] = parts[-1].rstrip() + "。"
    for _ in range(10):
        shuffled = rng.sample(parts, len(parts))
        if shuffled != parts:
            return ["".join(shuffled) + newline + rest]
    return None
