"""Context-free one-word instructions: "好的！", "谢谢", "继续", "保重" as the only user turn.

In a multi-turn chat such a turn is natural; as the whole instruction of a single-turn record
it gives the answer nothing to answer (seen in Alpaca-CoT's Chinese data, ../shared/data, and
in the gold set's tuned part: a bare farewell "保重" answered "保重！"). Full-width letters and
traditional script are folded first (ＯＫ, 再見). A question pointing at nothing ("这是什么？",
round 14) is one too. A greeting is not in the default list: "你好"
answered "你好！今天我能为你提供什么帮助？" teaches a model to greet back, and the gold set's readers
kept it (tuned part, round 2).
"""

from __future__ import annotations

import unicodedata

from pipeline.clean.measure import WORD_CHAR, Measures, simplified
from schemas import Rejection
from schemas.config import ContextFreeParams


def check(m: Measures, params: ContextFreeParams) -> Rejection | None:
    turns = m.user_turns
    if len(turns) != 1:
        return None
    bare = "".join(WORD_CHAR.findall(simplified(unicodedata.normalize("NFKC", turns[0])))).lower()
    if len(bare) <= params.max_chars and bare in {p.lower() for p in params.phrases}:
        return m.reject("context_free_instruction", f"the only instruction is {turns[0].strip()!r}")
    return None
