"""The leakage check run before every release: no near-duplicate pair spans two splits.

It is the final gate, not a repair: dedup runs after clean, on the text as released, and puts
every cluster in one split, so a pair across splits here means something changed a record after
dedup (an augmented child alike with a record of another split, a render policy that cut turns).
Records that did not change since dedup keep their sketches; only the others are sketched again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pipeline.dedup.near import Rows, pairs
from pipeline.dedup.sketch import Sketches, sketch
from schemas import NearDupConfig, SftRecord


def report(rows: Rows, splits: Sequence[str], config: NearDupConfig) -> dict:
    """Figures for the manifest: records checked, near-duplicate pairs, and those across splits."""
    found = pairs(rows, config) if len(rows) > 1 else []
    crossing = [p for p in found if splits[p.member] != splits[p.leader]]

    def name(row: int) -> str:
        table, local = rows.locate(row)
        return f"{table.ids[local]} ({splits[row]})"

    return {
        "records": len(rows),
        "threshold": config.threshold,
        "near_duplicate_pairs": len(found),
        "cross_split_pairs": len(crossing),
        "examples": [f"{name(p.member)} ~ {name(p.leader)}, Jaccard {p.similarity:.2f}" for p in crossing[:5]],
    }


def leakage_report(records: Iterable[SftRecord], config: NearDupConfig) -> dict:
    """The check over records in memory."""
    records = list(records)
    tables: list[Sketches] = [sketch(records, config)]
    return report(Rows(tables), [r.meta.split or "" for r in records], config)
