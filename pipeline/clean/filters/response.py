"""Empty, trivially short or echoed final answers: nothing to learn from "。", "😀" or the question.

The default minimum is one letter, digit or Han character: BELLE's seed tasks answer "3" to an
arithmetic question and "是" to a yes/no question, and those are right answers. A symbol-only
answer of 20 or more characters is not trivial (ASCII art asked for: the gold set keeps it).
An answer that only repeats its question ("磷" → "磷", "形容词" → "形容词" in the first exchange of a
chat; a greeting answering the same greeting is fine) says nothing, wherever it stands in the chat;
so does an answer that is only its confidence ("自信度：90%", round 11), a short answer that only
says it depends ("根据不同脑部疾病，患病比例不同", "因人而异"), only greets ("您好" to a question), only
offers more help ("请问还有什么我可以帮助您的吗？" to a classification task, round 9), only
acknowledges or asks back ("好的" to "查一下纽约今天的天气", "你是谁" to a question; round 10), is only
an error message of the chat interface it was scraped from ("加载失败。", round 12), or gives a word
or two where the user asked for an explanation ("详细讲讲消息队列拆分。" → "1"). An answer that opens
with `alert(` where nobody asked for JavaScript is a script probe left in a scraped chat ("alert(1)"
to a trigonometry question, "alert('你好');" and stray CSS for a Python hello world: both tuned
records of the gold set are debris): `script_debris`.
"""

from __future__ import annotations

import regex

from pipeline.clean.measure import WORD_CHAR, Measures
from schemas import Rejection
from schemas.config import ResponseParams

_SYMBOL_ART_CHARS = 20
_SHORT_ANSWER_CHARS = 200  # what is judged as an echo or an "it depends": a long answer is neither
_IT_DEPENDS = regex.compile(
    r"[^。\n]{0,20}(?:因人而异|视情况而定|根据不同[^。，,\n]{0,10}[，,]?[^。\n]{0,10}不同|取决于[^。\n]{0,10})[。.!！]?"
)
_GREETING = regex.compile(r"\W*(?:您好|你好|嗨|哈喽|hello|hi)\W*", regex.I)
_ONLY_OFFERS_HELP = regex.compile(
    r"\W*(?:请问)?(?:我)?还有(?:什么|其他)[^。！？\n]{0,12}?(?:帮|协助|服务)[^。！？\n]{0,6}\W*"
)
# "你是谁" to "为何会有闰年", and a bare "好的" that ends a chat after "查一下纽约今天的天气" (round 10);
# not when the user asked for that very reply ("在我输入“完成”之前回复“好的”"), and "好的" in the middle
# of a chat may just let the user go on.
_ONLY_ASKS_WHO = regex.compile(r"\W*(?:(?:你好|您好)\W*)?(?:你|您)是谁\W*")
_ONLY_ACKNOWLEDGES = regex.compile(r"\W*(?:好的|嗯|嗯嗯|行|OK|okay)\W*", regex.I)
_ONLY_CONFIDENCE = regex.compile(
    r"\W*(?:自信度|置信度|信心水平|信心|confidence(?: level)?)\s*[：:]\s*\d{1,3}\s*%\W*", regex.I
)
# ShareGPT-style exports keep the interface's error as the answer ("Load failed" in Chinese).
_ONLY_AN_ERROR = regex.compile(
    r"\W*(?:加载失败|网络错误|出现错误|发生错误|请求失败|An error occurred|Network error|Load failed"
    r"|Something went wrong)\W*",
    regex.I,
)
_SCRIPT_PROBE = regex.compile(r"\s*alert\s*\(", regex.I)
_ASKS_FOR_SCRIPT = regex.compile(r"javascript|\bjs\b|alert|弹窗|弹出|网页|html|浏览器", regex.I)
_REAL_REQUEST = 10  # letters: "谢谢" answered "还有什么可以帮您的吗？" is a fine end of a chat
_ASKS_TO_EXPLAIN = regex.compile(r"详细|具体(?:讲|说|介绍|解释)|讲讲|说说|解释一下|介绍一下|展开")
_WORD_OR_TWO = 3  # letters: "1", "好的", "不知道" are not an explanation
_SHORT_REQUEST = 40  # letters: a long task prompt says "详细" about its own format, and "是的" answers it


def check(m: Measures, params: ResponseParams) -> Rejection | None:
    final = m.final_answer
    if final is None:
        return m.reject("trivial_response", "no assistant answer")
    letters = WORD_CHAR.findall(final)
    if len(letters) < params.min_chars and len("".join(final.split())) < _SYMBOL_ART_CHARS:
        return m.reject("trivial_response", f"the final answer {final.strip()!r} has {len(letters)} characters")
    question = ""
    for message in m.record.messages:
        if message.role == "user":
            question = message.content
        elif message.role == "assistant" and (answer := message.content.strip()):
            said = _letters(answer)
            if (
                len(answer) <= _SHORT_ANSWER_CHARS
                and said
                and said == _letters(question)
                and not _GREETING.fullmatch(answer)
            ):
                return m.reject("trivial_response", f"the answer {answer[:40]!r} repeats its question")
            if len(answer) <= _SHORT_ANSWER_CHARS and _IT_DEPENDS.fullmatch(answer):
                return m.reject("trivial_response", f"the answer {answer[:40]!r} only says it depends")
            if _SCRIPT_PROBE.match(answer) and not _ASKS_FOR_SCRIPT.search(question):
                return m.reject("script_debris", f"the answer {answer[:40]!r} is a script probe, not an answer")
            if _GREETING.fullmatch(answer) and not _GREETING.match(question):
                return m.reject("trivial_response", f"the answer {answer!r} only greets")
            if _ONLY_OFFERS_HELP.fullmatch(answer) and len(_letters(question)) > _REAL_REQUEST:
                return m.reject("trivial_response", f"the answer {answer!r} only offers more help")
            if _ONLY_AN_ERROR.fullmatch(answer):
                return m.reject("trivial_response", f"the answer {answer!r} is only an interface error")
            if _ONLY_CONFIDENCE.fullmatch(answer):
                return m.reject("trivial_response", f"the answer {answer!r} is only a confidence")
            if _ONLY_ASKS_WHO.fullmatch(answer) and not _ONLY_ASKS_WHO.search(question):
                return m.reject("trivial_response", f"the answer {answer!r} only asks back")
            if (
                len(_letters(question)) <= _SHORT_REQUEST
                and _ASKS_TO_EXPLAIN.search(question)
                and len(_letters(answer)) <= _WORD_OR_TWO
            ):
                return m.reject("trivial_response", f"the answer {answer!r} explains nothing that was asked")
    if _ONLY_ACKNOWLEDGES.fullmatch(final) and _letters(final) not in _letters(question):
        return m.reject("trivial_response", f"the last answer {final.strip()!r} only acknowledges the request")
    return None


def _letters(text: str) -> str:
    return "".join(WORD_CHAR.findall(text)).lower()
