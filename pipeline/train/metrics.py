"""Generation metrics over jieba words, the usual practice for Chinese (no spaces to split on).

ROUGE-L: F-measure of the longest common subsequence (Lin 2004). BLEU-4: geometric mean of
1- to 4-gram precisions with a brevity penalty (Papineni et al. 2002), with add-one smoothing
of the higher orders (Lin and Och 2004, "smoothing 2") so short answers do not score zero.
Exact match compares answers with punctuation, spaces and case removed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_NOT_WORD = re.compile(r"[^\w]+")


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    if not candidate or not reference:
        return 0.0
    common = lcs_length(candidate, reference)
    if not common:
        return 0.0
    precision, recall = common / len(candidate), common / len(reference)
    return 2 * precision * recall / (precision + recall)


def bleu4(candidate: Sequence[str], reference: Sequence[str]) -> float:
    if not candidate or not reference:
        return 0.0
    log_sum = 0.0
    for n in range(1, 5):
        grams = Counter(tuple(candidate[i : i + n]) for i in range(len(candidate) - n + 1))
        ref = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
        matched, total = sum((grams & ref).values()), max(sum(grams.values()), 0)
        if n > 1:
            matched, total = matched + 1, total + 1
        if not matched or not total:
            return 0.0
        log_sum += math.log(matched / total) / 4
    brevity = 1.0 if len(candidate) > len(reference) else math.exp(1 - len(reference) / len(candidate))
    return brevity * math.exp(log_sum)


def exact_match(candidate: str, reference: str) -> bool:
    return _NOT_WORD.sub("", candidate).lower() == _NOT_WORD.sub("", reference).lower()
