"""Small releases published for the card, export and report tests: plain, multi-turn, tool-calling
and augmented records, with the stage counts balanced as the publisher requires."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.ids import record_id
from pipeline.release import Published, ReleaseRequest, publish
from schemas import (
    Message,
    RecordMeta,
    Rejection,
    SftRecord,
    SourcePointer,
    StageCounts,
    ToolCall,
    ToolFunction,
)

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "查询城市天气",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def record(*turns: Message, split: str, file: str, line: int, tools: tuple | None = None, parent: str | None = None):
    rid = record_id(turns, tools)
    meta = RecordMeta(source=SourcePointer(file=file, line=line), group=rid, split=split, tokens=10 + line,
                      trained_tokens=4, parent=parent)  # fmt: skip
    return SftRecord(id=rid, messages=turns, tools=tools, text="".join(m.content for m in turns), meta=meta)


def user(text: str) -> Message:
    return Message(role="user", content=text)


def assistant(text: str, *calls: tuple[str, dict]) -> Message:
    tool_calls = tuple(ToolCall(function=ToolFunction(name=name, arguments=args)) for name, args in calls)
    return Message(role="assistant", content=text, tool_calls=tool_calls)


def sample_records(source: str, topic: str = "北京") -> list[SftRecord]:
    """Train: plain, multi-turn and an augmented child; validation: plain; test: a tool call and a plain one."""
    plain = record(user(f"{topic}是哪个国家的城市？"), assistant("中国。"), split="train", file=source, line=1)
    return [
        plain,
        record(
            user(f"{topic}有什么好玩的？"),
            assistant("故宫和长城。"),
            user("长城远吗？"),
            assistant("一小时车程。"),
            split="train",
            file=source,
            line=2,
        ),
        record(
            user(f"{topic}是哪一国的城市？"), assistant("中国。"), split="train", file=source, line=1, parent=plain.id
        ),
        record(user(f"{topic}的简称是什么？"), assistant("京。"), split="validation", file=source, line=3),
        record(
            user(f"{topic}明天天气？"),
            assistant("", ("get_weather", {"city": topic, "days": [1]})),
            Message(role="tool", content='{"weather": "晴"}'),
            assistant(f"{topic}明天晴。"),
            split="test",
            file=source,
            line=4,
            tools=(WEATHER_TOOL,),
        ),
        record(user(f"{topic}在哪里？"), assistant("华北平原北部。"), split="test", file=source, line=5),
    ]


PublishRelease = Callable[..., Published]


@pytest.fixture
def publish_release() -> PublishRelease:
    """`publish_release(out_dir, dataset, records, config=..., exports=[...])` -> the published release."""

    def make(out_dir: Path, dataset: str, records: list[SftRecord], config: dict | None = None,
             exports: tuple[str, ...] = (), llamafactory: bool = False) -> Published:  # fmt: skip
        children = sum(1 for r in records if r.meta.parent)
        rejection = Rejection(record_id="0" * 16, stage="clean", reason="too_few_chars", detail="1 character",
                              source=SourcePointer(file=records[0].meta.source.file, line=9))  # fmt: skip
        parents = len(records) - children
        stages = [
            StageCounts(stage="clean", input=parents + 1, kept=parents, rejected={"too_few_chars": 1}),
            StageCounts(stage="augment", input=parents, added=children, kept=len(records)),
        ]
        request = ReleaseRequest(
            dataset=dataset, input_fingerprint="0" * 64, code_version="test", config=config or {"dataset": dataset},
            tokenizer="tiny", chat_template="chatml", input_count=parents + 1, stages=stages, inputs=[],
            exports=exports, llamafactory=llamafactory,
        )  # fmt: skip
        return publish(out_dir, request, records, [rejection])

    return make


@pytest.fixture
def make_sample() -> Callable[..., list[SftRecord]]:
    """`make_sample(source_file, topic)`: the records of `sample_records`."""
    return sample_records
