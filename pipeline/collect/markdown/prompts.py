"""The user turn of a pair: the question as a person would ask it, without the note around it.

With `markdown.prompt_style: question` (the default), after numbering, emphasis, escapes and
leading emoji are stripped:

- a title that already asks is kept; one that ends in a question word's topic gets the question
  it implies ("CNN和Transformer区别" -> "CNN和Transformer区别是什么？", "为什么要位置编码" ->
  "为什么要位置编码？"), a comparison asks for the difference ("Listwise vs Pointwise" ->
  "Listwise和Pointwise有什么区别？"; a "总结：" label in front goes), and a trailing instruction
  moves to the front ("LLMs Tokenizer 介绍" -> "请介绍LLMs Tokenizer。");
- a bare question word asks about its parent: "What"/"概念" -> "什么是{parent}？", "How" ->
  "{parent}是如何实现的？", "Why" -> "为什么需要{parent}？";
- a topic ("2.2 WordPiece", "卷积层参数") becomes `markdown.context_prompt` with its parent
  ("请介绍{parent}中的{title}。"), or `markdown.topic_prompt` ("请介绍{title}。") when it has none or
  the parent already names it.

A prompt left empty, a bare number, one word or a question word alone ("总结", "Q: 怎么办？",
"3.6") always takes its parent ("请总结{parent}。", "{parent}：怎么办？" by
`markdown.context_question`, "请介绍{parent}。"). The parent is the nearest enclosing heading, else
the document's name (its file name without the suffix, or its folder's for a README), except for
the note's one top heading: that is the note's title, and has no parent.
`prompt_style: keep` keeps every title as the note has it, cleaned the same way but never reworded.
"""

from __future__ import annotations

import re

from pipeline.collect.markdown.phrases import asks, clean_title, interrogative, strip_numbering
from pipeline.collect.markdown.text import unescape
from pipeline.dedup.sketch import unify_lookalikes
from schemas.config import MarkdownConfig

_ABOUT_PARENT = {"what": "什么是{parent}？", "how": "{parent}是如何实现的？", "why": "为什么需要{parent}？"}
_TRAILING_VERB = re.compile(
    r"^(?P<rest>.+?)\s*(?P<adverb>简单|简要|通俗|详细)?(?P<verb>介绍|简介|解释|讲解|详解|说明|概述|总结|对比|比较|分析)(?:一下)?$"
)
_VERBS = {"简介": "介绍", "详解": "详细讲解", "小结": "总结"}
_VERB_ONLY = {"总结", "小结", "分析", "对比", "比较", "说明", "解释", "描述", "概述", "讲解", "详解"}
_WORD = re.compile(r"[^\W\d_]")
_BARE_QUESTION_WORDS = re.compile(r"为什么|什么|怎么|怎样|如何|哪|吗|呢|办|是")
_GENERIC_LENGTH = 2  # "题目", "参数", "代码": too short to mean anything without the parent
_ATTRIBUTE = re.compile(r"(?:区别|差异|差别|异同|联系|关系|优缺点|优势|劣势|作用|意义|原理|特点|用途|含义)$")
_INSTRUCTION = re.compile(
    r"^(?:请|简单|简要|简述|试述|论述|描述|解释|说明|列举|比较|对比|谈谈|说说|讲讲|聊聊|讲|说|介绍|写|实现(?!方式|方法|细节|原理|过程|思路|逻辑|机制)|推导|证明|计算"
    r"|分析|总结|概述|设计(?!思路|理念|原则|目标|模式|哲学)|举例|阐述)|一下"
)
_LABEL = re.compile(r"^(?:总结|小结)\s*[:：]\s*")  # "总结：T5 vs. Transformer的核心差别"
_VERSUS = re.compile(r"(.+?)\s+(?:vs\.?|versus)\s+(.+)", re.IGNORECASE)
_ENGLISH_QUESTION = re.compile(r"^(?:what|why|how|when|which|who|where|is|are|can|does|do|should)\b", re.IGNORECASE)
_QUESTION_WORD = re.compile(r"什么|为什么|为何|如何|怎么|怎样|咋|啥|哪|多少|几|是否|能否|可否|有没有|是不是|吗$|呢$")


def prompt(title: str, parent: str | None, config: MarkdownConfig, *, qline: bool = False) -> str:
    text = clean_title(unify_lookalikes(unescape(title)))
    if config.prompt_style == "keep":
        return text
    worded = _worded(text, parent, config, qline) if _WORD.search(text) else ""
    if not bare(worded):
        return worded
    if worded and parent and not _names(parent, worded):
        return config.context_question.format(parent=parent, title=worded)
    subject = parent or text
    return config.topic_prompt.format(title=subject) if subject else worded


def bare(prompt_text: str) -> bool:
    """Nothing, a number, one word ("WordPiece", "总结") or a question word alone ("为什么？")."""
    words = re.sub(r"[\s\W_]+", "", strip_numbering(prompt_text))
    if not words or words.isdigit() or re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", words):
        return True
    if not re.fullmatch(r"[\u4e00-\u9fff]{1,4}", words):
        return False
    rest = _BARE_QUESTION_WORDS.sub("", words)
    return len(rest) <= 1 if rest != words else True


def _worded(text: str, parent: str | None, config: MarkdownConfig, qline: bool) -> str:
    text = _LABEL.sub("", text) if _WORD.search(_LABEL.sub("", text)) else text
    word = interrogative(text)
    if word and parent and not qline:
        return _ABOUT_PARENT[word].format(parent=parent)
    if text in _VERB_ONLY:
        return f"请{_VERBS.get(text, text)}{parent}。" if parent else config.topic_prompt.format(title=text)
    trailing = _TRAILING_VERB.match(text)
    if trailing and not asks(trailing.group("rest")):
        verb = _VERBS.get(trailing.group("verb"), trailing.group("verb"))
        rest = trailing.group("rest")
        if parent and len(rest) <= _GENERIC_LENGTH and not _names(parent, rest):
            rest = f"{parent}的{rest}"
        return f"请{trailing.group('adverb') or ''}{verb}{rest}。"
    if qline or asks(text):
        return _as_question(text)
    if parent and not _names(parent, text):
        return config.context_prompt.format(title=text, parent=parent)
    return config.topic_prompt.format(title=text)


def in_context(question: str, parent: str | None, config: MarkdownConfig) -> str:
    """A question with its parent in front (`markdown.context_question`), unless it names it already."""
    if not parent or config.prompt_style == "keep" or _names(parent, question):
        return question
    return config.context_question.format(parent=parent, title=question)


def _as_question(text: str) -> str:
    if text.endswith(("。", "!", "！", ".", "…")) or "?" in text or "？" in text or _INSTRUCTION.search(text):
        return text
    versus = _VERSUS.fullmatch(text)
    if versus:
        first, second = versus.groups()
        return f"{first}和{second}是什么？" if _ATTRIBUTE.search(second) else f"{first}和{second}有什么区别？"
    if _ATTRIBUTE.search(text):
        return f"{text}是什么？"
    if _QUESTION_WORD.search(text):
        return f"{text}？"
    if _ENGLISH_QUESTION.match(text):
        return f"{text}?"
    return text


def _names(parent: str, title: str) -> bool:
    """The parent already says what the title says ("Tensorflow" under "tensorflow"; not "r" in "LoRA")."""
    a, b = parent.casefold(), title.casefold()
    if min(len(a), len(b)) < 2:
        return a == b
    return a in b or b in a
