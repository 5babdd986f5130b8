"""Mojibake: UTF-8 or GBK bytes that were once decoded with a Windows code page.

Detection follows what held on real data (../shared/NOTES.md): ftfy's badness test, or a line
where most non-ASCII characters are code-page characters. Repair tries ftfy (for UTF-8 read as
cp1252/latin-1) and then a GB18030 re-decode (for GBK read as latin-1). A repair that does not
reach clean text is refused, because a half-repaired record would teach a model garbage.
"""

from __future__ import annotations

import re

import ftfy
from ftfy.badness import is_bad

_CODE_PAGE = re.compile(
    r"[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_LEAD_BYTES = re.compile(r"[\u00c2-\u00f4]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
REPLACEMENT = "\ufffd"


def looks_garbled(text: str) -> bool:
    non_ascii = sum(1 for char in text if ord(char) > 0x7F)
    if not non_ascii:
        return False
    code_page = len(_CODE_PAGE.findall(text))
    heuristic = len(_LEAD_BYTES.findall(text)) >= 2 and code_page > non_ascii / 2
    return heuristic or is_bad(text)


def repair(text: str) -> str | None:
    """Clean text, or None when the text is garbled beyond repair."""
    candidates = [ftfy.fix_encoding(text), _redecode_gb18030(text)]
    for candidate in candidates:
        if candidate and REPLACEMENT not in candidate and not looks_garbled(candidate):
            return candidate
    return None


def _redecode_gb18030(text: str) -> str | None:
    for code_page in ("latin-1", "cp1252"):
        try:
            candidate = text.encode(code_page).decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if len(_HAN.findall(candidate)) >= len(candidate.strip()) / 3:
            return candidate
    return None
