from __future__ import annotations

import pytest

from pipeline.normalize import run
from pipeline.normalize.roles import role_problem
from schemas import Message, NormalizeConfig, ToolCall, ToolFunction


def m(role: str, content: str = "内容", calls: int = 0) -> Message:
    return Message(
        role=role,
        content=content,
        tool_calls=tuple(ToolCall(function=ToolFunction(name="f", arguments={})) for _ in range(calls)),
    )


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([m("user"), m("assistant")], None),
        ([m("system"), m("user"), m("assistant"), m("user"), m("assistant")], None),
        ([m("user"), m("assistant", "", 1), m("tool"), m("tool"), m("assistant")], None),
        ([], "no_messages"),
        ([m("system")], "ends_without_answer"),
        ([m("user"), m("system"), m("assistant")], "system_not_first"),
        ([m("assistant"), m("user")], "roles_out_of_order"),
        ([m("user"), m("user"), m("assistant")], "roles_out_of_order"),
        ([m("user"), m("assistant"), m("assistant")], "roles_out_of_order"),
        ([m("user"), m("tool"), m("assistant")], "roles_out_of_order"),
        ([m("user"), m("assistant"), m("user")], "ends_without_answer"),
        ([m("user"), m("assistant", "", 1)], "ends_without_answer"),
        ([m("user"), m("assistant", "", 1), m("tool")], "ends_without_answer"),
    ],
)
def test_role_order(messages: list[Message], expected: str | None) -> None:
    problem = role_problem(messages)
    assert (problem[0] if problem else None) == expected


def test_role_problem_names_the_message() -> None:
    assert role_problem([m("user"), m("user"), m("assistant")]) == (
        "roles_out_of_order",
        "message 2 is user after user",
    )


def test_every_record_is_kept_or_rejected_with_a_reason(make_record) -> None:
    records = [
        make_record(("user", "１２＋３０等于多少？"), ("assistant", "４２")),
        make_record(("user", "问题"), ("assistant", "   ")),
        make_record(("assistant", "先回答"), ("user", "后提问")),
        make_record(
            ("user", "模型训练需要高质量的数据".encode().decode("cp1252", errors="ignore")), ("assistant", "答")
        ),
        make_record(("user", "乱码\ufffd"), ("assistant", "答")),
        make_record(("user", "问" * 50), ("assistant", "答" * 60)),
        make_record(("user", "什么是数据增强？".encode().decode("latin-1")), ("assistant", "生成新样本。")),
    ]
    result = run(records, NormalizeConfig(max_chars=100))
    assert result.counts.input == 7
    assert result.counts.kept == 2
    assert result.counts.rejected == {
        "empty_content": 1,
        "roles_out_of_order": 1,
        "mojibake": 1,
        "replacement_char": 1,
        "too_long_chars": 1,
    }
    folded, repaired = result.kept
    assert [x.content for x in folded.messages] == ["12+30等于多少？", "42"]
    assert [s.action for s in folded.meta.lineage] == ["folded_fullwidth"]
    assert repaired.messages[0].content == "什么是数据增强？"
    assert repaired.meta.lineage[0].action == "repaired_mojibake"
    assert all(r.stage == "normalize" and r.source.file == "t.jsonl" for r in result.rejections)


def test_options_switch_steps(make_record) -> None:
    record = make_record(("user", "漢字\\n簡體 &amp; ＡＢＣ"), ("assistant", "好的"))
    default = run([record], NormalizeConfig()).kept[0]
    assert default.messages[0].content == "漢字\\n簡體 & ABC"
    tuned = NormalizeConfig(
        to_simplified=True, fix_literal_newlines=True, unescape_html=False, fold_fullwidth_ascii=False
    )
    converted = run([record], tuned).kept[0]
    assert converted.messages[0].content == "汉字\n简体 &amp; ＡＢＣ"
    assert [s.action for s in converted.meta.lineage] == ["fixed_literal_newlines", "to_simplified"]


def test_tool_call_turn_without_text_is_not_empty(make_record) -> None:
    record = make_record(("user", "查天气"))
    calling = record.model_copy(
        update={"messages": (*record.messages, m("assistant", "", 1), m("tool", "晴"), m("assistant", "晴天"))}
    )
    assert run([calling], NormalizeConfig()).counts.kept == 1


def test_look_alike_ideographs_fold_as_dedup_folds_them(make_record) -> None:
    """One fold (pipeline/dedup/sketch.py) for normalize and dedup: the released text and the
    near-duplicate key agree, and decontamination sees 拼音, not 拼⾳."""
    from pipeline.dedup.sketch import fold

    record = make_record(
        ("user", "汉字的拼⾳输⼊码有哪些？"), ("assistant", "常见的有全拼、双拼和五笔，⾥⾯最⼤众的是全拼。")
    )
    folded = run([record], NormalizeConfig()).kept[0]
    assert folded.messages[0].content == "汉字的拼音输入码有哪些？"
    assert folded.messages[1].content == "常见的有全拼、双拼和五笔，里面最大众的是全拼。"
    assert "folded_cjk_variants" in [s.action for s in folded.meta.lineage]
    assert fold(folded.messages[0].content) == fold(record.messages[0].content)
