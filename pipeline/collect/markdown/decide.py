"""Which sections become pairs, decided per section (never per document).

A section without sub-sections is a pair. A section with sub-sections is one pair, its whole text
the answer, when its own title asks and none of theirs does ("算法简单理解？" over "1. G（生成式）";
a title that asks outright, with a question mark or word, outranks sub-titles that only end in an
instruction such as "…示例说明", unless it was answered at length before them), or when they read
as the steps of one procedure of at most PROCEDURE_LINES lines ("加载数据", "构建模型", "4. 微调",
"步骤 1: 启动服务", …: STEP_SHARE of two or more, or whatever they are called when the text
before them says so, "请顺序执行下列步骤", and no question further down, as under an FAQ's
chapters "## 训练", "## 推理"; sub-titles that all open with one verb, "使用CLI", "使用Python", are
ways to do a thing, not steps; nor are sub-sections after a section answered at length, as a
complete example then "### 设置多卡并行", "### 设置上下文长度"; nor a sub-section that splits into
questions of its own, unless numbered). Otherwise its sub-sections are decided in turn, and its
preface (the text before them) is released only when it answers by itself (`prefaces`): an
introduction is not an answer. A question left with no answer is `no_answer`, one answered only by
links is `link_only_answer`, a section of a note's boilerplate ("附注", "Reference", "License",
"目录", "了解更多") is `boilerplate_section`. A question asked twice in one note ("算法简单理解？"
under "GPT" and under "BERT") names its parent, by `markdown.context_question`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.collect.markdown.answers import only_pointers, render
from pipeline.collect.markdown.outline import Section
from pipeline.collect.markdown.phrases import clean_title, is_step, numbering_of, step_verb
from pipeline.collect.markdown.prefaces import preface
from pipeline.collect.markdown.prompts import in_context, prompt
from pipeline.collect.problems import DocumentProblem
from schemas.config import MarkdownConfig

PROCEDURE_LINES = 150  # a longer procedure is split at its steps, each a question of its own
ANSWERED_BLOCKS = 3  # blocks before the first sub-section that make a question answered already
STEP_SHARE = 0.6  # Yolo's "微调教程" has 4 steps in 5 items; no topic list of the tuned notes has 1 in 3
_BOILERPLATE = re.compile(
    r"(?:附注|备注|参考|参考文献|参考资料|参考文档|参考链接|相关链接|references?|致谢|acknowledge?ments?|license|许可证"
    r"|开源协议|版权声明|copyright|更新日志|changelog|目录|table of contents|toc|联系方式|联系我们|contact|交流群"
    r"|了解更多|learn more|star history|贡献指南|contributing|后记|写在最后|免责声明|(?:特别)?鸣谢|特别感谢"
    r"|引用|citations?|cite|bibtex)"
    r"(?:\s*[(（][^)）]*[)）])?",
    re.IGNORECASE,
)
_ANNOUNCES_STEPS = re.compile(r"(?:下列|以下|下面|如下)(?:的)?(?:几个)?步骤|顺序执行|依次(?:执行|完成|进行)")
_GENERIC_NAMES = {"readme", "index", "notes", "note", "untitled", "笔记", "main"}


@dataclass(frozen=True)
class QaPair:
    line: int
    line_end: int
    question: str
    answer: str
    headings: tuple[str, ...] = ()


def decide(root: Section, config: MarkdownConfig, document: Path | None) -> list[QaPair | DocumentProblem]:
    name = document_name(document)
    lone = root.children[0] if len(root.children) == 1 and root.children[0].kind == "heading" else None
    items = []
    for section in released(root, config, document):
        # the note's one top heading is its title: the file name beside it says nothing more
        own = None if lone is not None and section.kind == "heading" and section.line == lone.line else name
        items.append((_parent(section, own), _pair(section, config, document, own)))
    asked = Counter(item.question for _, item in items if isinstance(item, QaPair))
    return [
        replace(item, question=in_context(item.question, parent, config))
        if isinstance(item, QaPair) and asked[item.question] > 1
        else item
        for parent, item in items
    ]


def released(
    section: Section, config: MarkdownConfig, document: Path | None, *, opens_note: bool = False
) -> Iterator[Section]:
    """The sections that become pairs, in source order (a preface that answers comes first)."""
    children = section.children
    if section.kind == "root" or (children and not _whole(section)):
        answered = preface(section, opens_note=opens_note, config=config, document=document)
        if answered is not None:
            yield answered
        lone = section.kind == "root" and len(children) == 1
        for child in children:
            yield from released(child, config, document, opens_note=lone)
    else:
        yield section


def document_name(document: Path | None) -> str | None:
    """What a note is about when no heading says it: its file name, or its folder's for a README."""
    if document is None:
        return None
    if document.stem.casefold() in _GENERIC_NAMES and document.parent.name:
        return document.parent.name
    return document.stem


