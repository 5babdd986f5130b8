"""Chinese-character ratio: Han characters among all letters, by the Unicode script property.

`\\p{Han}` covers every CJK block (extensions A-H, compatibility ideographs), which the common
`[\\u4e00-\\u9fa5]` misses (it stops at the 1990s GB range). The default minimum (0.1) only
refuses dialogues that are essentially non-Chinese; translation pairs pass.
"""

from __future__ import annotations

from pipeline.clean.measure import dialogue_text, han_share, reject
from schemas import Rejection, SftRecord
from schemas.config import ChineseRatioParams


def check(record: SftRecord, params: ChineseRatioParams) -> Rejection | None:
    share = han_share(dialogue_text(record))
    if share is not None and share < params.min_ratio:
        return reject(record, "too_little_chinese", f"{share:.0%} Han among letters (min {params.min_ratio:.0%})")
    return None
