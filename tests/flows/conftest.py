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
    alpaca = [
        {"instruction": f"问题{i}：什么是第{i}个概念？", "input": "", "output": f"第{i}个概念的解释。"}
        for i in range(12)
    ]
    alpaca.append(dict(alpaca[0]))
    (raw / "alpaca.json").write_text(json.dumps(alpaca, ensure_ascii=False, indent=1), encoding="utf-8")
    chats = [
        {"conversations": [{"from": "human", "value": "你好"}, {"from": "gpt", "value": "你好！有什么可以帮你？"}]},
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
