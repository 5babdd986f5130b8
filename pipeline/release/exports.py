"""Exports beside the messages JSONL, for trainers that read other formats.

alpaca and sharegpt follow LLaMA-Factory's data formats (data/README.md of hiyouga/LLaMA-Factory):
sharegpt keeps every conversation (tool calls as `function_call`, results as `observation`);
alpaca can hold only conversations of user/assistant turns (earlier turns go to `history`), so
tool conversations are left out of it, and the manifest and the card say how many. `text` is the
rendered training text, one `{"text"}` a line. `parquet` is the released records themselves, typed
with the card's features (`datasets.load_dataset("parquet", ...)` returns them as the JSONL does).

`dataset_info.json` registers every export with LLaMA-Factory, so `dataset_dir` can point at the
release folder: `<dataset>_<split>` (sharegpt), `<dataset>_<split>_alpaca`, `<dataset>_<split>_text`
(pre-training style, the `text` column) and `<dataset>_<split>_parquet`. LLaMA-Factory's sharegpt
reader takes a conversation's roles from one tag, so it cannot see `tool_calls` inside OpenAI-style
messages: a split whose records call tools keeps its Parquet file out of the registry (and says so),
rather than letting LLaMA-Factory train on assistant turns with their tool calls cut away.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline.ids import json_text
from pipeline.release.card import record_features
from schemas import SftRecord

FORMATS = ("alpaca", "sharegpt", "text", "parquet")
ROLE_TAGS = {"user": "human", "assistant": "gpt", "tool": "observation"}
SHAREGPT_TAGS = {
    "role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt",
    "observation_tag": "observation", "function_tag": "function_call",
}  # fmt: skip
OPENAI_TAGS = {
    "role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant",
    "system_tag": "system",
}  # fmt: skip


def export_files(split: str) -> dict[str, str]:
    """Export format -> the file it writes for `split`."""
    return {
        "sharegpt": f"{split}.sharegpt.json",
        "alpaca": f"{split}.alpaca.json",
        "text": f"{split}.text.jsonl",
        "parquet": f"{split}.parquet",
    }


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


def calls_tools(record: SftRecord) -> bool:
    return any(m.role == "tool" or m.tool_calls for m in record.messages)


def to_alpaca(record: SftRecord) -> dict | None:
    """The alpaca row, or None for a conversation alpaca cannot hold (tool calls or results)."""
    messages = list(record.messages)
    system = messages.pop(0).content if messages and messages[0].role == "system" else ""
    if calls_tools(record) or any(m.role not in ("user", "assistant") for m in messages):
        return None
    pairs = [(messages[i].content, messages[i + 1].content) for i in range(0, len(messages) - 1, 2)]
    *history, (instruction, output) = pairs
    return {
        "instruction": instruction,
        "input": "",
        "output": output,
        "system": system,
        "history": [list(p) for p in history],
        "tools": json_text(list(record.tools)) if record.tools else "",
    }


def write_exports(folder: Path, split: str, records: Iterable[SftRecord], formats: list[str]) -> dict[str, int]:
    """Write `<split>.<format>` files in one pass over the records; returns file name -> records written."""
    names = export_files(split)
    writers: dict[str, _Writer] = {}
    if "sharegpt" in formats:
        writers[names["sharegpt"]] = _JsonArray(folder / names["sharegpt"], to_sharegpt)
    if "alpaca" in formats:
        writers[names["alpaca"]] = _JsonArray(folder / names["alpaca"], to_alpaca)
    if "text" in formats:
        writers[names["text"]] = _Writer(folder / names["text"], lambda r: {"text": r.text})
    if "parquet" in formats:
        writers[names["parquet"]] = _Parquet(folder / names["parquet"])
    try:
        for record in records:
            for writer in writers.values():
                writer.write(record)
    finally:
        for writer in writers.values():
            writer.close()
    return {name: writer.count for name, writer in writers.items()}


class _Writer:
    """One JSONL export file, written a record at a time; `convert` may return None to leave a record out."""

    def __init__(self, path: Path, convert: Callable[[SftRecord], dict | None]) -> None:
        self.handle = path.open("w", encoding="utf-8")
        self.convert = convert
        self.count = 0

    def write(self, record: SftRecord) -> None:
        row = self.convert(record)
        if row is not None:
            self._write(row)
            self.count += 1

    def _write(self, row: dict) -> None:
        self.handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.handle.close()


class _JsonArray(_Writer):
    """A JSON array (what LLaMA-Factory reads), one element a line."""

    def _write(self, row: dict) -> None:
        self.handle.write(("[\n" if not self.count else ",\n") + json.dumps(row, ensure_ascii=False))

    def close(self) -> None:
        self.handle.write("\n]\n" if self.count else "[]\n")
        self.handle.close()


class _Parquet:
    """The records as Parquet with the card's features, so `datasets` reads the same types back;
    written in row groups, never all records at once."""

    ROWS = 1000

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict] = []
        self.writer = None
        self.count = 0

    def write(self, record: SftRecord) -> None:
        self.rows.append(record.model_dump(mode="json"))
        self.count += 1
        if len(self.rows) >= self.ROWS:
            self._flush()

    def _flush(self) -> None:
        import datasets
        import pyarrow.parquet as pq

        features = datasets.Features._from_yaml_list(record_features())  # the YAML form the card carries
        table = datasets.Dataset.from_list(self.rows, features=features).data.table
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table)
        self.rows = []

    def close(self) -> None:
        if self.rows or self.writer is None:
            self._flush()
        self.writer.close()


def _split_calls_tools(folder: Path, split: str) -> bool:
    path = folder / f"{split}.jsonl"
    with path.open(encoding="utf-8") as handle:
        return any(calls_tools(SftRecord.model_validate_json(line)) for line in handle if line.strip())


def dataset_info(folder: Path, dataset: str, splits: list[str], formats: list[str]) -> dict:
    """LLaMA-Factory's dataset registry entries for every export in `formats`."""
    entries: dict[str, dict] = {}
    for split in splits:
        files = export_files(split)
        if "sharegpt" in formats:
            entries[f"{dataset}_{split}"] = {
                "file_name": files["sharegpt"],
                "formatting": "sharegpt",
                "columns": {"messages": "conversations", "system": "system", "tools": "tools"},
                "tags": SHAREGPT_TAGS,
            }
        if "alpaca" in formats:
            entries[f"{dataset}_{split}_alpaca"] = {
                "file_name": files["alpaca"],
                "formatting": "alpaca",
                "columns": {"prompt": "instruction", "query": "input", "response": "output",
                            "system": "system", "history": "history", "tools": "tools"},
            }  # fmt: skip
        if "text" in formats:
            entries[f"{dataset}_{split}_text"] = {"file_name": files["text"], "columns": {"prompt": "text"}}
        if "parquet" in formats and not _split_calls_tools(folder, split):
            entries[f"{dataset}_{split}_parquet"] = {
                "file_name": files["parquet"],
                "formatting": "sharegpt",
                "columns": {"messages": "messages"},
                "tags": OPENAI_TAGS,
            }
    return entries


