"""Which words of a turn an operation may touch, and which it must leave alone.

Never touched: numbers, Latin words and symbols; named entities (jieba POS nr person, ns place,
nt organisation, nz other proper noun); quoted spans (“…”, "…", 「…」, 『…』, 《…》); code and
math; every line of the turn after its first (the instruction is the first line, what follows is
the task's data: the alpaca `input`); negations; and any word the answer repeats (the answer
refers to it, so changing it changes what the answer answers). PII placeholders (<手机号>) stay
whole. EDA (Wei and Zou 2019) likewise leaves stop words alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from pipeline.clean.measure import code_and_math_spans
from pipeline.clean.pii import PLACEHOLDERS

_HAN_WORD = regex.compile(r"^\p{Han}+$")
_QUOTED = regex.compile(r"“[^”\n]*”|\"[^\"\n]*\"|「[^」\n]*」|『[^』\n]*』|《[^》\n]*》|‘[^’\n]*’|'[^'\n]*'")
_PROTECTED = {name.strip("<>") for name in PLACEHOLDERS.values()}
ENTITY_TAGS = ("nr", "ns", "nt", "nz", "m", "eng", "x", "t", "q")
NEGATIONS = frozenset(
    [
        "不",
        "没",
        "没有",
        "别",
        "非",
        "未",
        "无",
        "勿",
        "莫",
        "否",
        "不要",
        "不能",
        "不会",
        "不是",
        "不用",
        "无法",
        "并非",
        "绝不",
        "从不",
        "毫无",
        "不可",
    ]
)


@dataclass(frozen=True)
class Turn:
    """A turn's words with their POS tags, what may be edited, and what lies outside protected spans."""

    words: tuple[str, ...]
    pos: tuple[str, ...]
    stop: tuple[bool, ...]
    free: tuple[bool, ...]
    content: tuple[bool, ...]

    @property
    def editable(self) -> list[int]:
        """Positions of content words an operation may replace, move or use as an insertion source."""
        return [i for i, ok in enumerate(self.content) if ok]


def protected_spans(text: str) -> bytearray:
    """1 for every character of code, math, quoted spans and lines after the first."""
    covered = bytearray(len(text))
    spans = code_and_math_spans(text) + [m.span() for m in _QUOTED.finditer(text)]
    first_line_end = text.find("\n")
    if first_line_end >= 0:
        spans.append((first_line_end, len(text)))
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    return covered


def turn_of(text: str, tagged: list[tuple[str, str]], stop_words: frozenset[str], answer: str) -> Turn:
    covered = protected_spans(text)
    words, pos, stop, free, content, offset = [], [], [], [], [], 0
    for word, tag in tagged:
        start, offset = offset, offset + len(word)
        outside = not covered[start:offset].count(1)
        is_stop = word in stop_words
        words.append(word)
        pos.append(tag)
        stop.append(is_stop)
        free.append(outside)
        content.append(
            outside
            and not is_stop
            and bool(_HAN_WORD.match(word))
            and word not in _PROTECTED
            and word not in NEGATIONS
            and not tag.startswith(ENTITY_TAGS)
            and word not in answer
        )
    return Turn(tuple(words), tuple(pos), tuple(stop), tuple(free), tuple(content))
