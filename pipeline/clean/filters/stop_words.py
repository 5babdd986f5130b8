"""Stop-word ratio of the responses: natural sentences need function words.

Gopher requires at least two of "the, be, to, of, and, that, have, with" in English text. A
Chinese response of 30 or more words without any stop word (的, 了, 是, 在 ...) is a keyword list,
a table dump or machine debris; 2% is a floor that real prose clears by far (~30-40%).
"""

from __future__ import annotations

from pipeline.clean.measure import WORD_CHAR, reject
from schemas import Rejection, SftRecord
from schemas.config import StopwordRatioParams


def check(record: SftRecord, params: StopwordRatioParams) -> Rejection | None:
    if record.segments is None:
        raise ValueError("clean needs segments: run the segment stage first")
    for message, seg in zip(record.messages, record.segments, strict=True):
        if message.role != "assistant" or seg.stop is None:
            continue
        flags = [stop for word, stop in zip(seg.words, seg.stop, strict=True) if WORD_CHAR.search(word)]
        if len(flags) < params.min_words:
            continue
        ratio = sum(flags) / len(flags)
        if ratio < params.min_ratio:
            return reject(record, "too_few_stop_words", f"{ratio:.1%} stop words (min {params.min_ratio:.0%})")
    return None
