"""Symbol and punctuation ratio of each response's prose: markup debris, emoticon spam.

Gopher drops documents with a symbol-to-word ratio above 0.1 for '#' and '...'; counting every
non-letter, non-digit character is broader, so the default limit is 0.4 of the characters:
ordinary Chinese prose has 10-15% punctuation. Measured per response on its prose (measure.py):
code, LaTeX, tables, URLs and lists are symbol-heavy on purpose (the gold set's tuned part had
an ASCII flowchart and a code explanation refused at 46-53%), and lines without two letters
(a diagram, guitar tabs, an ASCII drawing the user asked for) are drawings, not debris.

Off by default: none of the gold set's 1,099 records is labelled `garbage`, and what the ratio
finds in this kind of data is structure written without Markdown: of its rejections on the
tuned part (2) both were answers wrong for other reasons (a list of quoted password strings, a
nested Excel formula), and of those on 2,600 unlabelled records of the same sources (tuned by
the same hash, read by hand) all 4 were right answers (a JSON object, an XML-to-JSON conversion,
binomial expansions with escaped `\\*`, a key-value table); on the untuned part of the first
round its one rejection was wrong. Turn it on (max 0.4) for scraped web text, where symbol soup
is common.
"""

from __future__ import annotations

import re

from pipeline.clean.measure import SYMBOL, Measures
from schemas import Rejection
from schemas.config import SymbolRatioParams

_LETTER = re.compile(r"[^\W\d_]")


def check(m: Measures, params: SymbolRatioParams) -> Rejection | None:
    for response in m.responses:
        lines = [line for line in response.prose.splitlines() if len(_LETTER.findall(line)) >= 2]
        text = "".join("".join(lines).split())
        if len(text) < params.min_chars:
            continue
        ratio = len(SYMBOL.findall(text)) / len(text)
        if ratio > params.max_ratio:
            return m.reject("too_many_symbols", f"{ratio:.0%} symbols (max {params.max_ratio:.0%})")
    return None
