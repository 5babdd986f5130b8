"""Shared fixtures: a private Hugging Face cache, a tokenizer trained in the session, and a record factory."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def _private_caches() -> Path:
    """Point the Hugging Face caches and Prefect's home at a temporary folder before anything
    imports their libraries.

    `datasets` and `huggingface_hub` read these variables once, at import time, and `datasets` keys
    its cache of a local folder on the folder's name: without this the suite would fill the user's
    own cache, and a later `load_dataset` of a user's release could return test rows. Prefect writes
    into its home (`memo_store.toml`), and `flows` would use a server the user keeps there (`sft
    prefect up`). It runs when pytest imports this file, the first conftest, before the conftests
    below it import transformers or flows.
    """
    root = Path(tempfile.mkdtemp(prefix="sft-tests-caches-"))
    os.environ["HF_HOME"] = str(root / "home")
    os.environ["HF_DATASETS_CACHE"] = str(root / "datasets")
    os.environ["PREFECT_HOME"] = str(root / "prefect")
    os.environ.pop("PREFECT_API_URL", None)
    return root


PRIVATE_ROOT = _private_caches()

from collections.abc import Callable, Iterator  # noqa: E402  (after the caches are set)

import pytest  # noqa: E402

from pipeline.ids import record_id  # noqa: E402
from schemas import Message, RecordMeta, SftRecord, SourcePointer  # noqa: E402


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(PRIVATE_ROOT, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def hf_cache() -> Iterator[Path]:
    """The session's private `HF_DATASETS_CACHE`; fails if a library read the caches before it was set
    (or a test moved them, Prefect's home included)."""
    import datasets
    import huggingface_hub.constants

    for name in ("HF_HOME", "HF_DATASETS_CACHE", "PREFECT_HOME"):
        assert os.environ[name].startswith(str(PRIVATE_ROOT)), f"{name} was changed during the session"
    assert Path(datasets.config.HF_DATASETS_CACHE).is_relative_to(PRIVATE_ROOT), "datasets was imported before conftest"
    assert Path(huggingface_hub.constants.HF_HOME).is_relative_to(PRIVATE_ROOT), "huggingface_hub was imported first"
    yield Path(datasets.config.HF_DATASETS_CACHE)


# Short original Chinese and English texts, enough for a byte-level BPE to learn common pieces.
TOKENIZER_TEXTS = [
    "监督微调是在预训练模型的基础上，用指令与回答对继续训练。",
    "数据质量比数据数量更重要。Data quality matters more than quantity.",
    "中文分词工具有 jieba、THULAC 和 pkuseg。",
    "北京是中国的首都，长城是古代的军事防御工程。",
    "你好！我是一个中文助手，可以回答问题、写作和翻译。",
    "def f(x):\n    return x + 1\n",
] * 20


@pytest.fixture(scope="session")
def tiny_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.render.tiny_tokenizer import build_tiny_tokenizer

    return build_tiny_tokenizer(TOKENIZER_TEXTS, tmp_path_factory.mktemp("tiny-zh"), vocab_size=800)


MakeRecord = Callable[..., SftRecord]


@pytest.fixture
def make_record() -> MakeRecord:
    """`make_record(("user", "问"), ("assistant", "答"), line=3)` -> an SftRecord."""

    def factory(*turns: tuple[str, str], file: str = "t.jsonl", line: int = 1, group: str | None = None) -> SftRecord:
        messages = tuple(Message(role=role, content=content) for role, content in turns)
        rid = record_id(messages)
        meta = RecordMeta(source=SourcePointer(file=file, line=line), group=group or rid)
        return SftRecord(id=rid, messages=messages, meta=meta)

    return factory


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def poems() -> dict:
    """Tang poems in traditional and simplified script (tests/fixtures/README.md)."""
    import json

    return json.loads((FIXTURES / "tang_poems.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def segmenter():
    from pipeline.segment import load_segmenter
    from schemas import SegmentConfig

    return load_segmenter(SegmentConfig())


@pytest.fixture
def make_segmented(make_record, segmenter) -> MakeRecord:
    """Like make_record, with segments, as records reach clean and augment."""
    from pipeline.segment import segment_record

    def factory(*turns: tuple[str, str], **options: object) -> SftRecord:
        return segment_record(make_record(*turns, **options), segmenter)

    return factory
