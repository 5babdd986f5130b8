"""Markdown escapes, resolved outside code and math, and HTML tags: what prompts, answers and the
outline share.

(Look-alike ideographs, "这⾥" with U+2F25 instead of 里, are folded by dedup's `unify_lookalikes`,
the one fold normalize, dedup and the notes parser use.)
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Spans where a backslash means something: fenced code, inline code, and TeX math.
_FENCED = r"^[ \t]*(?P<fence>`{3,}|~{3,})[^\n]*\n(?:.*?\n)??[ \t]*(?P=fence)[`~]*[ \t]*$"
_CODE_SPAN = r"(?P<ticks>`+)(?:(?!(?P=ticks)).)+?(?P=ticks)"
_TEX = r"(?=(?:(?!\\[\])]).)*?(?:\\[A-Za-z]|[\^_={}]))"  # a command or ^ _ = { } before the closer
_MATH = rf"\$\$.+?\$\$|\$(?=\S)[^$\n]+?(?<=\S)\$|\\\({_TEX}.+?\\\)|\\\[{_TEX}.+?\\\]"
_CODE = re.compile(f"{_FENCED}|{_CODE_SPAN}", re.MULTILINE | re.DOTALL)
_CODE_OR_MATH = re.compile(f"{_FENCED}|{_CODE_SPAN}|{_MATH}", re.MULTILINE | re.DOTALL)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_TAG = re.compile(r"<[^>]+>")


def outside_code(text: str, change: Callable[[str], str], *, math: bool = False) -> str:
    """`text` with `change` applied to the parts outside code (and outside math with `math`)."""
    pattern = _CODE_OR_MATH if math else _CODE
    parts, position = [], 0
    for match in pattern.finditer(text):
        parts += [change(text[position : match.start()]), match.group()]
        position = match.end()
    parts.append(change(text[position:]))
    return "".join(parts)


def without_tags(text: str) -> str:
    """HTML's words without its tags ("<summary><b>视频对话</b></summary>" -> "视频对话")."""
    return _TAG.sub("", text)


def unescape(text: str, keep: str = "") -> str:
    """Markdown backslash escapes removed outside code and math (`top\\_k` -> `top_k`).

    `keep` lists characters whose escape still matters where the text goes (`|` in a table).
    """

    def drop(part: str) -> str:
        return _ESCAPE.sub(lambda m: m.group() if m.group(1) in keep else m.group(1), part)

    return outside_code(text, drop, math=True)
