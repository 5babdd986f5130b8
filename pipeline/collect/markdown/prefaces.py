"""When the text before a section's sub-sections (its preface) is an answer of its own.

A preface is usually an introduction ("本节介绍…", "下面是一些常见问题。") and stays out. It is
released, as a pair asking the section's title, when it says something by itself:

- it opens the whole note (the one top section of a documentation page: "# 采样" then
  "采样是SWIFT新支持的重要能力之一…"), or
- it holds more than prose: a list, a table, a code block, a formula or a quote other than an
  aside ("> 注意：…"): an answer that was written before its details, such as "### 关键步骤"
  with its numbered steps, then "#### 1. 数据".

Paragraphs that announce what follows or speak of the note itself (starting "以下/下面/本节/这份
笔记…" and saying nothing more than pointers, or saying "欢迎指正") are left out of it, and so is
a last paragraph ending in a colon, "如下" or "分别是"; a preface whose first paragraph announces is
an introduction throughout and stays out whole, unless the announcement captions the code below it
("以下是使用pipeline进行离线推理的示例" over its example). It is never released when it only points
elsewhere (links, "详见[…](…)"), when it only lists the sub-sections (a table of contents), or
when a sub-section already asks what the section is
("强化微调的概念", "简介"): that one is the answer. In rounds 1-2 of the gold notes
(bench/quality/markdown/) the labellers kept the opening preface of five of the ten documentation
pages that have one with sub-sections; in round 4, five of six labellers made a pair of a page's
defining opening text, in round 5 four of five.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.collect.markdown.answers import only_pointers, render
from pipeline.collect.markdown.blocks import Block
from pipeline.collect.markdown.outline import Section
from pipeline.collect.markdown.phrases import clean_title, interrogative
from schemas.config import MarkdownConfig

_STRUCTURE = {"list", "table", "code", "math", "quote"}
_ANNOUNCES = re.compile(
    r"^(?:以下|下面|下文|本文|本节|本章|本篇|本页|接下来|这里(?:将|会|主要|介绍|以)"
    r"|[这本该](?:份|篇|个|一)?(?:笔记|文档|文章|教程|页面?|指南|手册|仓库|项目|系列|部分))"
)
_ABOUT_NOTE = re.compile(r"欢迎(?:指正|star|交流|补充|批评)|持续更新|不定期更新", re.IGNORECASE)
_POINTS = re.compile(r"参考|参见|详见|请看|可以查看|请查看|请确保|see |refer to|make sure", re.IGNORECASE)
_ASIDE = re.compile(r"^>\s*(?:\*\*)?\s*(?:注意|提示|备注|警告|note|tip|warning|important)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_LEADS_IN = re.compile(r"(?:[：:]|如下[：:。]?|分别是|包括|有以下几[种个类点])$")


def preface(section: Section, *, opens_note: bool, config: MarkdownConfig, document: Path | None) -> Section | None:
    """The section's preface as a section of its own, when it is an answer (see the module)."""
    if section.kind != "heading":
        return None
    titles = {clean_title(child.title).casefold() for child in section.children}
    blocks = [
        part
        for part in section.lead
        if part.kind != "heading" and not _holds_questions(part, section) and not _lists_titles(part, titles)
    ]
    blocks = _without_announcements(blocks, config, document)
    if not blocks or not (opens_note or any(_structure(block) for block in blocks)):
        return None
    answer = render(blocks, config, document)
    if not answer.text or only_pointers(answer.text) or _defined_below(section):
        return None
    return Section(section.kind, section.title, section.line, section.headings, section.opener, list(blocks))


def _without_announcements(blocks: list[Block], config: MarkdownConfig, document: Path | None) -> list[Block]:
    """The preface without the paragraphs that announce what follows or speak of the note, and
    without a last paragraph that leads into the sub-sections ("分别是："). What is left says
    something by itself: "知识蒸馏是一种…" stays when "本文档自顶向下地介绍…" follows it. A
    preface whose first paragraph announces is an introduction throughout and stays out whole,
    unless the announcement captions code (`_captions_code`)."""
    texts = [render([block], config, document).text for block in blocks]
    if not texts or (_announcement(texts[0]) and not _captions_code(blocks, 0)):
        return []
    kept = [
        (block, text)
        for index, (block, text) in enumerate(zip(blocks, texts, strict=True))
        if not _announcement(text) or _captions_code(blocks, index)
    ]
    while kept and kept[-1][0].kind == "paragraph" and _LEADS_IN.search(kept[-1][1]):
        kept.pop()
    return [block for block, _ in kept]


def _structure(block: Block) -> bool:
    """A block that says more than prose; a quoted aside ("> 注意：数据集会自动下载") does not."""
    return block.kind in _STRUCTURE and not (block.kind == "quote" and _ASIDE.match(block.text))


def _captions_code(blocks: list[Block], index: int) -> bool:
    """The paragraph announces the code right below it ("以下是使用pipeline进行离线推理的示例"):
    the example is the answer, its caption part of it."""
    return index + 1 < len(blocks) and blocks[index].kind == "paragraph" and blocks[index + 1].kind == "code"


def _lists_titles(block: Block, titles: set[str]) -> bool:
    """A list of the sub-sections that follow (their `titles`: "1. 基于 HuggingFace 的模型" over
    "## 基于 HuggingFace 的模型"): the section's table of contents, not an answer."""
    if block.kind != "list" or not block.items:
        return False
    named = sum(clean_title(item.first or "").casefold() in titles for item in block.items)
    return 2 * named >= len(block.items)


def _holds_questions(block: Block, section: Section) -> bool:
    """A list whose items are the section's questions ("- Q1: …" "- A1: …") is not its preface."""
    return any(child.nested and block.line <= child.line <= block.end for child in section.children)


def _announcement(text: str) -> bool:
    """The paragraph speaks of the note, or opens by announcing what follows and says nothing
    else than more announcements and pointers: "本文档提供了…训练脚本。若您希望深入了解…，请参考
    [文档](…)" is one; "本文档介绍论文[…]中提出的 CHORD 算法。CHORD 的核心思想是…" goes on to say
    what CHORD is, and is not."""
    paragraph = text.strip()
    if _ABOUT_NOTE.search(paragraph):
        return True
    sentences = [sentence for sentence in _SENTENCE_END.split(paragraph) if sentence.strip()]
    if not sentences or not _ANNOUNCES.match(sentences[0].strip()):
        return False
    return all(_ANNOUNCES.match(sentence.strip()) or _POINTS.search(sentence) for sentence in sentences[1:])


def _defined_below(section: Section) -> bool:
    """A sub-section that says what the section is: "概念", "强化微调的概念", "简介"."""
    name = clean_title(section.title).casefold()
    for child in section.children:
        title = clean_title(child.title).casefold().replace(name, "").strip(" 的之:：")
        if interrogative(title) == "what":
            return True
    return False
