"""Random insertion (EDA's RI), narrowed: a synonym of a word inserted right beside that word.

EDA inserts a synonym of a random word at a random position; in Chinese that reads as a word
dropped in from nowhere ("5, 经年累月3, 9"). Here the synonym (synonyms.py rules) goes next to its
own word, joined by 、 ("简单、简易的方法"), which keeps the meaning; whether it stays fluent is
what the labelled children measure.
"""

from __future__ import annotations

from random import Random

from pipeline.augment.synonyms import Thesaurus
from pipeline.augment.words import Turn


def apply(turn: Turn, rate: float, rng: Random, thesaurus: Thesaurus) -> list[str] | None:
    options = {i: c for i in turn.editable if (c := thesaurus.candidates(turn.words[i], turn.pos[i]))}
    if not options:
        return None
    chosen = set(rng.sample(sorted(options), max(1, round(rate * len(options)))))
    changed: list[str] = []
    for i, word in enumerate(turn.words):
        changed.append(word)
        if i in chosen:
            changed += ["、", rng.choice(options[i])]
    return changed
