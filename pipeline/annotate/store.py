"""The append-only annotation store under data/annotations/<dataset>/.

`raw.jsonl` keeps every version of every annotation ever pulled, one line each, never
rewritten: an annotation edited in Label Studio appears again with its new `updated_at`.
`pushed.json` is the latest snapshot of which record keys the project holds (a record pushed
but not yet annotated is pending, not unreviewed).
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.annotate.decisions import Vote, vote_from
from pipeline.io import atomic_write_text


def append_raw(store: Path, rows: list[dict]) -> int:
    """Append the annotations not stored yet (same id and updated_at); returns how many."""
    store.mkdir(parents=True, exist_ok=True)
    raw = store / "raw.jsonl"
    seen = {(r["annotation"]["id"], r["annotation"].get("updated_at")) for r in _read(raw)}
    new = [r for r in rows if (r["annotation"]["id"], r["annotation"].get("updated_at")) not in seen]
    with raw.open("a", encoding="utf-8") as handle:
        for row in new:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(new)


def write_pushed(store: Path, keys: set[str]) -> None:
    store.mkdir(parents=True, exist_ok=True)
    atomic_write_text(store / "pushed.json", json.dumps(sorted(keys)) + "\n")


def load_pushed(store: Path) -> set[str]:
    path = store / "pushed.json"
    return set(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else set()


def load_votes(store: Path) -> list[Vote]:
    """The latest version of every stored annotation, as votes."""
    latest: dict[int, dict] = {}
    for row in _read(store / "raw.jsonl"):
        annotation = row["annotation"]
        current = latest.get(annotation["id"])
        if current is None or str(annotation.get("updated_at")) >= str(current["annotation"].get("updated_at")):
            latest[annotation["id"]] = row
    return [
        vote_from(row["key"], row["annotation"])
        for row in latest.values()
        if not row["annotation"].get("was_cancelled")
    ]


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
