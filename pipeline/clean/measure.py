"""What the filters measure, computed once per record and shared (statistics apart from decisions).

data-juicer and datatrove keep a sample's statistics apart from the keep/drop decision, so each
decision can be audited and no measure is computed twice: `Measures` is built once per record,
each measure on first use (a disabled filter costs nothing), and every filter reads from it.
A filter's rejection detail always states the measured value.

Judgements are per response, never over a whole long chat (one looping answer is a fault; forty
answers that each open with "当然！" are not). Repetition, symbol and stop-word measures read a
response's *prose*: the text without code blocks, inline code, math ($…$, $$…$$, \\(…\\), \\[…\\]),
Markdown tables, link titles and targets, URLs and list lines (also with the escaped bullets
`\\*` and `\\-` of scraped ShareGPT answers). On the gold set's tuned part
those made every false repetition and symbol rejection: a SQL answer showing two variants of a
query, LaTeX, a table of ship counts, an ASCII flowchart in a code block.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property

import regex

from pipeline.segment import Segmenter
from schemas import Rejection, SftRecord

HAN = regex.compile(r"\p{Han}")
LATIN = regex.compile(r"\p{Latin}")
WORD_CHAR = regex.compile(r"[\p{L}\p{N}]")
_NOT_NEWLINE = regex.compile(r"[^\n]")
SYMBOL = regex.compile(r"[^\p{L}\p{N}\p{Z}\s]")

STAGE = "clean"
DIALOGUE_ROLES = ("user", "assistant")

_FENCED = regex.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?(?:^[ \t]*\1[^\n]*$|\Z)", regex.MULTILINE | regex.DOTALL)
_INLINE_CODE = regex.compile(r"`[^`\n]+`")
_MATH = regex.compile(
    r"\$\$.+?\$\$|\\\[.+?\\\]|\\\(.+?\\\)|\\begin\{(\w+\*?)\}.+?\\end\{\1\}"
    r"|\$(?=[^\s$])[^$\n]{1,300}?(?<=[^\s$])\$(?!\d)",
    regex.DOTALL,
)
_LINK = regex.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)")
_URL = regex.compile(r"(?:https?|ftp)://\S+|www\.\S+")
_TABLE_LINE = regex.compile(r"^[ \t]*\|.*$|^[^\n|]*\|[^\n|]*\|.*$", regex.MULTILINE)
_LIST_LINE = regex.compile(
    r"^[ \t]*(?:\\?[-*+]|[•·●○■□◆▪➢►]|\d{1,3}[.、)）]|[（(]\d{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]"
    r"|[a-zA-Z][.)])[ \t]*(?P<item>.*)$",
    regex.MULTILINE,
)


def code_and_math_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of fenced code, inline code and math: text written for a machine."""
    spans = [m.span() for m in _FENCED.finditer(text)]
    rest = _blank(text, spans)
    spans += [m.span() for m in _INLINE_CODE.finditer(rest)]
    rest = _blank(text, spans)
    return spans + [m.span() for m in _MATH.finditer(rest)]


def structure_spans(text: str) -> list[tuple[int, int]]:
    """Code, math, Markdown links, URLs, table lines and list lines: text that repeats on purpose."""
    spans = code_and_math_spans(text)
    rest = _blank(text, spans)
    for pattern in (_LINK, _URL, _TABLE_LINE, _LIST_LINE):
        spans += [m.span() for m in pattern.finditer(rest)]
        rest = _blank(text, spans)
    return spans


