"""Notes into question/answer pairs: Markdown, plain-text Q&A notes and HTML pages.

Chinese teams keep knowledge in notes (interview notes, FAQs, tutorials). A note is parsed into
blocks (`blocks`), the blocks into a tree of sections at headings and question lines, those
inside prose fences included (`outline`, `fences`), and each section is decided on its own
(`decide`): a pair, the parent of pairs (whose preface may answer by itself: `prefaces`), or
nothing. Prompts are worded by `prompts`, answers cleaned by `answers`. Plain `.txt` notes with
"问：/答：" or "Q:/A:" lines are read line by line (`plain`); HTML pages are converted to the same
Markdown first (`html`), keeping each block's line in the page.

Reason codes: `empty_document` (nothing but white space), `no_questions` (no question with an
answer: only headings, only prose, or questions nobody answered), `no_answer` (one question
without an answer, in a note that has others), `link_only_answer` (an answer that is only links or
pointers to them), `boilerplate_section` (a remark, licence, contents or "learn more" section).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Literal

from pipeline.collect.markdown.blocks import parse_blocks
from pipeline.collect.markdown.decide import DocumentProblem, QaPair, decide, settle
from pipeline.collect.markdown.html import html_to_markdown
from pipeline.collect.markdown.outline import outline
from pipeline.collect.markdown.plain import has_qa_lines, text_pairs
from schemas.config import MarkdownConfig

NoteKind = Literal["markdown", "text", "html"]

__all__ = ["DocumentProblem", "NoteKind", "QaPair", "parse_note", "parse_qa"]


def parse_note(
    text: str, kind: NoteKind, config: MarkdownConfig, document: Path | None = None
) -> list[QaPair | DocumentProblem]:
    """The pairs of a note of any kind, or per-question problems; raises for a note with none."""
    if kind == "html":
        markdown, origin = html_to_markdown(text)
        return [_in_page(item, origin) for item in parse_qa(markdown, config, document)]
    if kind == "text" and has_qa_lines(text):
        return text_pairs(text, config)
    return parse_qa(text, config, document)


def parse_qa(
    text: str, config: MarkdownConfig | None = None, document: Path | None = None
) -> list[QaPair | DocumentProblem]:
    """Q&A pairs of a Markdown note, or per-question problems; raises for a note with none."""
    if not text.strip():
        raise DocumentProblem("empty_document", "the document is empty (a stub)")
    config = config or MarkdownConfig()
    items = decide(outline(parse_blocks(text), config.prose_fences), config, document)
    return settle(items)


def _in_page(item: QaPair | DocumentProblem, origin: list[int]) -> QaPair | DocumentProblem:
    """An item of an HTML page's Markdown, pointing at the page's lines instead."""
    if isinstance(item, QaPair):
        return replace(item, line=origin[item.line - 1], line_end=origin[item.line_end - 1])
    if item.line is not None:
        item.line = origin[item.line - 1]
    return item