def _whole(section: Section) -> bool:
    children = [child for child in section.children if not _is_boilerplate(child)]
    if section.asks_outright:
        return not any(child.asks_outright for child in children) and not _answered_before(section)
    if any(child.asks for child in children):
        return False
    if section.asks:
        return True
    if any(_asking_below(child) for child in children):
        return False  # "## 训练" / "## 推理" over "### Q1: …？": chapters of an FAQ, not steps
    if section.end - section.line > PROCEDURE_LINES or _answered_before(section):
        return False
    if len(children) >= 2 and any(_ANNOUNCES_STEPS.search(block.text) for block in section.lead):
        return True  # "请顺序执行下列步骤": the author says the sub-sections are one procedure
    numbered = all(numbering_of(child.title) is not None for child in children)
    if not numbered and any(_split_by_headings(child) for child in children):
        return False  # a step is one answer; one that splits into questions makes this no procedure
    steps = sum(is_step(child.title, numbered=child.number is not None) for child in children)
    return len(children) >= 2 and steps >= STEP_SHARE * len(children) and not _alternatives(children)


def _split_by_headings(section: Section) -> bool:
    """Sub-headings of its own that are questions apart ("#### 使用VLLM评估" over "##### 本地评估",
    "##### 在Slurm集群上评估"), not a step's labelled parts. Numbered steps ("## 2. 使用 ray 搭建
    集群" over "### 2.1 启动主节点") say they are one procedure, split or not."""
    return any(child.kind == "heading" for child in section.children) and not _whole(section)


def _answered_before(section: Section) -> bool:
    """A question answered at length before its sub-sections ("## 为什么需要蒸馏" with its table,
    then "### SFT 是蒸馏的一个特例"): the sub-sections are further questions, not parts of it."""
    return len(section.lead) >= ANSWERED_BLOCKS and any(child.kind == "heading" for child in section.children)


def _alternatives(children: list[Section]) -> bool:
    """Sub-titles that open with one verb ("使用CLI", "使用Web-UI", "使用Python") name ways to do a
    thing, each a question of its own, not the steps of one procedure ("加载数据", "构建模型")."""
    verbs = {step_verb(child.title) for child in children}
    return len(verbs) == 1 and None not in verbs and not any(child.number is not None for child in children)


def _pair(
    section: Section, config: MarkdownConfig, document: Path | None, name: str | None
) -> QaPair | DocumentProblem:
    answer = render(_answer_blocks(section), config, document)
    question = prompt(section.title, _parent(section, name), config, qline=section.kind == "qline")
    if _is_boilerplate(section):
        detail = f"{clean_title(section.title)!r} is a note's boilerplate, not a question"
        return DocumentProblem("boilerplate_section", detail, section.line, section.headings)
    if not answer.text or only_pointers(answer.text):
        if answer.text or answer.dropped_links:
            return DocumentProblem("link_only_answer", "the answer is only links", section.line, section.headings)
        return DocumentProblem("no_answer", f"{question!r} has no answer in the note", section.line, section.headings)
    return QaPair(section.line, max(answer.end, section.line), question, answer.text, section.headings)


def _answer_blocks(section: Section) -> list:
    """Every block of the section's whole answer: its content with its children's questions, but
    not the boilerplate sub-sections ("## Example" with its steps is the answer, its "### Reference"
    is not)."""
    blocks = []
    for part in section.content:
        if not isinstance(part, Section):
            blocks.append(part)
        elif not part.nested and not _is_boilerplate(part):
            blocks += part.opener + _answer_blocks(part)
    return blocks


def _is_boilerplate(section: Section) -> bool:
    return section.kind == "heading" and bool(_BOILERPLATE.fullmatch(clean_title(section.title)))


def _parent(section: Section, name: str | None) -> str | None:
    enclosing = section.headings[:-1] if section.kind == "heading" else section.headings
    parent = clean_title(enclosing[-1]).rstrip("？?") if enclosing else None  # "请介绍为什么需要蒸馏中的…"
    return parent or name


def settle(items: list[QaPair | DocumentProblem]) -> list[QaPair | DocumentProblem]:
    """A note's items, or one `no_questions` for a note where no question has an answer."""
    if any(isinstance(item, QaPair) for item in items):
        return items
    if items and any(item.reason != "no_answer" for item in items):
        return items
    unanswered = f" ({len(items)} question(s) without an answer)" if items else ""
    raise DocumentProblem("no_questions", f"no heading or question line with an answer{unanswered}")


def _asking_below(section: Section) -> bool:
    return any(child.asks or _asking_below(child) for child in section.children)
