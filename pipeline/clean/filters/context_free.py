"""Context-free one-word instructions: "好的！", "谢谢", "继续" as the only user turn.

In a multi-turn chat such a turn is natural; as the whole instruction of a single-turn record
it gives the answer nothing to answer (seen in Alpaca-CoT's Chinese data, ../shared/data).
"""

from __future__ import annotations

import unicodedata

from pipeline.clean.measure import WORD_CHAR, reject, user_turns
from schemas import Rejection, SftRecord
from schemas.config import ContextFreeParams


def check(record: SftRecord, params: ContextFreeParams) -> Rejection | None:
    turns = user_turns(record)
    if len(turns) != 1:
        return None
    bare = "".join(WORD_CHAR.findall(unicodedata.normalize("NFKC", turns[0]))).lower()
    if len(bare) <= params.max_chars and bare in {p.lower() for p in params.phrases}:
        return reject(record, "context_free_instruction", f"the only instruction is {turns[0].strip()!r}")
    return None
