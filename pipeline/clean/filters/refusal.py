"""Refusals in responses: an SFT set teaches what the model should do, not how to decline.

Patterns from the common "unfiltered" clean-ups of ShareGPT/Alpaca-GPT4 data (phrases such as
"I'm sorry, but I cannot" and their Chinese forms); retune with `clean.refusal.extra_patterns`.
"""

from __future__ import annotations

from pipeline.clean.measure import first_response_match, reject
from schemas import Rejection, SftRecord
from schemas.config import PatternParams

REFUSALS = [
    r"很抱歉[，,]?\s*(?:但)?我(?:无法|不能|没有办法)",
    r"对不起[，,]?\s*(?:但)?我(?:无法|不能)",
    r"我无法(?:回答|提供|满足|完成)(?:这个|您的|你的)?(?:问题|请求|要求)",
    r"I'?m sorry,? but I (?:can(?:no|')t|am unable to)",
    r"I (?:cannot|can't|am unable to) (?:fulfill|comply with|assist with) (?:that|this|your) request",
]


def check(record: SftRecord, params: PatternParams) -> Rejection | None:
    found = first_response_match(record, REFUSALS + params.extra_patterns)
    return reject(record, "refusal", f"the response refuses: {found!r}") if found else None
