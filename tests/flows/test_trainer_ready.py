"""Releases a trainer can trust: leakage check, decontamination, capped splits, exports, lineage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.build import build_dataset_flow
from flows.cli import app
from pipeline.ids import record_id
from pipeline.release import ReleaseRefused, versions
from pipeline.split import assign
from schemas import Message, SplitConfig

SPLIT = SplitConfig(train=0.5, validation=0.25, test=0.25)


def write_config(tmp_path: Path, tokenizer: Path, sources: list[Path], extra: str = "") -> Path:
    """A run config; `extra` YAML may set its own `split:`, else the halves-and-quarters one applies."""
    lines = "".join(f"  - path: {s}\n" for s in sources)
    split = "" if "split:" in extra else "split: {train: 0.5, validation: 0.25, test: 0.25}\n"
    config = tmp_path / "run.yaml"
    config.write_text(
        f"dataset: ready\noutput_dir: {tmp_path / 'releases'}\nwork_dir: {tmp_path / 'work'}\n"
        f"tokenizer: {tokenizer}\nsources:\n{lines}{split}{extra}",
        encoding="utf-8",
    )
    return config


def rows(questions: list[str]) -> str:
    return "".join(
        json.dumps({"instruction": q, "output": f"这是关于“{q}”的一个详细回答，内容完整。"}, ensure_ascii=False) + "\n"
        for q in questions
    )


def topics() -> list[str]:
    return ["如何学习书法？", "怎样种植番茄？", "为什么天空是蓝色的？", "如何做红烧肉？", "怎样提高记忆力？",
            "长江有多长？", "如何选择跑鞋？", "熊猫吃什么？", "怎样写好简历？", "什么是光合作用？"]  # fmt: skip


def test_near_duplicates_across_splits_refuse_the_release(tmp_path: Path, tiny_tokenizer: Path) -> None:
    """Records that differ only in a phone number become twins once masked. Dedup resolves that
    (tests/flows/test_engine.py); with dedup switched off, the leakage check must stop the release."""
    candidates = [f"请记下我的电话1391234{n:04d}，谢谢。" for n in range(200)]

    def split_of(question: str) -> str:
        messages = (
            Message(role="user", content=question),
            Message(role="assistant", content=f"这是关于“{question}”的一个详细回答，内容完整。"),
        )
        return assign(record_id(messages), SPLIT)

    first = candidates[0]
    second = next(c for c in candidates if split_of(c) != split_of(first))
    source = tmp_path / "phones.jsonl"
    source.write_text(rows([first, second]), encoding="utf-8")
    config = write_config(tmp_path, tiny_tokenizer, [source], "dedup: {exact: false, near: {enabled: false}}\n")
    with pytest.raises(ReleaseRefused, match="near-duplicate pairs span two splits"):
        build_dataset_flow(str(config))
    assert versions(tmp_path / "releases", "ready") == []


def test_decontamination_caps_exports_report_and_lineage(tmp_path: Path, tiny_tokenizer: Path) -> None:
    benchmark = tmp_path / "cmmlu_like.csv"
    benchmark.write_text(
        "Question,A,B,C,D,Answer\n下列哪一项是中国古代四大发明之一的造纸术的改进者？,蔡伦,张衡,毕昇,祖冲之,A\n",
        encoding="utf-8",
    )
    source = tmp_path / "qa.jsonl"
    source.write_text(rows([*topics(), "请回答：下列哪一项是中国古代四大发明之一的造纸术的改进者？"]), encoding="utf-8")
    chats = tmp_path / "tools.jsonl"
    chats.write_text(
        json.dumps(
            {
                "conversations": [
                    {"from": "human", "value": "北京天气？"},
                    {"from": "function_call", "value": '{"name": "weather", "arguments": {"city": "北京"}}'},
                    {"from": "observation", "value": "晴"},
                    {"from": "gpt", "value": "北京今天晴。"},
                ],
                "tools": '[{"name": "weather"}]',
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    extra = (
        f"decontaminate: {{benchmarks: [{{path: {benchmark}}}]}}\n"
        "split: {train: 0.5, validation: 0.25, test: 0.25, max_test: 1, max_validation: 2}\n"
        "release: {exports: [alpaca, sharegpt, text], llamafactory: true}\n"
    )
    config = write_config(tmp_path, tiny_tokenizer, [source, chats], extra)

    result = build_dataset_flow(str(config))
    manifest, folder = result.manifest, result.release
    assert manifest.counts.rejected_by_reason == {"decontaminate.contaminated": 1}
    assert manifest.counts.by_split["test"] <= 1 and manifest.counts.by_split["validation"] <= 2
    assert manifest.checks["leakage"]["cross_split_pairs"] == 0
    assert manifest.checks["masks"]["records_without_trained_tokens"] == 0
    assert "Base model" in manifest.checks["template"]["reason"]

    info = json.loads((folder / "dataset_info.json").read_text(encoding="utf-8"))
    for split, count in manifest.counts.by_split.items():
        if not count:
            continue
        entry = info[f"ready_{split}"]
        sharegpt = json.loads((folder / entry["file_name"]).read_text(encoding="utf-8"))
        assert entry["formatting"] == "sharegpt" and len(sharegpt) == count
        released = [json.loads(line) for line in (folder / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]
        assert [c["conversations"][0]["value"] for c in sharegpt] == [r["messages"][0]["content"] for r in released]
        alpaca = json.loads((folder / f"{split}.alpaca.json").read_text(encoding="utf-8"))
        assert len(alpaca) == count - sum(1 for r in released if r["tools"])
        assert len((folder / f"{split}.text.jsonl").read_text(encoding="utf-8").splitlines()) == count
    sharegpt_files = [e["file_name"] for e in info.values() if e.get("formatting") == "sharegpt"]
    tool_rows = [c for name in sharegpt_files for c in json.loads((folder / name).read_text()) if c["tools"]]
    assert [t["from"] for t in tool_rows[0]["conversations"]] == ["human", "function_call", "observation", "gpt"]
    listed = {f.path for f in manifest.files}
    assert {"dataset_info.json", "report.html", "train.sharegpt.json", "train.alpaca.json"} <= listed

    report = (folder / "report.html").read_text(encoding="utf-8")
    for heading in (
        "各划分的长度分布",
        "按阶段与原因的拒绝",
        "近似重复簇",
        "划分均衡",
        "损失掩码覆盖率",
        "decontaminate.contaminated",
    ):
        assert heading in report
    assert report.count("<svg ") >= 3

    released = json.loads((folder / "train.jsonl").read_text(encoding="utf-8").splitlines()[0])
    shown = CliRunner().invoke(
        app, ["release", "show", "ready", "--record", released["id"][:10], "--output-dir", str(tmp_path / "releases")]
    )
    assert shown.exit_code == 0, shown.output
    assert f"record {released['id']} in train" in shown.output and "source: " in shown.output
    contaminated = json.loads((folder / "rejections.jsonl").read_text(encoding="utf-8").splitlines()[0])
    rejected = CliRunner().invoke(
        app, ["release", "show", "ready", "-r", contaminated["record_id"], "--output-dir", str(tmp_path / "releases")]
    )
    assert "rejected by decontaminate as contaminated" in rejected.output
