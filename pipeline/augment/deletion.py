"""Deletion (EDA's RD), narrowed to words that carry no content: politeness, degree and mood.

EDA deletes random words, which in Chinese changes the task while the answer stays ("这家餐厅的
服务太差了，再也不来了" → "再也了"). Only optional words are deleted here (请, 麻烦, 一下, 非常,
十分, 比较, 吧, 呢, 啊 …), never a negation, never inside a protected span (words.py), and at
most a share `rate` of them (at least one).
"""

from __future__ import annotations

from random import Random

from pipeline.augment.synonyms import Thesaurus
from pipeline.augment.words import Turn

OPTIONAL = frozenset(
    [
        "请",
        "麻烦",
        "一下",
        "吧",
        "呢",
        "啊",
        "呀",
        "哦",
        "嘛",
        "非常",
        "十分",
        "特别",
        "很",
        "比较",
        "相当",
        "真的",
        "其实",
        "大概",
        "稍微",
        "一些",
        "简单地",
        "详细地",
        "尽量",
    ]
)


def apply(turn: Turn, rate: float, rng: Random, thesaurus: Thesaurus) -> list[str] | None:
    positions = [i for i, word in enumerate(turn.words) if word in OPTIONAL and turn.free[i]]
    if not positions or len(turn.words) - len(positions) < 2:
        return None
    doomed = set(rng.sample(positions, max(1, round(rate * len(positions)))))
    return [word for i, word in enumerate(turn.words) if i not in doomed]
