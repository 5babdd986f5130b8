"""Identity contamination: responses that claim to be an AI model, or another model or its maker.

Distilled data carries the teacher's identity, and a model tuned on it says it is ChatGPT, was
trained by OpenAI, or opens every answer with "作为一个AI语言模型". The patterns are the forms
read in the gold set's tuned part (bench/quality, 33 records) and in ShareGPT-style data:
"作为一个/一名/一种/一款/… AI|人工智能|语言模型|机器人 …，我", a clause that opens with
"作为(一个)人工智能(助手)，" whatever follows (round 3: "作为人工智能助手，如果您需要…，我会推荐"),
"我是/我只是 …AI|人工智能|…模型", "我是一个基于(文本|语言模型)的…" (13 tuned records, all rejected),
"我不是…，而是一个AI", "作为一个自然语言处理模型，我的回答" (round 12),
"我作为AI语言模型", "像我这样的语言模型", "我是由 OpenAI 训练的", "我被编程为",
a 2021 knowledge cut-off ("根据我在2021年9月的最新知识更新"), "我没有个人观点或情感", an assistant
named as itself ("我是ChatGPT", "这里是Open-Assistant": crowd-written chats carry their project's
name, 17 records of round 8 of the gold set; round 9: in any case, after a title, "我是你的智能助手Open
Assistant", "可以叫我OpenAssistant"; round 10: "你好，这是Open Assistant"), the assistant's makers
("我的开发者是…志愿者", "我的创造者设定的参数": all six tuned records holding them were rejected), a
clause "作为一个开源的人工智能助理，", and the English forms (as an AI language model, I am an AI, I was
trained by OpenAI). Talking *about* AI ("作为人工智能的一个分支", "人工智能领域的
专家") is excluded by what must follow: a first person, and not 领域/研究/技术/工程师…. A maker
counts only with a first person before it: round 2 of the gold set's tuned part had two right
answers saying GPT-3 "是一个由 OpenAI 开发的…模型". A robot's line in a dialogue or script the user
asked for ("AI: 你好！我是一个人工智能…") is the character speaking. `allowed_sources` (globs on
the source file) lets a source whose assistant identity the trainer wants (their own identity
data) through.
"""

from __future__ import annotations

import regex

from pipeline.clean.measure import Measures, compiled, source_matches
from schemas import Rejection
from schemas.config import IdentityParams

_AI = (
    r"(?:AI|ＡＩ|人工智能|语言模型|(?:自然)?语言处理模型|大模型|机器学习模型|机器人|聊天机器人|计算机程序"
    r"|ChatGPT|GPT-?\d)"
)
# Assistants a distilled or crowd-written answer names as itself ("你好，这里是Open-Assistant").
_MODELS = r"(?:ChatGPT|GPT-?\d|Claude|Bard|文心一言|通义千问|(?i:Open[- ]?Assistant))"
# What may stand between "我是" and the name: "我是你的智能助手Open Assistant", "我是开源助手open assistant".
_BEFORE_NAME = r"(?:[^，。！？!?\n说指用问在和与]{0,10}?)"
_TOPIC = r"(?!领域|研究|专业|行业|工程师|专家|从业|技术|公司|产品|爱好者|学|方面|的|和|与|在|是)"
_ARTICLE = r"(?:一[个名种款位台]|个)?"
_STOP = r"[^，。！？!?\n]"
# "我当前只是一个人工智能助理" (round 13): a time word may stand before the "only".
_MERELY = r"(?:当前|现在|目前|如今)?(?:只|仅仅|仅|不过|本身|其实|只不过)?"

