"""Multi-turn chats lose only their unanswered or empty exchanges, with lineage saying what was cut."""

from __future__ import annotations

from pipeline.normalize import run
from schemas import Message, NormalizeConfig, ToolCall, ToolFunction


def test_a_trailing_user_turn_is_cut_and_the_chat_kept(make_record) -> None:
    record = make_record(
        ("system", "你是一个乐于助人的助手。"),
        ("user", "推荐一本书？"),
        ("assistant", "推荐《活着》。"),
        ("user", "还有别的吗？"),
    )
    result = run([record], NormalizeConfig())
    assert result.counts.kept == 1
    kept = result.kept[0]
    assert [m.role for m in kept.messages] == ["system", "user", "assistant"]
    step = kept.meta.lineage[-1]
    assert (step.action, step.detail) == ("trimmed_exchanges", "message 4: user turn without an answer")


def test_an_empty_middle_exchange_is_dropped(make_record) -> None:
    record = make_record(
        ("user", "第一问：长城有多长？"),
        ("assistant", "两万多公里。"),
        ("user", "第二问"),
        ("assistant", "\u200b  "),  # only a zero-width space: empty once normalized
        ("user", "第三问：故宫在哪里？😀"),
        ("assistant", "在北京。"),
    )
    kept = run([record], NormalizeConfig()).kept[0]
    assert [m.content for m in kept.messages] == [
        "第一问：长城有多长？",
        "两万多公里。",
        "第三问：故宫在哪里？😀",
        "在北京。",
    ]
    assert kept.meta.lineage[-1].detail == "messages 3-4: empty answer"


def test_a_tool_call_without_an_answer_is_cut(make_record) -> None:
    record = make_record(("user", "今天北京天气？"), ("assistant", "晴，25℃。"), ("user", "上海呢？"))
    call = Message(
        role="assistant",
        content="",
        tool_calls=(ToolCall(function=ToolFunction(name="weather", arguments={"city": "上海"})),),
    )
    record = record.model_copy(
        update={"messages": (*record.messages, call, Message(role="tool", content='{"天气": "雨"}'))}
    )
    kept = run([record], NormalizeConfig()).kept[0]
    assert len(kept.messages) == 2 and "tool call without an answer" in kept.meta.lineage[-1].detail


def test_nothing_left_or_disorder_is_still_rejected(make_record) -> None:
    unanswered = make_record(("user", "只有一个问题"))
    empty = make_record(("user", "问题"), ("assistant", "   "))
    disorder = make_record(("user", "问"), ("user", "又问"), ("assistant", "答"), ("user", "再问"))
    result = run([unanswered, empty, disorder], NormalizeConfig())
    assert result.counts.rejected == {"ends_without_answer": 1, "empty_content": 1, "roles_out_of_order": 1}


def test_trimming_can_be_turned_off(make_record) -> None:
    record = make_record(("user", "问"), ("assistant", "答"), ("user", "没有回答的问题"))
    result = run([record], NormalizeConfig(trim_exchanges=False))
    assert result.counts.rejected == {"ends_without_answer": 1}
