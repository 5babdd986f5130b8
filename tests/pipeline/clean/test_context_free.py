import pytest

from pipeline.clean.filters import context_free
from schemas.config import ContextFreeParams


@pytest.mark.parametrize("instruction", ["好的！", "谢谢。", "OK", "ｏｋ！", "继续", "保重", "再見！", "这是什么？"])
def test_single_turn_pleasantries_are_rejected(measured, instruction: str) -> None:
    record = measured(("user", instruction), ("assistant", "不客气，还有什么可以帮你？"))
    assert context_free.check(record, ContextFreeParams()).reason == "context_free_instruction"


def test_in_a_conversation_or_a_real_question_they_pass(measured) -> None:
    chat = measured(("user", "推荐一本书"), ("assistant", "《活着》"), ("user", "好的！"), ("assistant", "祝阅读愉快"))
    assert context_free.check(chat, ContextFreeParams()) is None
    assert context_free.check(measured(("user", "好的"), ("assistant", "x")), ContextFreeParams(phrases=[])) is None
    assert context_free.check(measured(("user", "为什么？"), ("assistant", "因为")), ContextFreeParams()) is None


def test_a_greeting_answered_with_a_greeting_is_kept(measured) -> None:
    """Gold set, tuned part (round 2): "你好" -> "你好！今天我能为你提供什么帮助？" is kept by its reader."""
    for greeting in ("你好", "您好！", "你好。"):
        record = measured(("user", greeting), ("assistant", "你好！今天我能为你提供什么帮助？😀"))
        assert context_free.check(record, ContextFreeParams()) is None
