from pipeline.clean.filters import chars
from schemas.config import CharLengthParams


def test_short_and_long_dialogues(measured) -> None:
    params = CharLengthParams(min=4, max=30)
    assert chars.check(measured(("user", "问"), ("assistant", "答")), params).reason == "too_few_chars"
    long = chars.check(measured(("user", "问题" * 10), ("assistant", "回答" * 10)), params)
    assert long.reason == "too_many_chars" and "41 characters" in long.detail
    assert chars.check(measured(("user", "１２＋３"), ("assistant", "😀好的")), params) is None


def test_system_prompt_does_not_count(measured) -> None:
    record = measured(("system", "你是一个非常非常长的系统提示" * 5), ("user", "问"), ("assistant", "答"))
    assert chars.check(record, CharLengthParams(min=4)).reason == "too_few_chars"
