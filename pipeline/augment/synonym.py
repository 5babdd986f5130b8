"""Synonym replacement (EDA's SR): a share of the content words replaced by a 词林 synonym.

Only words that may be edited (words.py) and only replacements that pass the thesaurus's rules
(synonyms.py: one `=` group, same POS, common, a shared character).
"""

from __future__ import annotations

from random import Random

from pipeline.augment.synonyms import Thesaurus
from pipeline.augment.words import Turn


def apply(turn: Turn, rate: float, rng: Random, thesaurus: Thesaurus) -> list[str] | None:
    options = {i: c for i in turn.editable if (c := thesaurus.candidates(turn.words[i], turn.pos[i]))}
    if not options:
        return None
    changed = list(turn.words)
    for i in rng.sample(sorted(options), max(1, round(rate * len(options)))):
        changed[i] = rng.choice(options[i])
    return changed
