"""Empty or trivially short final answers: nothing to learn from "。" or "😀".

The default minimum is one letter, digit or Han character: BELLE's seed tasks answer "3" to an
arithmetic question and "是" to a yes/no question, and those are right answers. Raise it for
data where one-character answers are noise.
"""

from __future__ import annotations

from pipeline.clean.measure import WORD_CHAR, reject
from schemas import Rejection, SftRecord
from schemas.config import ResponseParams


def check(record: SftRecord, params: ResponseParams) -> Rejection | None:
    final = next((m for m in reversed(record.messages) if m.role == "assistant"), None)
    if final is None:
        return reject(record, "trivial_response", "no assistant answer")
    length = len(WORD_CHAR.findall(final.content))
    if length < params.min_chars:
        return reject(record, "trivial_response", f"the final answer {final.content.strip()!r} has {length} characters")
    return None
