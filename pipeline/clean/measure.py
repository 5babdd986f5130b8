"""Shared measurements for filters: which text a filter judges, and how characters count.

Statistics are computed apart from the keep/drop decision (data-juicer's lesson), so each
decision can be audited: a filter's rejection detail always states the measured value.
"""

from __future__ import annotations

import regex

from schemas import Rejection, SftRecord

HAN = regex.compile(r"\p{Han}")
LATIN = regex.compile(r"\p{Latin}")
WORD_CHAR = regex.compile(r"[\p{L}\p{N}]")
SYMBOL = regex.compile(r"[^\p{L}\p{N}\p{Z}\s]")

_FENCED = regex.compile(r"^\s*(```|~~~).*?^\s*\1[^\n]*$", regex.MULTILINE | regex.DOTALL)
_INLINE_CODE = regex.compile(r"`[^`\n]+`")

STAGE = "clean"
DIALOGUE_ROLES = ("user", "assistant")


def dialogue_text(record: SftRecord) -> str:
    """User and assistant turns: what a quality judgement is about (system prompts and tool
    payloads are configuration and machine output, judged elsewhere)."""
    return "\n".join(m.content for m in record.messages if m.role in DIALOGUE_ROLES)


def responses(record: SftRecord) -> list[str]:
    return [m.content for m in record.messages if m.role == "assistant" and m.content]


def user_turns(record: SftRecord) -> list[str]:
    return [m.content for m in record.messages if m.role == "user"]


def dialogue_words(record: SftRecord) -> list[str]:
    if record.segments is None:
        raise ValueError("clean needs segments: run the segment stage first")
    return [
        word
        for message, seg in zip(record.messages, record.segments, strict=True)
        if message.role in DIALOGUE_ROLES
        for word in seg.words
        if WORD_CHAR.search(word)
    ]


def han_share(text: str) -> float | None:
    """Han characters among letters (Han counts as letters in \\p{L}), or None without letters."""
    han, latin = len(HAN.findall(text)), len(LATIN.findall(text))
    return han / (han + latin) if han + latin else None


def without_code(text: str) -> str:
    """Text without fenced and inline code: code repeats itself and uses `${x}` on purpose."""
    return _INLINE_CODE.sub("", _FENCED.sub("", text))


def first_response_match(record: SftRecord, patterns: list[str]) -> str | None:
    """The first text in any assistant response that one of the patterns (case-blind) matches."""
    pattern = regex.compile("|".join(patterns), regex.IGNORECASE)
    for text in responses(record):
        found = pattern.search(text)
        if found:
            return found.group(0)
    return None


def reject(record: SftRecord, reason: str, detail: str) -> Rejection:
    return Rejection(record_id=record.id, stage=STAGE, reason=reason, detail=detail, source=record.meta.source)
