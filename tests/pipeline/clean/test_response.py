import pytest

from pipeline.clean.filters import response
from schemas.config import ResponseParams


@pytest.mark.parametrize("answer", ["。", "😀", "……！", " "])
def test_trivial_answers_are_rejected(measured, answer: str) -> None:
    result = response.check(measured(("user", "详细介绍一下长城"), ("assistant", answer)), ResponseParams())
    assert result.reason == "trivial_response"


@pytest.mark.parametrize("answer", ["消极", "True", "3", "是", "北京。"])
def test_short_labels_pass(measured, answer: str) -> None:
    assert response.check(measured(("user", "判断"), ("assistant", answer)), ResponseParams()) is None


def test_minimum_is_configurable(measured) -> None:
    record = measured(("user", "详细介绍一下长城"), ("assistant", "好"))
    assert response.check(record, ResponseParams(min_chars=2)).reason == "trivial_response"


def test_an_answer_that_repeats_the_question_is_trivial(measured) -> None:
    assert (
        response.check(measured(("user", "磷"), ("assistant", "磷。")), ResponseParams()).reason == "trivial_response"
    )
    assert response.check(measured(("user", "磷的原子序数？"), ("assistant", "15")), ResponseParams()) is None


def test_symbol_art_asked_for_is_not_trivial(measured) -> None:
    art = "\\  |  /\n -- ☀ --\n /  |  \\\n~~~~~~~~~~~~~~~"
    assert response.check(measured(("user", "画一个太阳的ASCII图"), ("assistant", art)), ResponseParams()) is None
