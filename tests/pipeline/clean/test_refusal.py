import pytest

from pipeline.clean.filters import refusal
from schemas.config import PatternParams


@pytest.mark.parametrize(
    "answer",
    [
        "很抱歉，我无法提供这类信息。",
        "对不起，但我不能帮你做这件事",
        "I'm sorry, but I cannot help with that.",
        "I can't fulfill that request.",
    ],
)
def test_refusals_are_rejected(make_segmented, answer: str) -> None:
    result = refusal.check(make_segmented(("user", "帮我做件事"), ("assistant", answer)), PatternParams())
    assert result.reason == "refusal"


def test_apology_with_an_answer_and_extra_patterns(make_segmented) -> None:
    helpful = make_segmented(("user", "路怎么走"), ("assistant", "很抱歉让你久等了，往前直走两百米就到。"))
    assert refusal.check(helpful, PatternParams()) is None
    assert refusal.check(helpful, PatternParams(extra_patterns=["让你久等"])).reason == "refusal"