def export_checks(folder: Path, written: dict[str, int], by_split: dict[str, int]) -> dict:
    """`{"exports": ...}` for `manifest.checks`: what the exports leave out; empty without exports.

    `written` is file name -> records written; the registry is read from `folder` when written.
    """
    if not any(name in written for split in by_split for name in export_files(split).values()):
        return {}
    registry = folder / "dataset_info.json"
    listed = None
    if registry.exists():
        listed = {entry["file_name"] for entry in json.loads(registry.read_text(encoding="utf-8")).values()}
    notes, limitations = [], []
    alpaca = {split: export_files(split)["alpaca"] for split in by_split}
    dropped = {split: n - written[alpaca[split]] for split, n in by_split.items() if alpaca[split] in written}
    if any(dropped.values()):
        total = sum(dropped.values())
        where = ", ".join(f"{split} {n}" for split, n in dropped.items() if n)
        records = "1 record that calls" if total == 1 else f"{total} records that call"
        notes.append(f"The alpaca export leaves out {records} tools ({where}): alpaca has no tool turns; the "
                     "sharegpt and Parquet exports keep them.")  # fmt: skip
        limitations.append(f"`*.alpaca.json` lacks {records} tools.")
    unregistered = [s for s in by_split if listed is not None and export_files(s)["parquet"] in written
                    and export_files(s)["parquet"] not in listed]  # fmt: skip
    if unregistered:
        notes.append(f"`dataset_info.json` does not register the Parquet file of {', '.join(unregistered)}: its "
                     "records call tools, which LLaMA-Factory reads only from the sharegpt export.")  # fmt: skip
    return {"exports": {"alpaca_dropped_tool_records": dropped, "parquet_unregistered": unregistered,
                        "notes": notes, "limitations": limitations}}  # fmt: skip
