"""Augmented children scored against blind labels: the share of good children per operation.

    python bench/quality.py --only augment_bench [--part tuned|untuned|both] [--show N]

bench/quality/augment/children.jsonl holds ~150 children made by the augment stage from real
records (augment/make_children.py); augment/labels.jsonl, when present, holds a reader's verdict
for each (good: fluent Chinese with the parent's meaning, so the parent's answer still fits;
augment/GUIDE.md). Target: >= 80% good per operation on the untuned part; an operation below it
stays off by default (schemas/config.py AugmentConfig.operations).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1].parent
sys.path.insert(0, str(ROOT))

from schemas import AugmentConfig  # noqa: E402

HERE = Path(__file__).parent / "augment"
TARGET = 0.80


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(parts: list[str], show: int) -> bool:
    children = read(HERE / "children.jsonl")
    labels_path = HERE / "labels.jsonl"
    if not labels_path.is_file():
        print(f"{len(children)} children in {HERE / 'children.jsonl'}: no labels yet ({labels_path.name} is absent)")
        return False
    labels = {label["id"]: label for label in read(labels_path)}
    defaults = set(AugmentConfig().operations)
    ok = True
    for part in parts:
        mine = [c for c in children if c["part"] == part and c["id"] in labels]
        by_operation: dict[str, list[dict]] = defaultdict(list)
        for child in mine:
            by_operation[child["operation"]].append(child)
        good = sum(labels[c["id"]]["verdict"] == "good" for c in mine)
        print(
            f"-- part {part}: {len(mine)} labelled children, {good / len(mine):.1%} good"
            if mine
            else f"-- {part}: none"
        )
        for operation, members in sorted(by_operation.items()):
            share = sum(labels[c["id"]]["verdict"] == "good" for c in members) / len(members)
            state = "on" if operation in defaults else "off"
            print(f"   {operation:8} {len(members):3} children  {share:6.1%} good  (default: {state})")
            if part == "untuned" and operation in defaults and share < TARGET:
                ok = False
        for child in [c for c in mine if labels[c["id"]]["verdict"] != "good"][: show if part == "tuned" else 0]:
            print(f"   bad {child['operation']}: {child['parent'][:50]!r} -> {child['child'][:50]!r} "
                  f"({labels[child['id']].get('why', '')})")  # fmt: skip
    return ok
