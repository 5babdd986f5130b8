"""The leakage check run before every release: no near-duplicate pair spans two splits.

It re-runs near-duplicate detection on what is about to be released, so it also catches pairs
that became alike after dedup (two records that differed only in a phone number, once masked).
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.dedup.near import find_near_duplicates
from schemas import NearDupConfig, SftRecord


def leakage_report(records: Iterable[SftRecord], config: NearDupConfig) -> dict:
    """Figures for the manifest: records checked, near-duplicate pairs, and those across splits."""
    records = list(records)
    texts = ["\n".join(m.content for m in r.messages if m.role != "system") for r in records]
    answers = [next((m.content for m in reversed(r.messages) if m.role == "assistant"), "") for r in records]
    pairs = find_near_duplicates(texts, answers, config) if len(records) > 1 else []
    crossing = [p for p in pairs if records[p.member].meta.split != records[p.representative].meta.split]
    return {
        "records": len(records),
        "threshold": config.threshold,
        "near_duplicate_pairs": len(pairs),
        "cross_split_pairs": len(crossing),
        "examples": [
            f"{records[p.member].id} ({records[p.member].meta.split}) ~ "
            f"{records[p.representative].id} ({records[p.representative].meta.split}), Jaccard {p.similarity:.2f}"
            for p in crossing[:5]
        ],
    }
