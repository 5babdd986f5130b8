"""Near-duplicate clusters: MinHash-LSH over character n-grams of folded text.

Folding makes trivially different texts equal before hashing: traditional to simplified
(OpenCC), full-width to ASCII, lower case, punctuation and spaces removed. Character bigrams
suit short Chinese texts: a 1-2 character edit of a 20-60 character sentence changes only 2-4
of its bigrams, so the pair stays above Jaccard 0.5, while unrelated sentences on the same
topic share few bigrams (the labelled pairs in tests/pipeline/dedup/test_near.py tune this).
LSH proposes candidates; each candidate pair is confirmed on exact Jaccard, so the threshold
means what it says. The answers must be alike too: templated tasks (an NLI prompt asked three
times of one premise, with entailment, neutral and contradiction as answers) share most of
their text but are different examples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex

from schemas import NearDupConfig

_KEEP = regex.compile(r"[\p{L}\p{N}]+")
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def folder() -> Callable[[str], str]:
    import opencc

    to_simplified = opencc.OpenCC("t2s").convert

    def fold(text: str) -> str:
        return "".join(_KEEP.findall(to_simplified(text.translate(_WIDTH)).lower()))

    return fold


def shingles(text: str, n: int) -> set[str]:
    if len(text) <= n:
        return {text} if text else set()
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass(frozen=True)
class Pair:
    member: int
    representative: int
    similarity: float


def find_near_duplicates(texts: Sequence[str], answers: Sequence[str], config: NearDupConfig) -> list[Pair]:
    """For each text that belongs to a cluster (other than its first member), the first member.

    Clusters are the connected components of confirmed pairs; the representative is the
    earliest text of its component, so the choice is deterministic and follows source order.
    """
    from datasketch import MinHash, MinHashLSH

    fold = folder()
    sets = [shingles(fold(text), config.ngram) for text in texts]
    answer_sets = [shingles(fold(answer), config.ngram) for answer in answers]
    encoded = [[s.encode("utf-8") for s in shingle_set] or [b""] for shingle_set in sets]
    hashes = MinHash.bulk(encoded, num_perm=config.num_perm, seed=config.seed)
    # LSH only proposes candidates: a lower threshold there keeps pairs just above the real one
    lsh = MinHashLSH(threshold=max(0.1, config.threshold * 0.8), num_perm=config.num_perm)
    parent = list(range(len(texts)))
    best: dict[int, float] = {}
    for index, minhash in enumerate(hashes):
        for other in lsh.query(minhash):
            similarity = jaccard(sets[index], sets[other])
            if similarity >= config.threshold and jaccard(answer_sets[index], answer_sets[other]) >= config.threshold:
                _union(parent, index, other)
                best[index] = max(best.get(index, 0.0), similarity)
        lsh.insert(index, minhash)
    pairs = []
    for index in range(len(texts)):
        root = _find(parent, index)
        if root != index:
            pairs.append(Pair(index, root, round(best.get(index, config.threshold), 3)))
    return pairs


def _find(parent: list[int], node: int) -> int:
    while parent[node] != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node


def _union(parent: list[int], a: int, b: int) -> None:
    root_a, root_b = _find(parent, a), _find(parent, b)
    if root_a != root_b:
        parent[max(root_a, root_b)] = min(root_a, root_b)
