"""Chinese-character ratio of the dialogue: Han characters among all letters (off by default).

`\\p{Han}` covers every CJK block (extensions A-H, compatibility ideographs), which the common
`[\\u4e00-\\u9fa5]` misses (it stops at the 1990s GB range). Off by default: on the gold set's
tuned part 2 of its 6 rejections were right answers to Chinese requests for English sentences
("用“shimmer”…造句"), and English records are kept by the labelling guide when the task calls for
English. `language` judges each answer against its question instead. Turn this on (min 0.1)
for a corpus that must be Chinese whatever the task.
"""

from __future__ import annotations

from pipeline.clean.measure import Measures
from schemas import Rejection
from schemas.config import ChineseRatioParams


def check(m: Measures, params: ChineseRatioParams) -> Rejection | None:
    share = m.dialogue_han_share
    if share is not None and share < params.min_ratio:
        return m.reject("too_little_chinese", f"{share:.0%} Han among letters (min {params.min_ratio:.0%})")
    return None
