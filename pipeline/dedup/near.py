"""Near-duplicate clusters over sketches: MinHash-LSH proposes, exact Jaccard confirms.

Clustering is by leaders, in the order of the data: a record joins the first-come leader it is
alike with, or becomes a leader itself. Every member is confirmed against its leader, never
through a chain of members (A~B and B~C do not make A and C one cluster), and a record that a
later stage would reject never reaches this step, so a cluster's representative is always a
record that is released.

A pair is alike when the prompts are (Jaccard >= `near.threshold` of their shingles, see
sketch.py) and the answers are too (>= `near.answer_threshold`), the final answers of chats
included. Both, because a shared stock answer does not make "hello" and "who are you?" one
example, and a shared prompt does not make entailment and contradiction answers one example. The
final answer on its own, because branches of one chat share every turn but the last (OpenAssistant
ranks several last replies to one conversation): readers call them different examples, and the
shared turns alone made 7 of 8 wrong merges on round 2 of bench/quality/neardup. LSH proposes
candidates from the prompts' signatures at a lower threshold than the confirmation, so pairs just
above it are still proposed.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from pipeline.dedup.sketch import Sketches, jaccard
from schemas import NearDupConfig


@dataclass(frozen=True)
class Match:
    member: int
    leader: int
    similarity: float


class Rows:
    """Several sketch tables read as one, by global row number (tables stay where they are)."""

    def __init__(self, tables: Sequence[Sketches]) -> None:
        self.tables = list(tables)
        self.starts = [0]
        for table in self.tables:
            self.starts.append(self.starts[-1] + len(table))

    def __len__(self) -> int:
        return self.starts[-1]

    def locate(self, row: int) -> tuple[Sketches, int]:
        index = bisect.bisect_right(self.starts, row) - 1
        return self.tables[index], row - self.starts[index]

    def prompt(self, row: int) -> np.ndarray:
        table, local = self.locate(row)
        return table.prompt(local)

    def answer(self, row: int) -> np.ndarray:
        table, local = self.locate(row)
        return table.answer(local)

    def final(self, row: int) -> np.ndarray:
        table, local = self.locate(row)
        return table.final(local)

    def band(self, columns: slice) -> np.ndarray:
        """One band of every row's signature, as a 64-bit key per row (the tables stay mapped)."""
        parts = [np.ascontiguousarray(table.signatures[:, columns]) for table in self.tables if len(table)]
        if not parts:
            return np.zeros(0, dtype=np.uint64)
        values = np.concatenate(parts).astype(np.uint64)
        key = np.zeros(len(values), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for column in range(values.shape[1]):
                key = (key ^ values[:, column]) * np.uint64(0x100000001B3)
        return key


@cache
def bands(num_perm: int, threshold: float) -> tuple[int, int]:
    """(bands, rows) whose LSH curve best separates pairs below and above `threshold`.

    The false-positive area below the threshold and the false-negative area above it are
    weighed equally (the rule datasketch's MinHashLSH uses).
    """
    grid = np.linspace(0, 1, 201)
    best, choice = float("inf"), (1, num_perm)
    for b in range(1, num_perm + 1):
        r = num_perm // b
        curve = 1 - (1 - grid**r) ** b
        below, above = grid < threshold, grid >= threshold
        error = np.trapezoid(curve[below], grid[below]) + np.trapezoid(1 - curve[above], grid[above])
        if error < best:
            best, choice = error, (b, r)
    return choice


class Index:
    """LSH buckets, built band by band for all rows at once (numpy), keeping only shared buckets.

    Most buckets hold one row (a record like no other), and a record alone in every band can never
    be a candidate, so only the rows that share a bucket in some band are kept, with the buckets
    they share: memory follows the near-duplicates, not the records (a dictionary of every band
    key of every record took most of a 200,000-record build's memory).
    """

    def __init__(self, rows: Rows, config: NearDupConfig) -> None:
        count, size = bands(config.num_perm, max(0.1, config.threshold * 0.8))
        self.shared: dict[int, list[tuple[int, int]]] = {}
        for band in range(count):
            keys = rows.band(slice(band * size, (band + 1) * size))
            if not len(keys):
                continue
            _, bucket, sizes = np.unique(keys, return_inverse=True, return_counts=True)
            for row in np.flatnonzero(sizes[bucket] > 1).tolist():
                self.shared.setdefault(row, []).append((band, int(bucket[row])))
        self.members: dict[tuple[int, int], list[int]] = {}

    def candidates(self, row: int) -> set[int]:
        found: set[int] = set()
        for key in self.shared.get(row, ()):
            found.update(self.members.get(key, ()))
        return found

    def add(self, row: int) -> None:
        for key in self.shared.get(row, ()):
            self.members.setdefault(key, []).append(row)


def alike(rows: Rows, a: int, b: int, config: NearDupConfig) -> float | None:
    """The prompts' similarity when the prompts, the answers and the final answers are alike, else None."""
    similarity = jaccard(rows.prompt(a), rows.prompt(b))
    if similarity < config.threshold or jaccard(rows.answer(a), rows.answer(b)) < config.answer_threshold:
        return None
    if jaccard(rows.final(a), rows.final(b)) < config.answer_threshold:
        return None
    return similarity


def cluster(rows: Rows, config: NearDupConfig, skip: Iterable[int] = ()) -> dict[int, Match]:
    """For every row that joins a cluster, its leader; rows in `skip` take no part."""
    skipped = set(skip)
    index = Index(rows, config)
    matches: dict[int, Match] = {}
    for row in sorted(index.shared):
        if row in skipped:
            continue
        best: Match | None = None
        for leader in sorted(index.candidates(row)):
            similarity = alike(rows, row, leader, config)
            if similarity is not None and (best is None or similarity > best.similarity):
                best = Match(row, leader, round(similarity, 3))
        if best is None:
            index.add(row)
        else:
            matches[row] = best
    return matches


def pairs(rows: Rows, config: NearDupConfig) -> list[Match]:
    """Every alike pair (each row against every earlier row), for checks that need them all."""
    index = Index(rows, config)
    found = []
    for row in sorted(index.shared):
        for other in sorted(index.candidates(row)):
            similarity = alike(rows, row, other, config)
            if similarity is not None:
                found.append(Match(row, other, round(similarity, 3)))
        index.add(row)
    return found
