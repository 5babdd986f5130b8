"""Plain-text Q&A notes: "问：…" / "答：…" or "Q: …" / "A: …" lines, read line by line.

A question runs from its Q line to the A line (a question may wrap over several lines); its
answer runs to the next Q line. Text before the first Q line is a preface and is not released.
The answer is the note's text as written: a `.txt` file has no Markdown to clean, only
look-alike characters to fold. A `.txt` note without Q lines is read as Markdown instead.
"""

from __future__ import annotations

from pipeline.collect.markdown.decide import DocumentProblem, QaPair, settle
from pipeline.collect.markdown.phrases import ANSWER, QUESTION
from pipeline.collect.markdown.prompts import prompt
from pipeline.dedup.sketch import unify_lookalikes
from schemas.config import MarkdownConfig


def has_qa_lines(text: str) -> bool:
    return any(QUESTION.match(line) for line in text.splitlines())


def text_pairs(text: str, config: MarkdownConfig) -> list[QaPair | DocumentProblem]:
    items: list[QaPair | DocumentProblem] = []
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines) if QUESTION.match(line)]
    for start, stop in zip(starts, [*starts[1:], len(lines)], strict=True):
        items.append(_pair(lines, start, stop, config))
    return settle(items)


def _pair(lines: list[str], start: int, stop: int, config: MarkdownConfig) -> QaPair | DocumentProblem:
    cut = next((n for n in range(start + 1, stop) if ANSWER.match(lines[n])), None)
    if cut is None:  # no A line: the question is its first line, the rest its answer
        cut = start + 1
        answer_lines = lines[cut:stop]
    else:
        answer_lines = [ANSWER.sub("", lines[cut], count=1), *lines[cut + 1 : stop]]
    question_text = " ".join(line.strip() for line in lines[start:cut] if line.strip())
    question = prompt(QUESTION.sub("", question_text, count=1), None, config, qline=True)
    answer = unify_lookalikes("\n".join(answer_lines)).strip()
    if not answer:
        return DocumentProblem("no_answer", f"{question!r} has no answer in the note", start + 1)
    last = max(n for n in range(cut, stop) if lines[n].strip())
    return QaPair(start + 1, last + 1, question, answer)
