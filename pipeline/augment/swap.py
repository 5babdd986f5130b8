"""Swap (EDA's RS), narrowed to coordinated words: "苹果和香蕉" → "香蕉和苹果".

EDA swaps two random words, which scrambles a Chinese instruction. The two conjuncts of 和, 与,
及, 以及, 或, 或者, 跟 and 、, when both are free (words.py) Han words of the same kind (both
nouns, both verbs, both adjectives by their POS tag; names too: "北京和上海"), say the same thing
in either order.
"""

from __future__ import annotations

from random import Random

import regex

from pipeline.augment.synonyms import Thesaurus
from pipeline.augment.words import Turn

CONJUNCTIONS = frozenset(["和", "与", "及", "以及", "或", "或者", "跟", "、"])
_HAN = regex.compile(r"^\p{Han}+$")


def apply(turn: Turn, rate: float, rng: Random, thesaurus: Thesaurus) -> list[str] | None:
    words, pos = turn.words, turn.pos
    pairs = [
        (i - 1, i + 1)
        for i in range(1, len(words) - 1)
        if words[i] in CONJUNCTIONS
        and turn.free[i - 1]
        and turn.free[i + 1]
        and _HAN.match(words[i - 1])
        and _HAN.match(words[i + 1])
        and pos[i - 1][:1] == pos[i + 1][:1]
        and pos[i - 1][:1] in ("n", "v", "a")
        and words[i - 1] != words[i + 1]
    ]
    if not pairs:
        return None
    changed = list(words)
    for a, b in rng.sample(pairs, max(1, round(rate * len(pairs)))):
        changed[a], changed[b] = changed[b], changed[a]
    return changed
