"""Refusals in responses: an SFT set teaches what the model should do, not how to decline.

Patterns from the common "unfiltered" clean-ups of ShareGPT/Alpaca-GPT4 data ("I'm sorry, but I
cannot", "我无法满足此要求") and the moralising declines of the gold set's tuned part ("作为一个
负责任的助手，我无法…"). They are narrow on purpose: most "很抱歉…我无法…" answers in the gold
set are right (asking for a missing article, declining to invent a stranger's biography, saying
a tool cannot book flights). A decline is legitimate when an allowance matches: by default a
record that offers tools whose answer names the limits of its functions ("我的功能仅限于计算
面积"), and an answer that asks for the input the user left out ("因为您并未提供诗歌的具体内容");
`allowed` adds allowances per source (globs on the source file) with their own patterns. Two
forms came from round 3 of the gold set: the apology that lectures ("我很抱歉，但是…开玩笑是不合适
的") and the chat that is ended ("我不希望继续这次对话"); two from rounds 1-5: "我无法就…提供建议" and
"无法给你满意的答复"; two from round 6: "我无法提供准确的评估" and the deflection "我目前没有关于…的
信息" (all five tuned records holding it were rejected); from rounds 7-8, the apology that will not
write ("很抱歉，我不能为您撰写…") and "我必须尊重地拒绝"; from round 9, the decline that will not
"promote" ("我无法提供促进或美化冒犯…内容的信息"). An allowance counts only near the decline it
excuses (a "请提供下一个问题" that opens an answer does not excuse a refusal at its end).
"我无法浏览互联网/网页" is not a refusal form: all seven records of rounds 1-5 holding it were
rejected, but the guide allows an honest "I have no live data" that goes on to help, and with it
the rule fired wrongly on unseen records.
An answer that is nothing but "I don't know" ("我不确定你在说什么" to "美国总统是谁", "对不起，我还在
学习中，我不知道这个问题的答案", a bare "不了解"; all six tuned records of rounds 10-14 rejected)
deflects whatever was asked: when the question really is unclear, the answer a trainer keeps asks
what was meant, which this form does not ("我不确定您想要我重新表达哪句话。请您提供更多背景信息" is
not matched). An answer that is only "I have no internet access" is not refused either: the three
tuned records holding the same one were kept twice and rejected once (round 14).
"""

from __future__ import annotations

from pipeline.clean.measure import Measures, compiled, source_matches
from schemas import Rejection
from schemas.config import DeclineAllowance, RefusalParams

_SORRY = r"(?:很抱歉|非常抱歉|抱歉|对不起|不好意思)"
_REQUEST = r"(?:您的|你的)?(?:这个|此|该|这一|这样的|这项|这类)?(?:问题|请求|要求|任务|需求)"

REFUSALS = [
    rf"{_SORRY}[，,]?\s*(?:但)?(?:是)?我?(?:无法|不能|没有办法|不可以)(?:回答|满足|完成|执行|处理|协助|帮助|帮)(?:您|你)?(?:完成)?{_REQUEST}",
    r"我(?:无法|不能)(?:回答|提供|满足|完成|执行)(?:这个|您的|你的|此|该)?(?:问题|请求|要求|任务)",
    r"(?:违反|违背)了?我的(?:编程|程序设定|准则)|与我的(?:编程|程序设定|准则)相(?:违背|冲突)",
    r"作为一[个名]负责任的(?:AI|人工智能|助手|语言模型|聊天机器人)",
    r"我(?:无法|不能)(?:为|给)(?:您|你)?(?:这段|该|此|这个)?(?:文本|内容|句子|问题)(?:提供|进行|做出?)",
    rf"{_SORRY}[，,]?\s*我(?:没有|没能|不太?)(?:理解|明白|懂)(?:您|你)的(?:请求|要求|意思)",
    rf"{_SORRY}[，,]?\s*(?:但)?(?:是)?我(?:无法|不能)(?:直接)?(?:为|给|帮)(?:您|你)(?:撰写|写|编写|起草|创作|拟|制作)",
    r"我(?:必须|只能|不得不)(?:尊重地|礼貌地|恭敬地)?拒绝",
    rf"{_SORRY}[^。！？\n]{{0,30}}不(?:合适|恰当|适当)",
    r"我不(?:希望|想)继续(?:这次|这个|我们的)?(?:对话|聊天|谈话)",
    r"(?:无法|不能)就[^。！？\n]{0,30}(?:提供|给出|给予)(?:任何)?(?:建议|意见)",
    r"无法给(?:你|您)(?:满意|准确|明确|具体)的(?:答复|回答|答案)",
    r"我(?:无法|不能)(?:提供|给出)(?:准确|确切|明确)的(?:评估|评价|评分|答复|回答|答案)",
    r"我(?:目前)?没有(?:关于|有关)[^。！？\n]{0,40}的(?:具体)?(?:信息|资料)",
    r"我(?:无法|不能)(?:提供|生成|创作|撰写)(?:任何)?[^。！？\n]{0,4}?(?:促进|宣扬|美化|鼓励|助长)",
    r"I'?m sorry,? but I (?:can(?:no|')t|am unable to|won'?t be able to)",
    r"I (?:cannot|can't|am unable to|won't) (?:fulfill|comply with|assist with|help with) (?:that|this|your) request",
    r"\bas a responsible (?:AI|assistant|language model)\b",
]

# The whole answer, nothing after it: one short sentence saying only that it does not know.
ONLY_NOT_KNOWING = (
    rf"(?:{_SORRY}[，,]?\s*(?:但是?)?)?(?:我还在学习中?[，,]?\s*)?"
    r"我?(?:并|真的|确实)?(?:不|没)(?:太|是很)?(?:知道|确定|清楚|明白|了解|理解|懂)[^。！？\n，,；;]{0,24}[。！？.!?]?"
)


# An allowance speaks for a decline only near it: an answer that opens with "请提供下一个问题" and
# ends "我无法回答这个问题，因为它基于不正确的假设" still refuses (round 8 of the gold set).
_NEAR = 150


def check(m: Measures, params: RefusalParams) -> Rejection | None:
    pattern = compiled((*REFUSALS, *params.extra_patterns))
    only_not_knowing = compiled((ONLY_NOT_KNOWING,))
    for response in m.responses:
        text = response.simplified
        said = text.strip()
        if only_not_knowing.fullmatch(said) and not any(_allows(a, m, said) for a in params.allowed):
            return m.reject("refusal", f"the response only says it does not know: {said!r}")
        for found in pattern.finditer(text):
            around = text[max(0, found.start() - _NEAR) : found.end() + _NEAR]
            if not any(_allows(a, m, around) for a in params.allowed):
                return m.reject("refusal", f"the response refuses: {found.group(0)!r}")
    return None


def _allows(allowance: DeclineAllowance, m: Measures, text: str) -> bool:
    if allowance.with_tools and not m.record.tools:
        return False
    if not source_matches(m.record, allowance.sources):
        return False
    return compiled(tuple(allowance.patterns)).search(text) is not None
