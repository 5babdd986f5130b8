"""Text cleaners for normalize: each takes a string and returns the cleaned string."""

from __future__ import annotations

import html
import re
import unicodedata

_INVISIBLE = {
    "\u200b", "\u200c", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
}  # fmt: skip
_KEPT_CONTROLS = {"\n", "\t"}
_ZWJ = "\u200d"

# Full-width punctuation that Chinese typography uses on purpose: folding it to ASCII would
# turn correct Chinese text into mixed punctuation. Letters, digits and the other symbols of
# the full-width ASCII block are folded, which is what NFKC does for that block.
_CHINESE_PUNCTUATION = set("！，：；？（）")
_FULLWIDTH_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code) not in _CHINESE_PUNCTUATION}

_HTML_ENTITY = re.compile(r"&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def strip_invisible(text: str) -> str:
    """Drop control, zero-width and bidi characters; keep newlines, tabs and emoji joiners."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for index, char in enumerate(text):
        if char in _KEPT_CONTROLS:
            kept.append(char)
        elif char == _ZWJ:
            if _is_emoji(text[index - 1 : index]) and _is_emoji(text[index + 1 : index + 2]):
                kept.append(char)
        elif char not in _INVISIBLE and unicodedata.category(char) != "Cc":
            kept.append(char)
    return "".join(kept)


def _is_emoji(char: str) -> bool:
    return bool(char) and (unicodedata.category(char) == "So" or ord(char) > 0xFFFF)


def fold_fullwidth_ascii(text: str) -> str:
    return text.translate(_FULLWIDTH_FOLD)


def strip_turn(text: str) -> str:
    """Leading and trailing whitespace of a turn removed, but the indentation of a code answer kept.

    Answers of some sources start with a newline or a space (826 of 992 answers of one source);
    a model trained on them learns to open with blank space. An answer that is an indented code
    block (first line indented by four or more columns, more lines after it) keeps its indent.
    """
    stripped = text.strip()
    indent = text[: len(text) - len(text.lstrip())].rsplit("\n", 1)[-1]
    if "\n" in stripped and len(indent.expandtabs(4)) >= 4:
        return indent + stripped
    return stripped


def unescape_html(text: str) -> str:
    if "&" not in text and "<" not in text:
        return text
    text = _HTML_BREAK.sub("\n", text)
    return html.unescape(text) if _HTML_ENTITY.search(text) else text


def fix_literal_newlines(text: str) -> str:
    return text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\t", "\t")
