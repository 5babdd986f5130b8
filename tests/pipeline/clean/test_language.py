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
        ("안녕하세요, 반갑습니다", "ko"),
        ("こんにちは、元気ですか", "ja"),
        ("", "none"),
    ],
)
def test_language_of(text: str, expected: str) -> None:
    assert language_of(text) == expected


def test_allowed_languages_are_configurable(measured) -> None:
    english = measured(("user", "Hi, how are you?"), ("assistant", "Hello there, I am fine, thanks for asking."))
    assert language.check(english, LanguageParams()) is None  # an English question answered in English
    assert language.check(english, LanguageParams(allowed=["zh", "mixed", "none"])).reason == "wrong_language"


def test_an_answer_in_a_language_the_question_gives_no_reason_for(measured) -> None:
    unasked = measured(
        ("user", "请介绍一下长城的历史。"), ("assistant", "The Great Wall was built over many centuries.")
    )
    korean = measured(
        ("user", "환절기 목관리하는 꿀팁 3가지 알려줘。"),
        ("assistant", "在季节变化期间，很多人会感到喉咙干燥，以下是三个护理小贴士。"),
    )
    swedish = measured(
        ("user", "用瑞典语写一篇关于金钱与快乐的短文。"),
        ("assistant", "金钱买不来幸福，这是一句古老的真理，今天仍然有力量。"),
    )
    for record in (unasked, korean, swedish):
        assert language.check(record, LanguageParams()).reason == "wrong_language"
    assert language.check(unasked, LanguageParams(match_question=False)) is None


def test_english_answers_the_question_asked_for(measured) -> None:
    answers = "As the sun sets, the shimmer of the horizon becomes a keepsake of breadth and calm."
    for question in (
        "用“shimmer”、“keepsake”和“breadth”造一个句子。",
        "把这句话翻译成英文：夕阳很美。",
        "解释 do away with 的用法",
    ):
        assert language.check(measured(("user", question), ("assistant", answers)), LanguageParams()) is None
    traditional = measured(("user", "請介紹一下台北。"), ("assistant", "台北是台灣的首都，有故宮博物院和101大樓。😀"))
    assert language.check(traditional, LanguageParams()) is None
