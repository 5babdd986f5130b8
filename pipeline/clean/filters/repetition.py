"""Repeated n-grams and repeated lines: degenerate, looping or boilerplate responses.

After Gopher (Rae et al. 2021, table A1): a document is dropped when the characters covered by
duplicated n-grams exceed a share (0.10-0.15 for 5- to 10-grams of words) or duplicated lines
exceed 30%. Chinese has no spaces, so n-grams are of characters (10 characters is about 5-6
words). SFT answers are not web pages: a budget list repeats "按照月收入的…计算" on every line
and a SQL answer shows two variants of one query, so with Gopher's shares 46 of 2,700 real
answers (alpaca_zh_demo, glaive) were refused although they are good. Code blocks and lines
without two letters (table borders, arrows) are left out of the measure, and the shares are
0.5: a looping answer ("加油加油…", one sentence ten times) measures 0.9 or more.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.clean.measure import reject, responses, without_code
from schemas import Rejection, SftRecord
from schemas.config import RepetitionParams

_LETTER = re.compile(r"[^\W\d_]")


def prose(text: str) -> str:
    """The text without code blocks and without lines of fewer than two letters."""
    lines = without_code(text).splitlines()
    return "\n".join(line for line in lines if len(_LETTER.findall(line)) >= 2)


def duplicated_ngram_share(text: str, n: int) -> float:
    """Share of characters covered by n-grams that occur more than once."""
    compact = "".join(text.split())
    if len(compact) < n:
        return 0.0
    grams = [compact[i : i + n] for i in range(len(compact) - n + 1)]
    counts = Counter(grams)
    covered = [False] * len(compact)
    for start, gram in enumerate(grams):
        if counts[gram] > 1:
            covered[start : start + n] = [True] * n
    return sum(covered) / len(compact)


def duplicated_line_share(text: str) -> float:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return 0.0
    counts = Counter(lines)
    return sum(c for c in counts.values() if c > 1) / len(lines)


def check(record: SftRecord, params: RepetitionParams) -> Rejection | None:
    for text in map(prose, responses(record)):
        if len(text) < params.min_chars:
            continue
        lines = duplicated_line_share(text)
        if lines > params.max_line_share:
            return reject(record, "repeated_lines", f"{lines:.0%} of lines repeat (max {params.max_line_share:.0%})")
        grams = duplicated_ngram_share(text, params.ngram)
        if grams > params.max_ngram_share:
            return reject(
                record,
                "repeated_ngrams",
                f"{grams:.0%} of characters in repeated {params.ngram}-grams (max {params.max_ngram_share:.0%})",
            )
    return None
