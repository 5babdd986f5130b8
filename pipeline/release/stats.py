"""What the card and the report say about a release, gathered in the one pass that writes it.

Publishing streams the records into the split files and the rejections into the ledger; this
tally watches both and keeps only what the card and the report show: lengths as packed arrays,
counts by category and source, the members of near-duplicate clusters (a few named, the rest
counted), the first example of each rejection reason and three example records. So a release of
any size is described in memory proportional to its counts, never to its records.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from schemas import Rejection, SftRecord

SPLITS = ("train", "validation", "test")
MEASURES = ("chars", "words", "tokens")
EXAMPLES = 3
NAMED_MEMBERS = 3
_REPRESENTATIVE = re.compile(r"of ([0-9a-f]{16}) kept")


@dataclass
class Cluster:
    """A near-duplicate cluster: its size and its first members as (id, kept or rejected, where)."""

    size: int = 1
    named: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, member: tuple[str, str, str]) -> None:
        self.size += 1
        if len(self.named) < NAMED_MEMBERS:
            self.named.append(member)


@dataclass
class ReleaseStats:
    lengths: dict[str, dict[str, array]] = field(
        default_factory=lambda: {s: {m: array("q") for m in MEASURES} for s in SPLITS}
    )
    tokens: array = field(default_factory=lambda: array("q"))
    coverage: array = field(default_factory=lambda: array("d"))
    children: Counter = field(default_factory=Counter)
    by_category: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_source: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    clusters: dict[str, Cluster] = field(default_factory=dict)
    split_of_representative: dict[str, str] = field(default_factory=dict)
    rejection_examples: dict[str, str] = field(default_factory=dict)
    calls_tools: bool = False
    _first: list[SftRecord] = field(default_factory=list)
    _tool: SftRecord | None = None
    _multi_turn: SftRecord | None = None

    def add_record(self, record: SftRecord) -> None:
        meta, split = record.meta, record.meta.split or ""
        for measure in MEASURES:
            value = getattr(meta, measure)
            if value and split in self.lengths:
                self.lengths[split][measure].append(value)
        if meta.tokens:
            self.tokens.append(meta.tokens)
            self.coverage.append((meta.trained_tokens or 0) / meta.tokens)
        if meta.parent:
            self.children[meta.source.file] += 1
        self.by_category[meta.category or "-"][split] += 1
        self.by_source[meta.source.file][split] += 1
        if meta.cluster == record.id:
            self.split_of_representative[record.id] = split
        elif meta.cluster:
            self.clusters.setdefault(meta.cluster, Cluster()).add((record.id, "kept", split))
        tools = bool(record.tools) or any(m.tool_calls for m in record.messages)
        self.calls_tools = self.calls_tools or tools
        if tools and self._tool is None:
            self._tool = record
        if self._multi_turn is None and sum(m.role == "user" for m in record.messages) > 1:
            self._multi_turn = record
        if len(self._first) < EXAMPLES:
            self._first.append(record)

    def add_rejection(self, rejection: Rejection) -> None:
        reason = f"{rejection.stage}.{rejection.reason}"
        self.rejection_examples.setdefault(reason, f"{rejection.source}: {rejection.detail}"[:160])
        found = _REPRESENTATIVE.search(rejection.detail) if rejection.reason == "near_duplicate" else None
        if found:
            member = (rejection.record_id, "rejected", str(rejection.source))
            self.clusters.setdefault(found.group(1), Cluster()).add(member)

    @property
    def examples(self) -> list[SftRecord]:
        """A tool-calling record, a multi-turn one and plain ones, in file order, as far as they exist."""
        chosen: list[SftRecord] = []
        for record in (self._tool, self._multi_turn, *self._first):
            if record is not None and all(record.id != c.id for c in chosen) and len(chosen) < EXAMPLES:
                chosen.append(record)
        return chosen
