"""Markdown Q&A documents: a heading or a numbered question, then its answer.

Interview notes and FAQs come in two styles. Some put each question on a numbered line and the
answer in a fenced block right below (`1. 为什么…?` then a ```text block); there every numbered
line outside a code block is a question. Others use headings; there headings are questions, and
numbered lines are questions only when they end with a question mark, because numbered lists
inside answers are common. Fenced blocks are never split and stay intact in the answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_NUMBERED = re.compile(r"^\d{1,3}\s*[.、)）]\s*(\S.*)$")
_LINK_ONLY = re.compile(r"^(\s*!?\[[^\]]*\]\([^)]*\)\s*)+$")
_PROSE_FENCES = {"text", "txt", "markdown", "md"}
_QUESTION_MARKS = ("?", "？")


@dataclass(frozen=True)
class QaPair:
    line: int
    question: str
    answer: str


@dataclass(frozen=True)
class Section:
    """A candidate question line, the level it opens (0 for numbered) and its body."""

    line: int
    title: str
    level: int
    body: list[str]


class DocumentProblem(ValueError):
    """A document (or, with `line`, one of its questions) that yields no Q&A pair."""

    def __init__(self, reason: str, detail: str, line: int | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.line = line


def parse_qa(text: str) -> list[QaPair | DocumentProblem]:
    """Q&A pairs of a document, or per-question problems; raises for a document with none."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise DocumentProblem("empty_document", "the document is empty (a stub)")
    sections = _sections(lines)
    if not sections:
        raise DocumentProblem("no_questions", "no heading or numbered question found")
    items: list[QaPair | DocumentProblem] = []
    for index, section in enumerate(sections):
        following = sections[index + 1] if index + 1 < len(sections) else None
        answer = _answer(section.body)
        opens_subsections = following is not None and section.level and following.level > section.level
        if opens_subsections and (not answer or section.level == 1):
            continue  # a title (and its preface) that opens sub-sections is not a question
        question = _clean_question(section.title)
        if answer and _LINK_ONLY.match(answer):
            items.append(DocumentProblem("link_only_answer", "the answer is only a link", section.line))
        else:
            items.append(QaPair(section.line, question, answer))
    return items


def _sections(lines: list[str]) -> list[Section]:
    fenced = _fenced_lines(lines)
    numbered_style = _numbered_style(lines, fenced)
    sections: list[Section] = []
    for number, line in enumerate(lines, start=1):
        heading = None if fenced[number - 1] else _HEADING.match(line)
        numbered = None if fenced[number - 1] or heading else _NUMBERED.match(line)
        if heading:
            sections.append(Section(number, heading.group(2), len(heading.group(1)), []))
        elif numbered and (numbered_style or numbered.group(1).rstrip().endswith(_QUESTION_MARKS)):
            sections.append(Section(number, numbered.group(1), 0, []))
        elif sections:
            sections[-1].body.append(line)
    return sections


def _fenced_lines(lines: list[str]) -> list[bool]:
    """For each line, whether it belongs to a fenced code block (the fences included)."""
    inside, opener, flags = False, "", []
    for line in lines:
        fence = _FENCE.match(line)
        if not inside and fence:
            inside, opener = True, fence.group(1)
            flags.append(True)
        elif inside:
            flags.append(True)
            if fence and fence.group(1).startswith(opener) and not fence.group(2):
                inside = False
        else:
            flags.append(False)
    return flags


def _numbered_style(lines: list[str], fenced: list[bool]) -> bool:
    """True when at least two numbered lines are each followed directly by a fenced block."""
    hits = 0
    for index, line in enumerate(lines):
        if fenced[index] or not _NUMBERED.match(line):
            continue
        following = next((n for n in range(index + 1, len(lines)) if lines[n].strip()), None)
        if following is not None and fenced[following] and _FENCE.match(lines[following]):
            hits += 1
    return hits >= 2


def _answer(body: list[str]) -> str:
    text = "\n".join(body).strip("\n")
    lines = text.splitlines()
    if len(lines) >= 2:
        opening, closing = _FENCE.match(lines[0]), _FENCE.match(lines[-1])
        inner_fences = any(_FENCE.match(line) for line in lines[1:-1])
        if opening and closing and not inner_fences and opening.group(2).lower() in _PROSE_FENCES:
            text = "\n".join(lines[1:-1])
    return text.strip()


def _clean_question(title: str) -> str:
    title = title.replace("**", "").strip()
    while title and unicodedata.category(title[0]) in ("So", "Sk", "Cf"):
        title = title[1:].lstrip()
    return title
