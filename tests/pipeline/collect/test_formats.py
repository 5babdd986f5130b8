from __future__ import annotations

import json

import pytest

from pipeline.collect.formats import RowProblem, detect_format, to_conversations
from schemas import ColumnMapping


def turns(row: object, fmt: str = "auto", columns: ColumnMapping | None = None) -> list[list[tuple]]:
    return [
        [
            (m.role, m.content, tuple((c.function.name, c.function.arguments) for c in m.tool_calls))
            for m in conv.messages
        ]
        for conv in to_conversations(row, fmt, columns)
    ]


def reason(row: object, fmt: str = "auto", columns: ColumnMapping | None = None) -> str:
    with pytest.raises(RowProblem) as caught:
        to_conversations(row, fmt, columns)
    return caught.value.reason


def test_alpaca_with_system_history_and_input() -> None:
    row = {
        "system": "你是助手。",
        "history": [["你好", "你好！"]],
        "instruction": "翻译",
        "input": "数据",
        "output": "data",
    }
    assert detect_format(row) == "alpaca"
    assert turns(row) == [
        [
            ("system", "你是助手。", ()),
            ("user", "你好", ()),
            ("assistant", "你好！", ()),
            ("user", "翻译\n数据", ()),
            ("assistant", "data", ()),
        ]
    ]


def test_alpaca_numbers_are_refused_and_empty_output_is_kept_for_normalize() -> None:
    assert reason({"instruction": "1+1=?", "output": 2}) == "wrong_type"  # not released as "2"
    assert turns({"instruction": "问", "output": ""})[0][1] == ("assistant", "", ())


def test_sharegpt_with_system_tools_and_function_call() -> None:
    row = {
        "system": "系统提示",
        "tools": json.dumps([{"name": "get_weather"}]),
        "conversations": [
            {"from": "human", "value": "上海天气？"},
            {"from": "function_call", "value": '{"name": "get_weather", "arguments": {"city": "上海"}}'},
            {"from": "observation", "value": '{"weather": "雨"}'},
            {"from": "gpt", "value": "下雨。"},
        ],
    }
    assert detect_format(row) == "sharegpt"
    [conversation] = to_conversations(row, "auto", None)
    assert conversation.tools == ({"name": "get_weather"},)
    assert turns(row)[0] == [
        ("system", "系统提示", ()),
        ("user", "上海天气？", ()),
        ("assistant", "", (("get_weather", {"city": "上海"}),)),
        ("tool", '{"weather": "雨"}', ()),
        ("assistant", "下雨。", ()),
    ]


def test_openai_messages_with_tool_calls_and_content_parts() -> None:
    row = {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "查"}, {"type": "text", "text": "天气"}]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"type": "function", "function": {"name": "w", "arguments": "{}"}}],
            },
            {"role": "tool", "content": "晴"},
            {"role": "assistant", "content": "晴天"},
        ]
    }
    assert detect_format(row) == "openai"
    assert turns(row)[0] == [
        ("user", "查天气", ()),
        ("assistant", "", (("w", {}),)),
        ("tool", "晴", ()),
        ("assistant", "晴天", ()),
    ]


def test_self_instruct_task_gives_one_conversation_per_instance() -> None:
    row = {
        "instruction": "造句",
        "instances": [{"input": "画蛇添足", "output": "句一"}, {"input": "守株待兔", "output": "句二"}],
    }
    assert detect_format(row) == "self_instruct"
    assert turns(row) == [
        [("user", "造句\n画蛇添足", ()), ("assistant", "句一", ())],
        [("user", "造句\n守株待兔", ()), ("assistant", "句二", ())],
    ]


def test_column_mapping_reads_any_column_names() -> None:
    columns = ColumnMapping(instruction="问题", output="回答")
    assert turns({"问题": "首都？", "回答": "北京。", "类别": "常识"}, columns=columns) == [
        [("user", "首都？", ()), ("assistant", "北京。", ())]
    ]
    assert reason({"问题": "首都？"}, columns=columns) == "missing_field"


@pytest.mark.parametrize(
    ("row", "fmt", "expected"),
    [
        ({"question": "q", "answer": "a"}, "auto", "unknown_format"),
        (["not", "an", "object"], "auto", "not_an_object"),
        ({"instruction": "q"}, "alpaca", "missing_field"),
        ({"instruction": ["q"], "output": "a"}, "alpaca", "wrong_type"),
        ({"instruction": "q", "output": "a", "history": "bad"}, "alpaca", "wrong_type"),
        ({"conversations": [{"from": "narrator", "value": "x"}]}, "auto", "unknown_role"),
        ({"conversations": [{"from": "function_call", "value": "{not json"}]}, "auto", "malformed_tool_call"),
        ({"conversations": [{"from": "human", "value": "q"}], "tools": "{bad"}, "auto", "malformed_tools"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "auto", "unknown_role"),
        ({"messages": [{"role": "user", "content": 5}]}, "auto", "wrong_type"),
        ({"text": "x"}, "sharegpt", "missing_field"),
        ({"instruction": "q", "instances": []}, "self_instruct", "missing_field"),
        ({"instruction": "q", "output": "a", "history": [[1, 2]]}, "alpaca", "wrong_type"),
        ({"instruction": "q", "output": "a", "system": ["s"]}, "alpaca", "wrong_type"),
        ({"instruction": "q", "output": 2.5}, "alpaca", "wrong_type"),
        ({"instruction": "q", "output": True}, "alpaca", "wrong_type"),
        ({"conversations": [{"from": 3, "value": "x"}]}, "auto", "wrong_type"),
        ({"conversations": [{"value": "x"}]}, "auto", "missing_field"),
        ({"conversations": "text"}, "sharegpt", "wrong_type"),
        ({"conversations": [{"from": "human", "value": "q"}], "tools": 5}, "auto", "malformed_tools"),
        ({"conversations": [{"from": "human", "value": "q"}], "tools": "[1]"}, "auto", "malformed_tools"),
        ({"conversations": [{"from": "function_call", "value": "[" * 100 + "]" * 100}]}, "auto", "too_deeply_nested"),
        (
            {"conversations": [{"from": "function_call", "value": '{"name": "f", "arguments": NaN}'}]},
            "auto",
            "malformed_tool_call",
        ),
        ({"messages": [{"role": None, "content": "x"}]}, "auto", "missing_field"),
        (
            {
                "messages": [
                    {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": [{"function": {"name": "f", "arguments": '{"a": "\\ud800"}'}}],
                    }
                ]
            },
            "auto",
            "lone_surrogate",
        ),
        (
            {
                "messages": [
                    {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": [{"function": {"name": "f", "arguments": {"when": b"bytes"}}}],
                    }
                ]
            },
            "auto",
            "malformed_tool_call",
        ),
        ({"instruction": "q", "instances": [{"input": "i", "output": 3}]}, "auto", "wrong_type"),
    ],
)
def test_bad_rows_have_reason_codes(row: object, fmt: str, expected: str) -> None:
    assert reason(row, fmt) == expected


def test_unknown_format_names_the_keys_it_saw() -> None:
    with pytest.raises(RowProblem, match="keys: answer, question"):
        to_conversations({"question": "q", "answer": "a"}, "auto", None)
