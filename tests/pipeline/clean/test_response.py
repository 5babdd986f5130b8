import pytest

from pipeline.clean.filters import response
from schemas.config import ResponseParams


@pytest.mark.parametrize("answer", ["。", "好", "😀", "……！"])
def test_trivial_answers_are_rejected(make_segmented, answer: str) -> None:
    result = response.check(make_segmented(("user", "详细介绍一下长城"), ("assistant", answer)), ResponseParams())
    assert result.reason == "trivial_response"


@pytest.mark.parametrize("answer", ["消极", "True", "42", "北京。"])
def test_short_labels_pass(make_segmented, answer: str) -> None:
    assert response.check(make_segmented(("user", "判断"), ("assistant", answer)), ResponseParams()) is None