def list_items(text: str) -> list[str]:
    """The text of each list item in the text, without its bullet or number."""
    return [m["item"].strip() for m in _LIST_LINE.finditer(text)]


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with the spans replaced by spaces (newlines kept), so offsets stay valid."""
    if not spans:
        return text
    pieces, position = [], 0
    for start, end in sorted(spans):
        start = max(start, position)
        if start >= end:
            continue
        pieces += [text[position:start], _NOT_NEWLINE.sub(" ", text[start:end])]
        position = end
    return "".join([*pieces, text[position:]])


def without_code(text: str) -> str:
    """Text without code and math (blanked, so lines and offsets stay): `${x}` there is no slot."""
    return _blank(text, code_and_math_spans(text))


def han_share(text: str) -> float | None:
    """Han characters among letters (Han counts as letters in \\p{L}), or None without letters."""
    han, latin = len(HAN.findall(text)), len(LATIN.findall(text))
    return han / (han + latin) if han + latin else None


@dataclass(frozen=True)
class Word:
    text: str
    stop: bool


class Response:
    """One assistant turn and what filters measure in it."""

    def __init__(
        self,
        index: int,
        text: str,
        words: Sequence[str],
        stop: Sequence[bool] | None,
        stop_flag: Callable[[str, bool], bool],
    ) -> None:
        self.index = index
        self.text = text
        self._words = words
        self._stop = stop
        self._stop_flag = stop_flag

    @cached_property
    def without_code(self) -> str:
        return without_code(self.text)

    @cached_property
    def simplified(self) -> str:
        """The text in simplified script, for patterns written in simplified (作為→作为, 僅限於→仅限于)."""
        return simplified(self.text)

    @cached_property
    def prose(self) -> str:
        """The text without code, math, tables, links, URLs and lists; blanked lines dropped."""
        blanked = _blank(self.text, self._structure)
        return "\n".join(line for line in blanked.splitlines() if line.strip())

    @cached_property
    def _structure(self) -> list[tuple[int, int]]:
        return structure_spans(self.text)

    @cached_property
    def prose_words(self) -> list[Word]:
        """Segmented words of the prose with letters or digits, stop flags folded to simplified."""
        covered = bytearray(len(self.text))
        for start, end in self._structure:
            covered[start:end] = b"\x01" * (end - start)
        words, offset = [], 0
        for position, word in enumerate(self._words):
            start, offset = offset, offset + len(word)
            if covered[start:offset].count(1) or not WORD_CHAR.search(word):
                continue
            words.append(Word(word, self._stop_flag(word, bool(self._stop and self._stop[position]))))
        return words


class Measures:
    """Every measure of one record, each computed on first use and then shared by the filters."""

    def __init__(self, record: SftRecord, segmenter: Segmenter | None = None) -> None:
        self.record = record
        self._segmenter = segmenter

    @cached_property
    def dialogue(self) -> str:
        """User and assistant turns: what a quality judgement is about (system prompts and tool
        payloads are configuration and machine output, judged elsewhere)."""
        return "\n".join(m.content for m in self.record.messages if m.role in DIALOGUE_ROLES)

    @cached_property
    def dialogue_han_share(self) -> float | None:
        return han_share(self.dialogue)

    @cached_property
    def user_turns(self) -> list[str]:
        return [m.content for m in self.record.messages if m.role == "user"]

    @cached_property
    def final_answer(self) -> str | None:
        final = next((m for m in reversed(self.record.messages) if m.role == "assistant"), None)
        return None if final is None else final.content

    @cached_property
    def responses(self) -> list[Response]:
        segments = self._segments()
        return [
            Response(i, m.content, segments[i].words, segments[i].stop, self._stop_flag)
            for i, m in enumerate(self.record.messages)
            if m.role == "assistant" and m.content.strip()
        ]

    @cached_property
    def dialogue_words(self) -> list[str]:
        segments = self._segments()
        return [
            word
            for message, seg in zip(self.record.messages, segments, strict=True)
            if message.role in DIALOGUE_ROLES
            for word in seg.words
            if word.isalnum() or WORD_CHAR.search(word)  # isalnum: most words, at a tenth of the cost
        ]

    def _segments(self):
        if self.record.segments is None:
            raise ValueError("clean needs segments: run the segment stage first")
        return self.record.segments

    def _stop_flag(self, word: str, flagged: bool) -> bool:
        """A stop word as segmented, or once folded to simplified (們→们, 這→这, 個→个): the
        bundled list is simplified, so traditional prose measured against it looked stop-word-free."""
        if flagged or self._segmenter is None or not self._segmenter.stop_words:
            return flagged
        return simplified(word) in self._segmenter.stop_words

    def reject(self, reason: str, detail: str) -> Rejection:
        return reject(self.record, reason, detail)


@cache
def _t2s() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert


def simplified(text: str) -> str:
    return _t2s()(text)


def reject(record: SftRecord, reason: str, detail: str) -> Rejection:
    return Rejection(record_id=record.id, stage=STAGE, reason=reason, detail=detail, source=record.meta.source)


@cache
def compiled(patterns: tuple[str, ...]) -> regex.Pattern:
    """One case-blind pattern of alternatives, compiled once per distinct list."""
    return regex.compile("|".join(f"(?:{p})" for p in patterns), regex.IGNORECASE)


def source_matches(record: SftRecord, globs: Sequence[str]) -> bool:
    """Whether the record's source file matches one of the glob patterns (`*glaive*`)."""
    from fnmatch import fnmatch

    return any(fnmatch(record.meta.source.file, glob) for glob in globs)
