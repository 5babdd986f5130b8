"""A small release and a tiny model, built locally once per session for the training tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ids import record_id
from pipeline.release import ReleaseRequest, publish
from pipeline.render import load_renderer
from pipeline.render import run as render
from schemas import Message, RecordMeta, RenderConfig, SftRecord, SourcePointer, StageCounts

QA = [
    ("中国的首都是哪里？", "北京。"),
    ("一年有几个季节？", "四个季节。"),
    ("水的化学式是什么？", "H2O。"),
    ("太阳从哪边升起？", "东边。"),
    ("一周有几天？", "七天。"),
    ("熊猫吃什么？", "竹子。"),
    ("长城在哪个国家？", "中国。"),
    ("一天有多少小时？", "二十四小时。"),
]


def build_release(out_dir: Path, tokenizer: Path, copies: int = 5) -> str:
    """A release of 40 records (8 questions, 5 wordings each) with every split filled."""
    records = []
    for copy in range(copies):
        for index, (question, answer) in enumerate(QA):
            messages = (
                Message(role="user", content=f"{question}（第{copy}问）"),
                Message(role="assistant", content=answer),
            )
            split = "validation" if index == 6 else "test" if index == 7 else "train"
            meta = RecordMeta(source=SourcePointer(file="qa", line=len(records) + 1), group=str(index), split=split)
            records.append(SftRecord(id=record_id(messages), messages=messages, meta=meta))
    rendered = render(records, RenderConfig(), load_renderer(str(tokenizer), RenderConfig())).kept
    request = ReleaseRequest(
        dataset="tiny", input_fingerprint="0" * 64, code_version="test", config={}, tokenizer=str(tokenizer),
        chat_template="chatml", input_count=len(records),
        stages=[StageCounts(stage="render", input=len(records), kept=len(rendered))], inputs=[],
    )  # fmt: skip
    publish(out_dir, request, rendered, [])
    return "tiny@v1"


@pytest.fixture(scope="session")
def tiny_release(tmp_path_factory: pytest.TempPathFactory, tiny_tokenizer: Path) -> tuple[Path, str]:
    releases = tmp_path_factory.mktemp("releases")
    return releases, build_release(releases, tiny_tokenizer)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, tiny_tokenizer: Path) -> Path:
    from pipeline.train.tiny_model import build_tiny_model

    return build_tiny_model(tiny_tokenizer, tmp_path_factory.mktemp("tiny-qwen2"))


@pytest.fixture
def train_config(tiny_release, tiny_model):
    from schemas.train import TrainConfig

    releases, ref = tiny_release

    def make(method: str = "lora", **training: object) -> TrainConfig:
        settings = {"max_steps": 6, "batch_size": 8, "learning_rate": 1e-2, "logging_steps": 1, "max_length": 128,
                    "warmup": 0, "save_steps": 3, "eval_steps": 3, **training}  # fmt: skip
        return TrainConfig(
            release=ref, releases_dir=str(releases), model=str(tiny_model), method=method, training=settings,
            lora={"r": 4, "alpha": 8}, adalora={"init_r": 6, "target_r": 2, "tinit": 1, "tfinal": 1},
            prompt={"num_virtual_tokens": 4, "encoder_hidden_size": 16},
            eval={"generation_samples": 2, "max_new_tokens": 4},
        )  # fmt: skip

    return make


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory, tiny_tokenizer: Path) -> Path:
    from pipeline.train.tiny_model import build_tiny_model

    return build_tiny_model(tiny_tokenizer, tmp_path_factory.mktemp("tiny-llama"), architecture="llama")
