"""Mojibake: UTF-8 or GBK bytes that were once decoded with a Windows code page.

Detection: ftfy's badness test, or the two shapes mis-decoded bytes take. UTF-8 read as a code
page leaves a lead byte (Â-ô) followed by a continuation byte (U+00A0-U+00BF or cp1252's
€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ): "æˆ‘" for 我. GBK (or cp1251) read as latin-1 leaves runs of
high latin-1 letters with nothing between them: "ÎÒÊÇ" for 我是. Correct French, Spanish or
German text has neither: an accented letter is followed by ASCII ("résumé", "niño"), and four
accented letters in a row do not occur. The earlier rule (most non-ASCII characters are
code-page characters) fired on every French sentence (the gold set's tuned part has one).
Repair tries ftfy (for UTF-8 read as cp1252/latin-1) and then a GB18030 re-decode (for GBK
read as latin-1). A repair that does not reach clean text is refused, because a half-repaired
record would teach a model garbage.
"""

from __future__ import annotations

import re

import ftfy
from ftfy.badness import is_bad

_CP1252_SPECIALS = (
    "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e"
    "\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_UTF8_PAIR = re.compile(f"[\u00c2-\u00f4][\u0080-\u00bf{_CP1252_SPECIALS}]")
_HIGH_RUN = re.compile("[\u00a1-\u00ff]{4,}")  # not cp1252's “”…—: Chinese text runs them ("……——")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
REPLACEMENT = "\ufffd"
# Characters a legacy encoder could not write, left as ASCII "?": a run of them between Chinese
# text ("温阳之品，?????? 你好"), or list numbers whose "、" became "?" ("1? 忌食生冷 2? 忌情绪激动").
# A question's own "???" follows a question word or a particle (吗, 呢, 什么), and ends a sentence.
_LOST_RUN = re.compile(r"[\u3400-\u9fff，。、；：](?<![吗呢吧啊呀嘛么谁哪何])\s?\?{3,}\s?[\u3400-\u9fff]")
_LOST_LIST_MARK = re.compile(r"(?:^|\s)\d{1,2}\?\s*[\u3400-\u9fff]")


def looks_garbled(text: str) -> bool:
    if text.isascii():
        return False
    return len(_UTF8_PAIR.findall(text)) >= 2 or _HIGH_RUN.search(text) is not None or is_bad(text)


def lost_characters(text: str) -> bool:
    """Whether characters were replaced by "?" when the text was once written in a legacy encoding
    (nothing can bring them back)."""
    return "?" in text and (_LOST_RUN.search(text) is not None or len(_LOST_LIST_MARK.findall(text)) >= 2)


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
