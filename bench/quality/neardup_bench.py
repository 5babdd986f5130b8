"""Near-duplicate decisions against labelled pairs (bench/quality/neardup/).

Each pair goes through normalize and then dedup's own sketch and clustering, with the lines
that recur in the pair's source left out as dedup does within a shard (`common_lines.json`,
made from the source files by `make_pairs.py --common`). A pair is called a duplicate when the
second record joins the first one's cluster. Targets: precision and recall >= 95% on the
untuned part.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pipeline import normalize
from pipeline.dedup.near import Rows, cluster
from pipeline.dedup.sketch import sketch
from pipeline.ids import record_id
from schemas import Message, NearDupConfig, NormalizeConfig, RecordMeta, SftRecord, SourcePointer, ToolCall

HERE = Path(__file__).parent / "neardup"
TARGET = 0.95


def as_record(shown: dict) -> SftRecord:
    messages = tuple(
        Message(role=m["role"], content=m["content"], tool_calls=_calls(m)) for m in shown["messages"] if m["role"]
    )
    rid = record_id(messages)
    return SftRecord(id=rid, messages=messages, meta=RecordMeta(source=SourcePointer(file="pair"), group=rid))


def _calls(message: dict) -> tuple[ToolCall, ...]:
    if "tool_call" not in message:
        return ()
    try:
        call = json.loads(message["tool_call"])
    except json.JSONDecodeError:
        return ()
    return (ToolCall.model_validate({"function": {"name": call.get("name", ""), "arguments": call.get("arguments")}}),)


def judged(pair: dict, common: frozenset[str], config: NearDupConfig) -> bool:
    records = normalize.run([as_record(pair["a"]), as_record(pair["b"])], NormalizeConfig()).kept
    if len(records) < 2:
        return False
    return bool(cluster(Rows([sketch(records, config, common)]), config))


def run(parts: list[str], show: int) -> bool:
    pairs = [json.loads(line) for line in (HERE / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    labels_path = HERE / "labels.jsonl"
    if not labels_path.exists():
        print("no labels yet")
        return False
    labels = {r["id"]: r for r in map(json.loads, labels_path.read_text(encoding="utf-8").splitlines())}
    commons = json.loads((HERE / "common_lines.json").read_text(encoding="utf-8"))
    config = NearDupConfig()
    ok = True
    for part in parts:
        tally: Counter = Counter()
        by_kind: dict[str, Counter] = {}
        misses = []
        for pair in (p for p in pairs if p["part"] == part):
            gold = labels[pair["id"]]["verdict"] == "duplicate"
            called = judged(pair, frozenset(commons.get(pair["source"], ())), config)
            outcome = {(True, True): "tp", (False, True): "fp", (True, False): "fn", (False, False): "tn"}[gold, called]
            tally[outcome] += 1
            by_kind.setdefault(pair["kind"], Counter())[outcome] += 1
            if outcome in ("fp", "fn"):
                misses.append((outcome, pair, labels[pair["id"]]["why"]))
        precision = tally["tp"] / max(1, tally["tp"] + tally["fp"])
        recall = tally["tp"] / max(1, tally["tp"] + tally["fn"])
        print(f"-- {part}: {sum(tally.values())} pairs, {tally['tp'] + tally['fn']} duplicates by the labels")
        print(f"   precision {precision:.1%}  recall {recall:.1%}  (tp {tally['tp']} fp {tally['fp']} "
              f"fn {tally['fn']} tn {tally['tn']})")  # fmt: skip
        for kind, counts in sorted(by_kind.items()):
            print(f"   {kind:9s} " + " ".join(f"{k} {counts[k]}" for k in ("tp", "fp", "fn", "tn")))
        for outcome, pair, why in misses[:show]:
            a = pair["a"]["messages"][0]["content"][:50].replace("\n", " ")
            b = pair["b"]["messages"][0]["content"][:50].replace("\n", " ")
            print(f"   {outcome} {pair['id']} [{pair['kind']}] {a!r} / {b!r} — label: {why}")
        if part == "untuned":
            ok = precision >= TARGET and recall >= TARGET
    return ok
