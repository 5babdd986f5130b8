"""One Prefect test harness (an ephemeral API on a temporary database) for every flow test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import flows  # noqa: F401  (Prefect's offline defaults, before Prefect is imported)


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


def jsonl(rows: list[object]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


@pytest.fixture
def collection(tmp_path: Path, tiny_tokenizer: Path) -> Path:
    """A small raw collection with the usual faults, and a run config pointing at it."""
    raw = tmp_path / "raw"
    raw.mkdir()
    pairs = [
        ("中国的首都是哪里？", "中国的首都是北京。"),
        ("一年有几个季节？", "一年有春、夏、秋、冬四个季节。"),
        ("水的化学式是什么？", "水的化学式是 H2O，由两个氢原子和一个氧原子组成。"),
        ("光在真空中的速度约是多少？", "约为每秒三十万公里。"),
        ("“三人行，必有我师焉”出自哪里？", "出自《论语·述而》。"),
        ("什么是监督微调？", "在预训练模型上用指令与回答对继续训练的方法。"),
        ("解释一下过拟合。", "模型记住了训练数据的噪声，在新数据上表现变差。"),
        ("推荐一种学习外语的方法。", "每天坚持听说读写，并找机会和母语者交流。"),
        ("如何保持身体健康？", "规律作息，均衡饮食，每周运动三次以上。"),
        ("列出三种常见的水果。", "苹果、香蕉和橙子。"),
        ("地球绕太阳一周需要多久？", "大约三百六十五天又六小时。"),
        ("长城大约有多长？", "明长城全长约八千八百五十公里。"),
    ]
    alpaca = [{"instruction": q, "input": "", "output": a} for q, a in pairs]
    alpaca.append(dict(alpaca[0]))
    (raw / "alpaca.json").write_text(json.dumps(alpaca, ensure_ascii=False, indent=1), encoding="utf-8")
    chats = [
        {
            "conversations": [
                {"from": "human", "value": "推荐一本入门书"},
                {"from": "gpt", "value": "可以读《机器学习》。"},
            ]
        },
        {"conversations": [{"from": "gpt", "value": "先回答"}, {"from": "human", "value": "后提问"}]},
    ]
    (raw / "chats.jsonl").write_text(jsonl(chats) + '{"conversations": [\n', encoding="utf-8")
    (raw / "faq.md").write_text("## 什么是SFT？\n监督微调。\n\n## 什么是LoRA？\n低秩适配。\n", encoding="utf-8")
    (raw / "faq.csv").write_bytes("问题,回答\n中国的首都是哪里？,北京。\n".encode("gb18030"))
    (raw / "junk.json").write_bytes(bytes(range(0x80, 0x100)) * 4)
    config = tmp_path / "run.yaml"
    config.write_text(
        f"""dataset: toy
output_dir: {tmp_path / "releases"}
work_dir: {tmp_path / "work"}
tokenizer: {tiny_tokenizer}
collect: {{shard_size: 5}}
sources:
  - path: {raw / "alpaca.json"}
  - path: {raw / "chats.jsonl"}
  - path: {raw / "faq.md"}
  - path: {raw / "faq.csv"}
    columns: {{instruction: 问题, output: 回答}}
  - path: {raw / "junk.json"}
split: {{train: 0.6, validation: 0.2, test: 0.2}}
""",
        encoding="utf-8",
    )
    return config
