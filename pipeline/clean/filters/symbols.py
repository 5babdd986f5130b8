"""Symbol and punctuation ratio: markup debris, emoticon spam, tables of dashes.

Gopher drops documents with a symbol-to-word ratio above 0.1 for '#' and '...'; counting every
non-letter, non-digit character is broader, so the default limit is 0.4 of the characters:
ordinary Chinese prose has 10-15% punctuation, code about 25-35%.
"""

from __future__ import annotations

from pipeline.clean.measure import SYMBOL, dialogue_text, reject
from schemas import Rejection, SftRecord
from schemas.config import SymbolRatioParams


def check(record: SftRecord, params: SymbolRatioParams) -> Rejection | None:
    text = "".join(dialogue_text(record).split())
    if len(text) < params.min_chars:
        return None
    ratio = len(SYMBOL.findall(text)) / len(text)
    if ratio > params.max_ratio:
        return reject(record, "too_many_symbols", f"{ratio:.0%} symbols (max {params.max_ratio:.0%})")
    return None
