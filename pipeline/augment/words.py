"""Which segmented words an operation may touch: Chinese content words, never a placeholder.

Punctuation, spaces, Latin words, numbers and stop words carry the structure of a sentence;
PII placeholders (<手机号>) must stay whole. EDA (Wei and Zou 2019) likewise leaves stop words.
"""

from __future__ import annotations

import regex

from pipeline.clean.pii import PLACEHOLDERS

_HAN_WORD = regex.compile(r"^\p{Han}+$")
_PROTECTED = {name.strip("<>") for name in PLACEHOLDERS.values()}


def editable(words: list[str], stop: tuple[bool, ...] | None) -> list[int]:
    """Positions of the words an operation may replace, delete, move or use for insertion."""
    return [
        i for i, word in enumerate(words) if _HAN_WORD.match(word) and word not in _PROTECTED and not (stop and stop[i])
    ]
