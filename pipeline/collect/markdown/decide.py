"""Which sections become pairs, decided per section (never per document).

A section without sub-sections is a pair. A section with sub-sections is one pair, its whole text
the answer, when its own title asks and none of theirs does ("算法简单理解？" over "1. G（生成式）";
a title that asks outright, with a question mark or word, outranks sub-titles that only end in an
instruction such as "…示例说明"), or when they read as the steps of one procedure ("加载数据",
"构建模型", …: STEP_SHARE of two or more);
otherwise its sub-sections are decided in turn, and its preface (the text before them) is not
released: an introduction is not an answer. A question left with no answer is `no_answer`, one
answered only by links is `link_only_answer`. A question asked twice in one note ("算法简单理解？"
under "GPT" and under "BERT") names its parent, by `markdown.context_question`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.collect.markdown.answers import link_only, render
from pipeline.collect.markdown.outline import Section
from pipeline.collect.markdown.phrases import clean_title, is_step
from pipeline.collect.markdown.prompts import in_context, prompt
from schemas.config import MarkdownConfig

STEP_SHARE = 0.6  # Yolo's "微调教程" has 4 steps in 5 items; no topic list of the tuned notes has 1 in 3
_GENERIC_NAMES = {"readme", "index", "notes", "note", "untitled", "笔记", "main"}


@dataclass(frozen=True)
class QaPair:
    line: int
    line_end: int
    question: str
    answer: str
    headings: tuple[str, ...] = ()


class DocumentProblem(ValueError):
    """A document (or, with `line`, one of its questions) that yields no Q&A pair."""

    def __init__(self, reason: str, detail: str, line: int | None = None, headings: tuple[str, ...] = ()) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.line = line
        self.headings = headings


def decide(root: Section, config: MarkdownConfig, document: Path | None) -> list[QaPair | DocumentProblem]:
    name = document_name(document)
    items = [(_parent(section, name), _pair(section, config, document, name)) for section in released(root)]
    asked = Counter(item.question for _, item in items if isinstance(item, QaPair))
    return [
        replace(item, question=in_context(item.question, parent, config))
        if isinstance(item, QaPair) and asked[item.question] > 1
        else item
        for parent, item in items
    ]


def released(section: Section) -> Iterator[Section]:
    """The sections that become pairs, in source order."""
    children = section.children
    if section.kind == "root" or (children and not _whole(section)):
        for child in children:
            yield from released(child)
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
    children = section.children
    if section.asks_outright:
        return not any(child.asks_outright for child in children)
    if any(child.asks for child in children):
        return False
    if section.asks:
        return True
    steps = sum(is_step(child.title) for child in children)
    return len(children) >= 2 and steps >= STEP_SHARE * len(children)


def _pair(
    section: Section, config: MarkdownConfig, document: Path | None, name: str | None
) -> QaPair | DocumentProblem:
    answer = render(section.span(), config, document)
    question = prompt(section.title, _parent(section, name), config, qline=section.kind == "qline")
    if not answer.text or link_only(answer.text):
        if answer.text or answer.dropped_links:
            return DocumentProblem("link_only_answer", "the answer is only links", section.line, section.headings)
        return DocumentProblem("no_answer", f"{question!r} has no answer in the note", section.line, section.headings)
    return QaPair(section.line, max(answer.end, section.line), question, answer.text, section.headings)


def _parent(section: Section, name: str | None) -> str | None:
    enclosing = section.headings[:-1] if section.kind == "heading" else section.headings
    parent = clean_title(enclosing[-1]) if enclosing else None
    return parent or name


def settle(items: list[QaPair | DocumentProblem]) -> list[QaPair | DocumentProblem]:
    """A note's items, or one `no_questions` for a note where no question has an answer."""
    if any(isinstance(item, QaPair) for item in items):
        return items
    if items and any(item.reason != "no_answer" for item in items):
        return items
    unanswered = f" ({len(items)} question(s) without an answer)" if items else ""
    raise DocumentProblem("no_questions", f"no heading or question line with an answer{unanswered}")
