import pytest

from pipeline.clean.filters import language
from pipeline.clean.filters.language import language_of
from schemas.config import LanguageParams


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天天气很好。", "zh"),
        ("繁體中文也是中文", "zh"),
        ("The weather is nice today.", "en"),
        ("我用 Python 写了一个 web server 来处理 requests", "mixed"),
        ("😀 123 ！", "none"),
        ("", "none"),
    ],
)
def test_language_of(text: str, expected: str) -> None:
    assert language_of(text) == expected


def test_allowed_languages_are_configurable(make_segmented) -> None:
    english = make_segmented(("user", "Hi"), ("assistant", "Hello there"))
    assert language.check(english, LanguageParams()).reason == "wrong_language"
    assert language.check(english, LanguageParams(allowed=["en"])) is None
