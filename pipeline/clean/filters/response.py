"""Empty, trivially short or echoed final answers: nothing to learn from "。", "😀" or the question.

The default minimum is one letter, digit or Han character: BELLE's seed tasks answer "3" to an
arithmetic question and "是" to a yes/no question, and those are right answers. A symbol-only
answer of 20 or more characters is not trivial (ASCII art asked for: the gold set keeps it).
An answer that only repeats the question ("磷" → "磷") says nothing.
"""

from __future__ import annotations

from pipeline.clean.measure import WORD_CHAR, Measures
from schemas import Rejection
from schemas.config import ResponseParams

_SYMBOL_ART_CHARS = 20


def check(m: Measures, params: ResponseParams) -> Rejection | None:
    final = m.final_answer
    if final is None:
        return m.reject("trivial_response", "no assistant answer")
    letters = WORD_CHAR.findall(final)
    if len(letters) < params.min_chars and len("".join(final.split())) < _SYMBOL_ART_CHARS:
        return m.reject("trivial_response", f"the final answer {final.strip()!r} has {len(letters)} characters")
    question = m.user_turns[-1] if m.user_turns else ""
    if letters and "".join(letters).lower() == "".join(WORD_CHAR.findall(question)).lower():
        return m.reject("trivial_response", f"the final answer {final.strip()[:40]!r} repeats the question")
    return None
