"""Prose in code fences: ```text blocks that hold an author's words, and the questions among them.

Notes written in an editor that wraps badly often put whole answers in ```text fences (or in a
fence without a language, or an indented block, that is Chinese prose: a third of its characters
Han, which code never is). An answer shows them as the prose they are (`answers`).

Such a fence can also hold questions of its own under a topic heading ("### 全连接层" whose fence
explains the layer, then "全连接层与卷积层的区别?" and its answer lines, then "卷积层代替全连接层的
好处?"). A line of the fence is a question when it is short, not indented (an indented line is the
other voice of a dialogue), ends in a question mark, starts a paragraph of the fence and is followed
by a line that answers it. The outline splits the fence there into blocks of the same fence, so
each question gets the lines up to the next one.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace

from pipeline.collect.markdown.blocks import Block

_HAN = re.compile(r"[\u4e00-\u9fff]")
_QUESTION_LENGTH = 40


def prose(text: str) -> bool:
    """Chinese prose, not code: a third of the letters Han."""
    letters = [c for c in text if not c.isspace()]
    return bool(letters) and len(_HAN.findall(text)) >= 0.3 * len(letters)


def prose_lines(block: Block, languages: Collection[str]) -> list[str] | None:
    """The lines inside a fenced block of prose (a prose language, or none and prose), else None."""
    lines = block.text.splitlines()
    if block.kind != "code" or not lines or not lines[0].lstrip().startswith(("```", "~~~")):
        return None
    closed = len(lines) > 1 and lines[-1].strip().startswith(lines[0].strip()[:3])
    inner = lines[1 : -1 if closed else None]
    language = block.info.split(" ")[0].lower()
    return inner if language in languages or (not language and prose("\n".join(inner))) else None


def split_at_questions(block: Block, languages: Collection[str]) -> tuple[Block | None, list[tuple[Block, Block]]]:
    """A prose fence cut at its question lines: the part before them, and (question, answer) blocks.

    Each answer block is a fence of its own, with the original opening and closing lines, so it
    reads as the same prose; the last one ends where the original fence ends.
    """
    inner = prose_lines(block, languages)
    if inner is None:
        return block, []
    first = block.line + 1  # the note's line of inner[0]
    starts = [i for i in range(len(inner)) if _question(inner, i)]
    if not starts:
        return block, []
    lines = block.text.splitlines()
    opening, closing = lines[0], lines[-1] if len(lines) > len(inner) + 1 else ""
    head = _fence(block, opening, closing, inner[: starts[0]], first, block.line)
    pairs = []
    for start, stop in zip(starts, [*starts[1:], len(inner)], strict=True):
        text = inner[start].strip()
        question = Block("paragraph", first + start, first + start, text, title=text)
        answer = _fence(block, opening, closing, inner[start + 1 : stop], first + start + 1, first + start + 1)
        assert answer is not None, "a question line is followed by a line of its answer"
        pairs.append((question, answer if stop < len(inner) else replace(answer, end=block.end)))
    return head, pairs


def _question(inner: list[str], i: int) -> bool:
    line = inner[i]
    text = line.strip()
    if not text or line[:1] in " \t" or len(text) > _QUESTION_LENGTH or not text.endswith(("?", "？")):
        return False
    after = inner[i + 1].strip() if i + 1 < len(inner) else ""
    return (i == 0 or not inner[i - 1].strip()) and bool(after) and not after.endswith(("?", "？"))


def _fence(block: Block, opening: str, closing: str, inner: list[str], first: int, start: int) -> Block | None:
    """A fence of `inner` (the note's lines from `first`), or None when they are blank."""
    kept = [n for n, line in enumerate(inner) if line.strip()]
    if not kept:
        return None
    text = "\n".join([opening, *inner[: kept[-1] + 1], closing or opening[:3]])
    return Block("code", start, first + kept[-1], text, info=block.info)