IDENTITIES = [
    rf"作为{_ARTICLE}{_STOP}{{0,16}}?{_AI}{_TOPIC}{_STOP}{{0,12}}?[，,、\s]*{_STOP}{{0,6}}?我",
    rf"(?<![^。！？!?\n，,])作为{_ARTICLE}(?:{_STOP}{{0,6}}?的)?\s*(?:AI|ＡＩ|人工智能|语言模型|大模型)\s*(?:语言模型|助手|助理|模型|程序|系统)?\s*[，,]",
    rf"我作为{_ARTICLE}{_STOP}{{0,16}}?{_AI}{_TOPIC}",
    rf"像我这样的{_STOP}{{0,6}}?(?:AI|人工智能|语言模型|大模型|聊天机器人|模型)",
    rf"我{_MERELY}是{_ARTICLE}{_STOP}{{0,14}}?"
    rf"(?:AI|ＡＩ|人工智能|语言模型|大模型|聊天机器人|计算机程序){_TOPIC}",
    rf"我{_MERELY}是一[个种款]{_STOP}{{0,8}}模型{_TOPIC}",
    rf"我{_MERELY}是一[个种款名]基于{_STOP}{{0,12}}?(?:模型|AI|ＡＩ|人工智能)",
    rf"我(?:并)?不是[^。！？!?\n]{{0,12}}而是{_ARTICLE}{_STOP}{{0,14}}?(?:AI|ＡＩ|人工智能|语言模型){_TOPIC}",
    rf"我(?:并)?不是[^。！？!?\n]{{0,12}}而是{_ARTICLE}基于{_STOP}{{0,12}}?(?:模型|AI|ＡＩ|人工智能)",
    rf"我{_MERELY}是{_ARTICLE}{_STOP}{{0,10}}?(?:智能|语言|数字|虚拟|AI|ＡＩ)(?:助手|助理)",
    rf"我(?:是|乃|就是)?{_STOP}{{0,8}}?由{_STOP}{{0,8}}?(?:社区|社群|志愿者)(?:的)?{_STOP}{{0,8}}?(?:开发|训练|创建|打造|共建)",
    rf"我是{_ARTICLE}{_STOP}{{0,16}}?(?:社区|社群)(?:共建|开发|驱动|构建)",
    rf"我(?:是|乃|就是)?{_STOP}{{0,8}}?由\s*(?:OpenAI|Anthropic|谷歌|Google|百度|阿里|Meta|微软)\s*(?:公司)?\s*"
    r"(?:开发|训练|创建|创造|打造|研发|推出)",
    rf"(?:我是|我叫|这里是|我的名字(?:是|叫)|叫我|称呼我为?)\s*{_BEFORE_NAME}\s*{_MODELS}",
    rf"(?:你好|您好|嗨)[，,！!。\s]*这是\s*{_MODELS}",
    r"我的(?:开发者|创造者|创建者)",
    r"我的(?:知识|训练数据|数据库?)(?:库)?(?:截止|截至|仅限于|只限于|更新至|更新到|停留在|只到|仅到)",
    r"(?:知识|训练)截止(?:日期|时间|于|到)",
    r"我(?:在|截至|截止)?\s*20\d\d\s*年\s*(?:\d{1,2}\s*月)?(?:的|之前的)?(?:最新)?(?:知识|训练数据)",
    r"我被(?:编程|设计|训练)(?:为|成|来|用来|用于|遵守)",
    r"(?:违反|违背|不符合)了?\s*OpenAI\s*的(?:内容|使用)?(?:政策|准则|规定)",
    r"我(?:并)?没有(?:任何)?(?:个人|自己的)(?:观点|情感|感情|意见|喜好|偏好|经历|信仰|感受)",
    r"\bas an? (?:AI|artificial intelligence|(?:large )?language model|LLM|chatbot)\b",
    r"\bI(?:'m| am) (?:just |only |merely )?an? (?:AI|artificial intelligence|(?:large )?language model|chatbot)\b",
    r"\bI(?:'m| am| was)\b[^.\n]{0,40}\b(?:trained|developed|created|built) by (?:OpenAI|Google|Anthropic|Meta)\b",
    rf"\b(?:I(?:'m| am)|This is|[Mm]y name is) {_MODELS}\b",
    r"\bmy (?:knowledge|training data) (?:cut-?off|is limited to|only goes up to)\b",
]


# A line spoken by a character of a dialogue or script the user asked for ("AI: 你好！我是一个人工
# 智能…" in "创建一个有5个对话回合的聊天机器人脚本") is the character's line, not the assistant's identity.
_SPEAKER = regex.compile(
    r"^\W{0,3}(?:AI|人工智能|机器人|聊天机器人|助手|智能助手|Bot|Chatbot|Assistant|客服)\s*[:：]", regex.I
)
_ASKS_SCRIPT = regex.compile(r"对话|剧本|脚本|台词|dialogue|script|conversation", regex.I)


# Asked who it is or what it can do, an answer that opens with a model's name speaks of itself
# ("OpenAssistant is a chat-based assistant…" to "who are you?", round 14); asked about ChatGPT,
# the same opening is the topic.
_ASKS_WHO = regex.compile(
    r"你是谁|你是什么|你叫什么|介绍一下你自己|你(?:可以|能|会)做(?:些)?什么|\bwho are you\b|\bwhat are you\b"
    r"|\bwhat can you do\b",
    regex.I,
)
_OPENS_WITH_A_NAME = regex.compile(rf"\W*{_MODELS}\s*(?:is\b|是|可以|能)", regex.I)


def check(m: Measures, params: IdentityParams) -> Rejection | None:
    if params.allowed_sources and source_matches(m.record, params.allowed_sources):
        return None
    pattern = compiled((*IDENTITIES, *params.extra_patterns))
    for response in m.responses:
        text = response.simplified
        if _OPENS_WITH_A_NAME.match(text) and _ASKS_WHO.search(_question_before(m, response.index)):
            return m.reject("identity_contamination", f"asked who it is, the response names a model: {text[:40]!r}")
        for found in pattern.finditer(text):
            if _spoken_by_a_character(m, text, found.start()):
                continue
            return m.reject("identity_contamination", f"the response claims an identity: {found.group(0)!r}")
    return None


def _question_before(m: Measures, index: int) -> str:
    """The last user turn before message `index`, or ""."""
    asked = (msg.content for msg in reversed(m.record.messages[:index]) if msg.role == "user")
    return next(asked, "")


def _spoken_by_a_character(m: Measures, text: str, at: int) -> bool:
    """The phrase at `at` opens a line spoken by "AI:" (or the like) in a script the user asked for."""
    line_start = text.rfind("\n", 0, at) + 1
    return bool(_SPEAKER.search(text[line_start:at])) and any(_ASKS_SCRIPT.search(t) for t in m.user_turns)
