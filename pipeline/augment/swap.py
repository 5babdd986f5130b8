"""Swap (EDA's RS), narrowed to coordinated nouns: "苹果和香蕉" → "香蕉和苹果".

EDA swaps two random words, which scrambles a Chinese instruction. The two conjuncts of 和, 与,
及, 以及, 或, 或者, 跟 and 、 say the same thing in either order only when each is a whole noun
phrase: both free (words.py) Han nouns by their POS tag, the first not the head of a compound
(no noun or adjective before it: 细胞理论和日心说) and the second not its modifier (no noun after
it: 舒肝和胃丸, 唐氏综合征). Verbs and adjectives are left alone: 有生气和压力 and 返回与给定 read
as other words once swapped, and negations and stop words never move (无法与卵子结合: jieba tags
无法 a noun). Measured on
labelled children (bench/quality/augment): the conjuncts of any part of speech gave 65% good
children on the tuned part; every bad one there breaks one of these rules.
"""

from __future__ import annotations

from random import Random

import regex

from pipeline.augment.synonyms import Thesaurus
from pipeline.augment.words import NEGATIONS, Turn

CONJUNCTIONS = frozenset(["和", "与", "及", "以及", "或", "或者", "跟", "、"])
_HAN = regex.compile(r"^\p{Han}+$")


def swappable(turn: Turn, i: int) -> bool:
    """Whether the words around the conjunction at `i` are two whole, free nouns."""
    words, pos = turn.words, turn.pos
    if words[i] not in CONJUNCTIONS or words[i - 1] == words[i + 1]:
        return False
    for side in (i - 1, i + 1):
        word = words[side]
        if not (turn.free[side] and _HAN.match(word) and _noun(pos[side])) or word in NEGATIONS or turn.stop[side]:
            return False
    before = pos[i - 2] if i >= 2 else ""
    after = pos[i + 2] if i + 2 < len(words) else ""
    return not (_noun(before) or before.startswith("a") or _noun(after))


def _noun(tag: str) -> bool:
    return tag.startswith("n") or tag == "vn"


def apply(turn: Turn, rate: float, rng: Random, thesaurus: Thesaurus) -> list[str] | None:
    pairs = [(i - 1, i + 1) for i in range(1, len(turn.words) - 1) if swappable(turn, i)]
    if not pairs:
        return None
    changed = list(turn.words)
    for a, b in rng.sample(pairs, max(1, round(rate * len(pairs)))):
        changed[a], changed[b] = changed[b], changed[a]
    return changed
