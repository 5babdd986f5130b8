import pytest

from pipeline.clean.filters import response
from schemas.config import ResponseParams


@pytest.mark.parametrize("answer", ["。", "😀", "……！", " "])
def test_trivial_answers_are_rejected(make_segmented, answer: str) -> None:
    result = response.check(make_segmented(("user", "详细介绍一下长城"), ("assistant", answer)), ResponseParams())
    assert result.reason == "trivial_response"


@pytest.mark.parametrize("answer", ["消极", "True", "3", "是", "北京。"])
def test_short_labels_pass(make_segmented, answer: str) -> None:
    assert response.check(make_segmented(("user", "判断"), ("assistant", answer)), ResponseParams()) is None


def test_minimum_is_configurable(make_segmented) -> None:
    record = make_segmented(("user", "详细介绍一下长城"), ("assistant", "好"))
    assert response.check(record, ResponseParams(min_chars=2)).reason == "trivial_response"
