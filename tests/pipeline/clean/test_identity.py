import pytest

from pipeline.clean.filters import identity
from schemas.config import PatternParams


@pytest.mark.parametrize(
    "answer",
    [
        "作为一个AI语言模型，我没有感情。",
        "作为一名人工智能助手，我建议……",
        "我是由OpenAI开发的语言模型。",
        "As an AI language model, I think",
        "我是ChatGPT。",
    ],
)
def test_foreign_identities_are_rejected(make_segmented, answer: str) -> None:
    result = identity.check(make_segmented(("user", "你是谁"), ("assistant", answer)), PatternParams())
    assert result.reason == "identity_contamination"


def test_talking_about_ai_is_fine(make_segmented) -> None:
    record = make_segmented(
        ("user", "什么是语言模型？"), ("assistant", "语言模型是预测下一个词的概率模型，例如 GPT 系列。")
    )
    assert identity.check(record, PatternParams()) is None
