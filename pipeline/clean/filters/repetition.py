"""Repeated n-grams and repeated lines: degenerate, looping or boilerplate responses.

After Gopher (Rae et al. 2021, table A1): a document is dropped when the characters covered by
duplicated n-grams exceed a share (0.10-0.15 for 5- to 10-grams of words) or duplicated lines
exceed 30%. Chinese has no spaces, so n-grams are of characters (10 characters is about 5-6
words); the share is set at 0.3 because answers with lists and tables repeat more than prose.
"""

from __future__ import annotations

from collections import Counter

from pipeline.clean.measure import reject, responses
from schemas import Rejection, SftRecord
from schemas.config import RepetitionParams


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
    for text in responses(record):
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
