from pipeline.clean.filters import words
from schemas.config import WordLengthParams


def test_word_counts_ignore_punctuation_and_spaces(measured) -> None:
    record = measured(("user", "你好！！！"), ("assistant", "……"))
    assert words.check(record, WordLengthParams(min=2)).reason == "too_few_words"
    assert words.check(measured(("user", "北京天气"), ("assistant", "晴天")), WordLengthParams(min=2)) is None


def test_too_many_words_mixed_language(measured) -> None:
    record = measured(("user", "Explain 机器学习 please"), ("assistant", "机器学习 is 很 有趣"))
    result = words.check(record, WordLengthParams(max=5))
    assert result.reason == "too_many_words" and result.detail.endswith("words, more than clean.words.max=5")
