import pytest

from pipeline.clean.filters import placeholders
from schemas.config import PlaceholderParams


@pytest.mark.parametrize("answer", ["我是{{name}}，由{{ author }}开发。", "你好，${user}！", "{% if x %}是{% endif %}"])
def test_unfilled_placeholders_are_rejected(make_segmented, answer: str) -> None:
    result = placeholders.check(make_segmented(("user", "你是谁？"), ("assistant", answer)), PlaceholderParams())
    assert result.reason == "template_placeholder"


@pytest.mark.parametrize(
    "answer",
    [
        "集合{1, 2}的元素",
        'JSON 对象 {"a": 1}',
        "数学 {x | x > 0}",
        "```js\nconst s = `${price}元`;\n```",
        "用 `{{ name }}` 写模板",
    ],
)
def test_braces_in_ordinary_text_pass(make_segmented, answer: str) -> None:
    assert placeholders.check(make_segmented(("user", "问"), ("assistant", answer)), PlaceholderParams()) is None
