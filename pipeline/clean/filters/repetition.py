"""Repeated n-grams and repeated lines: degenerate, looping or boilerplate responses.

After Gopher (Rae et al. 2021, table A1): a document is dropped when the characters covered by
duplicated n-grams exceed a share (0.10-0.15 for 5- to 10-grams of words) or duplicated lines
exceed 30%. Chinese has no spaces, so n-grams are of tokens: a Han character or a Latin word
(10 Han characters are about 5-6 words; counting Latin letters as characters made "Google
Analytics API" said three times in a Chinese answer a repetition). SFT answers are not web
pages: a budget list repeats "按照月收入的…计算" on every line and a SQL answer shows two
variants of one query, so with Gopher's shares 46 of 2,700 real
answers (alpaca_zh_demo, glaive) were refused although they are good. Each response is measured
on its prose (measure.py: no code, math, tables, links or list lines, which repeat on purpose),
lines without two letters (table borders, arrows) are left out, and the shares are 0.5: a
looping answer ("加油加油…", one sentence ten times) measures 0.9 or more.
"""

from __future__ import annotations

from collections import Counter

import regex

from pipeline.clean.measure import Measures
from schemas import Rejection
from schemas.config import RepetitionParams

_LETTER = regex.compile(r"[^\W\d_]")
_TOKEN = regex.compile(r"\p{Han}|[\p{Latin}\p{N}_]+")


def lettered_lines(text: str) -> str:
    """The text without lines of fewer than two letters."""
    return "\n".join(line for line in text.splitlines() if len(_LETTER.findall(line)) >= 2)


def tokens(text: str) -> list[str]:
    """Han characters and Latin/digit words: n-grams of these count words in both scripts."""
    return _TOKEN.findall(text)


def duplicated_ngram_share(text: str, n: int) -> float:
    """Share of tokens covered by n-grams of tokens that occur more than once."""
    units = tokens(text)
    if len(units) < n:
        return 0.0
    grams = [tuple(units[i : i + n]) for i in range(len(units) - n + 1)]
    counts = Counter(grams)
    covered = [False] * len(units)
    for start, gram in enumerate(grams):
        if counts[gram] > 1:
            covered[start : start + n] = [True] * n
    return sum(covered) / len(units)


def duplicated_line_share(text: str) -> float:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return 0.0
    counts = Counter(lines)
    return sum(c for c in counts.values() if c > 1) / len(lines)


def check(m: Measures, params: RepetitionParams) -> Rejection | None:
    for text in (lettered_lines(r.prose) for r in m.responses):
        if len(text) < params.min_chars:
            continue
        lines = duplicated_line_share(text)
        if lines > params.max_line_share:
            return m.reject("repeated_lines", f"{lines:.0%} of lines repeat (max {params.max_line_share:.0%})")
        grams = duplicated_ngram_share(text, params.ngram)
        if grams > params.max_ngram_share:
            return m.reject(
                "repeated_ngrams",
                f"{grams:.0%} of tokens in repeated {params.ngram}-grams (max {params.max_ngram_share:.0%})",
            )
    return None
