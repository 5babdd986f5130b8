"""Toxic and abusive language in responses: insults, profanity and slurs a model must not learn.

No maintained Chinese abuse lexicon or classifier works offline here (PyPI's profanity checkers
are English or South Asian; the Chinese "sensitive word" lists are about politics, not abuse),
so the lexicon is written for this filter and checked against COLD (thu-coai/COLDataset @
a0c55a9, Apache-2.0: 37k Chinese comments human-labelled offensive or safe). Each term is an
explicit insult, profanity or slur; a word with an everyday sense was left out even where COLD
rates it offensive (垃圾 is also rubbish sorting, 废物 recycling, 母狗 a pet, 鬼子 history, 打死
an idiom, "sb" English grammar), because SFT answers use those senses. On COLD's train and dev
parts (where terms were checked) the lexicon's precision is 0.93; on the held-out test part
(bench/quality/toxicity_bench.py) precision 0.91, recall 0.08: most of COLD's offensive comments
are implicit stereotypes without an abusive word, which a lexicon cannot see and which this
filter does not claim. Only assistant turns are judged, without code and math (a variable may be
called `cnm`) and folded to simplified script: a rude user answered politely is kept.
"""

from __future__ import annotations

from functools import cache

import regex

from pipeline.clean.measure import Measures, simplified, source_matches
from schemas import Rejection
from schemas.config import ToxicParams

LEXICON = [
    # insults and profanity
    "傻逼", "傻比", "傻B", "傻b", "煞笔", "沙比", "傻叉", "傻屌", "脑残", "智障", "白痴", "蠢货", "蠢猪", "猪脑子",
    "人渣", "贱人", "贱货", "贱种", "下贱", "婊子", "绿茶婊", "臭婊", "骚货", "骚逼", "你吃屎", "去吃屎",
    "狗东西", "狗日的", "狗娘养", "王八蛋", "混蛋", "滚蛋", "去死", "死全家", "操你", "草你妈", "日你妈", "尼玛",
    "他妈的", "你妈的", "草泥马", "肏", "杂种", "畜生", "畜牲", "舔狗", "nmsl", "cnm", "屌你",
    # slurs against groups
    "黑鬼", "尼哥", "黑蛆", "小日本", "黑奴", "黄猴", "直男癌", "女拳", "娘炮", "死基佬", "蝈蝻", "普信男", "普信女",
    "劣等民族", "低等民族", "滚出中国",
]  # fmt: skip
ENGLISH = [
    r"fuck\w*", r"shit(?:ty)?", r"bitch\w*", r"asshole", r"motherfucker", r"cunt", r"nigg(?:er|a)", r"faggot",
    r"retard(?:ed)?",
]  # fmt: skip


@cache
def pattern(extra: tuple[str, ...] = ()) -> regex.Pattern:
    chinese = "|".join(map(regex.escape, [*LEXICON, *extra]))
    return regex.compile(rf"{chinese}|\b(?:{'|'.join(ENGLISH)})\b", regex.IGNORECASE)


def check(m: Measures, params: ToxicParams) -> Rejection | None:
    if params.allowed_sources and source_matches(m.record, params.allowed_sources):
        return None
    found_in = pattern(tuple(params.extra_terms))
    for response in m.responses:
        found = found_in.search(simplified(response.without_code))
        if found:
            return m.reject("toxic", f"abusive language in the response: {found.group(0)!r}")
    return None
