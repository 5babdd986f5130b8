"""Exports beside the messages JSONL, for trainers that read other formats.

alpaca and sharegpt follow LLaMA-Factory's data formats (data/README.md of hiyouga/LLaMA-Factory):
sharegpt keeps every conversation (tool calls as `function_call`, results as `observation`);
alpaca can hold only conversations of user/assistant turns (earlier turns go to `history`),
so tool conversations are left out of it and counted. `dataset_info.json` registers the
sharegpt files so LLaMA-Factory trains on the release folder as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pipeline.ids import json_text
from schemas import SftRecord

ROLE_TAGS = {"user": "human", "assistant": "gpt", "tool": "observation"}


def to_sharegpt(record: SftRecord) -> dict:
    system = record.messages[0].content if record.messages and record.messages[0].role == "system" else ""
    turns = []
    for message in record.messages[1 if system else 0 :]:
        if message.tool_calls:
            calls = [{"name": c.function.name, "arguments": c.function.arguments} for c in message.tool_calls]
            turns.append(
                {
                    "from": "function_call",
                    "value": json.dumps(calls[0] if len(calls) == 1 else calls, ensure_ascii=False),
                }
            )
        else:
            turns.append({"from": ROLE_TAGS[message.role], "value": message.content})
    return {"conversations": turns, "system": system, "tools": json_text(list(record.tools)) if record.tools else ""}


def to_alpaca(record: SftRecord) -> dict | None:
    messages = list(record.messages)
    system = messages.pop(0).content if messages and messages[0].role == "system" else ""
    if any(m.role not in ("user", "assistant") or m.tool_calls for m in messages):
        return None
    pairs = [(messages[i].content, messages[i + 1].content) for i in range(0, len(messages) - 1, 2)]
    *history, (instruction, output) = pairs
    return {
        "instruction": instruction,
        "input": "",
        "output": output,
        "system": system,
        "history": [list(p) for p in history],
    }


def write_exports(folder: Path, split: str, records: Iterable[SftRecord], formats: list[str]) -> dict[str, int]:
    """Write `<split>.<format>.json(l)` files; returns file name -> records written."""
    records = list(records)
    written = {}
    if "sharegpt" in formats:
        written[f"{split}.sharegpt.json"] = _write_json(folder / f"{split}.sharegpt.json", map(to_sharegpt, records))
    if "alpaca" in formats:
        rows = [row for row in map(to_alpaca, records) if row is not None]
        written[f"{split}.alpaca.json"] = _write_json(folder / f"{split}.alpaca.json", rows)
    if "text" in formats:
        path = folder / f"{split}.text.jsonl"
        path.write_text(
            "".join(json.dumps({"text": r.text}, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
        )
        written[path.name] = len(records)
    return written


def _write_json(path: Path, rows: Iterable[dict]) -> int:
    rows = list(rows)
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(rows)


def dataset_info(dataset: str, splits: list[str]) -> dict:
    """LLaMA-Factory's dataset registry entries, one per split, for the sharegpt files."""
    return {
        f"{dataset}_{split}": {
            "file_name": f"{split}.sharegpt.json",
            "formatting": "sharegpt",
            "columns": {"messages": "conversations", "system": "system", "tools": "tools"},
            "tags": {
                "role_tag": "from",
                "content_tag": "value",
                "user_tag": "human",
                "assistant_tag": "gpt",
                "observation_tag": "observation",
                "function_tag": "function_call",
            },
        }
        for split in splits
    }
