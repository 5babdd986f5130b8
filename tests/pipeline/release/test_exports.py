"""Exports: Parquet with the card's types, every export in dataset_info.json, and what alpaca leaves out said."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.release import load_manifest
from pipeline.release.exports import to_alpaca, to_sharegpt

EXPORTS = ("alpaca", "sharegpt", "text", "parquet")


def test_every_export_is_registered_and_what_alpaca_drops_is_said(tmp_path: Path, publish_release, make_sample) -> None:
    published = publish_release(tmp_path, "demo", make_sample("s.jsonl"), exports=EXPORTS, llamafactory=True)
    folder = published.path
    info = json.loads((folder / "dataset_info.json").read_text(encoding="utf-8"))
    for split in ("train", "validation", "test"):
        assert info[f"demo_{split}"]["file_name"] == f"{split}.sharegpt.json"
        assert info[f"demo_{split}_alpaca"]["formatting"] == "alpaca"
        assert info[f"demo_{split}_text"] == {"file_name": f"{split}.text.jsonl", "columns": {"prompt": "text"}}
    assert info["demo_train_parquet"]["tags"]["role_tag"] == "role"
    assert "demo_test_parquet" not in info  # its tool calls would be invisible to LLaMA-Factory's sharegpt reader
    for entry in info.values():
        assert (folder / entry["file_name"]).is_file()

    exports = load_manifest(folder).checks["exports"]
    assert exports["alpaca_dropped_tool_records"] == {"train": 0, "validation": 0, "test": 1}
    assert exports["parquet_unregistered"] == ["test"]
    assert len(json.loads((folder / "test.alpaca.json").read_text(encoding="utf-8"))) == 1
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "The alpaca export leaves out 1 record that calls tools (test 1)" in card
    assert "`*.alpaca.json` lacks 1 record that calls tools." in card
    assert "does not register the Parquet file of test" in card


def test_parquet_reads_back_as_the_jsonl_does(tmp_path: Path, publish_release, make_sample) -> None:
    import datasets

    folder = publish_release(tmp_path, "demo", make_sample("s.jsonl"), exports=("parquet",)).path
    jsonl = [json.loads(line) for line in (folder / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    parquet = datasets.load_dataset(
        "parquet", data_files={"test": str(folder / "test.parquet")}, cache_dir=str(tmp_path / "cache")
    )["test"]
    assert parquet.features["messages"] == datasets.List(datasets.Json())
    assert parquet[0]["messages"] == jsonl[0]["messages"] and parquet[0]["tools"] == jsonl[0]["tools"]
    assert parquet[1]["meta"]["source"]["line"] == jsonl[1]["meta"]["source"]["line"] == 5
    assert load_manifest(folder).checks["exports"]["parquet_unregistered"] == []  # no registry was asked for


def test_alpaca_keeps_history_and_offered_tools_and_refuses_tool_turns(make_sample) -> None:
    plain, multi, _, _, tools, _ = make_sample("s.jsonl")
    row = to_alpaca(multi)
    assert row["history"] == [["北京有什么好玩的？", "故宫和长城。"]] and row["instruction"] == "长城远吗？"
    assert to_alpaca(tools) is None and to_alpaca(plain)["tools"] == ""
    offered = plain.model_copy(update={"tools": tools.tools})
    assert json.loads(to_alpaca(offered)["tools"])[0]["function"]["name"] == "get_weather"
    turns = to_sharegpt(tools)["conversations"]
    assert [t["from"] for t in turns] == ["human", "function_call", "observation", "gpt"]
    assert json.loads(turns[1]["value"]) == {"name": "get_weather", "arguments": {"city": "北京", "days": [1]}}
