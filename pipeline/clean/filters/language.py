"""Language of each answer against its question, offline, by script shares.

fastText-based detectors download their models at first use and fail offline; telling Chinese
from English, Korean or Japanese by the share of each script's letters is as reliable and costs
nothing. A language is zh (at least half of the letters Han), en (under 5% Han, mostly Latin),
ko / ja (Hangul / kana the largest script), mixed, or none (no letters).

The labelling guide rejects an answer "in a language the conversation gives no reason for": a
Chinese question answered wholly in English, a Korean question answered in Chinese, a request
to write in Swedish answered in Chinese. An English answer is given a reason by the question
when it asks for English or a translation, quotes English words, or is itself largely Latin
(an English phrase to explain, code). `allowed` additionally restricts the dialogue as a whole
(default: every language; a Chinese-only corpus sets [zh, mixed, none]).
"""

from __future__ import annotations

import regex

from pipeline.clean.measure import Measures
from schemas import Rejection
from schemas.config import LanguageParams

_SCRIPTS = {
    "han": regex.compile(r"\p{Han}"),
    "latin": regex.compile(r"\p{Latin}"),
    "hangul": regex.compile(r"\p{Hangul}"),
    "kana": regex.compile(r"[\p{Hiragana}\p{Katakana}]"),
}
_ASKS_ENGLISH = regex.compile(
    r"英语|英文|English|翻译|译成|译为|translat|单词|短语|词汇|句型|语法|造句|拼写|[“\"'‘「][A-Za-z][^”\"'’」]{0,60}[”\"'’」]",
    regex.IGNORECASE,
)
_ASKS_CHINESE = regex.compile(r"中文|汉语|普通话|翻译|译成|译为|Chinese|translat", regex.IGNORECASE)
_ASKS_OTHER = regex.compile(
    r"用(?:瑞典|法|德|日|韩|西班牙|葡萄牙|俄|意大利|阿拉伯|荷兰|泰|越南)(?:语|文)(?:写|回答|回复|作答|撰写|表达)"
)
_MIN_LETTERS = 20
_MIN_QUESTION_LETTERS = 6


def scripts(text: str) -> dict[str, int]:
    return {name: len(pattern.findall(text)) for name, pattern in _SCRIPTS.items()}


def language_of(text: str) -> str:
    counts = scripts(text)
    letters = sum(counts.values())
    if not letters:
        return "none"
    if counts["hangul"] > letters / 2:
        return "ko"
    if counts["kana"] > letters / 5:
        return "ja"
    han = counts["han"] / letters
    if han >= 0.5:
        return "zh"
    return "en" if han < 0.05 else "mixed"


def english_is_asked(question: str) -> bool:
    """The question gives a reason for an English answer: it asks for English or a translation,
    quotes English words, or is itself largely Latin (an English phrase to explain, code)."""
    counts = scripts(question)
    return bool(_ASKS_ENGLISH.search(question)) or counts["latin"] >= 0.2 * max(1, sum(counts.values()))


def mismatch(question: str, answer: str, english_asked: bool) -> str | None:
    """Why the answer's language does not fit the question, or None when it does."""
    answer_counts = scripts(answer)
    if sum(answer_counts.values()) < _MIN_LETTERS or sum(scripts(question).values()) < _MIN_QUESTION_LETTERS:
        return None
    asked, answered = language_of(question), language_of(answer)
    if asked == "zh" and answered == "en" and not english_asked:
        return "a Chinese question answered in English"
    if asked in ("ko", "ja") and answered == "zh" and not _ASKS_CHINESE.search(question):
        return f"a question in {asked} answered in Chinese"
    other = _ASKS_OTHER.search(question)
    if other and answered == "zh" and answer_counts["han"] > 0.8 * sum(answer_counts.values()):
        return f"asked {other.group(0)!r}, answered in Chinese"
    return None


def check(m: Measures, params: LanguageParams) -> Rejection | None:
    language = language_of(m.dialogue)
    if language not in params.allowed:
        return m.reject("wrong_language", f"detected {language}; allowed: {', '.join(params.allowed)}")
    if not params.match_question:
        return None
    english_asked = any(english_is_asked(turn) for turn in m.user_turns)
    question = ""
    for message in m.record.messages:
        if message.role == "user":
            question = message.content
        elif message.role == "assistant" and message.content.strip() and question:
            why = mismatch(question, message.content, english_asked)
            if why:
                return m.reject("wrong_language", why)
    return None
