from pipeline.clean.filters import stop_words
from schemas.config import StopwordRatioParams

KEYWORDS = "，".join(["机器学习", "深度学习", "神经网络", "梯度下降", "卷积", "注意力", "变换器", "优化器"] * 5)
PROSE = "我们在训练模型的时候，需要把数据分成训练集和测试集，这样才能知道模型是不是真的学会了。" * 2


def test_keyword_dump_without_function_words_is_rejected(measured) -> None:
    result = stop_words.check(measured(("user", "关键词"), ("assistant", KEYWORDS)), StopwordRatioParams())
    assert result.reason == "too_few_stop_words"


def test_prose_and_short_answers_pass(measured) -> None:
    assert stop_words.check(measured(("user", "讲讲"), ("assistant", PROSE)), StopwordRatioParams()) is None
    assert stop_words.check(measured(("user", "翻译"), ("assistant", "机器学习")), StopwordRatioParams()) is None


def test_traditional_prose_counts_its_stop_words(measured) -> None:
    traditional = "我們在訓練模型的時候，需要把資料分成訓練集和測試集，這樣才能知道模型是不是真的學會了。" * 2
    assert stop_words.check(measured(("user", "講講"), ("assistant", traditional)), StopwordRatioParams()) is None


def test_verse_code_and_lists_are_exempt(measured) -> None:
    verse = "床前明月光\n疑是地上霜\n举头望明月\n低头思故乡\n" * 3
    code = (
        "```python\n"
        + "\n".join(f"model_{i} = build_network(layers={i}, optimizer='adam')" for i in range(12))
        + "\n```"
    )
    keywords = "\n".join(f"- {w}" for w in ["机器学习", "深度学习", "神经网络", "梯度下降", "卷积", "注意力"] * 6)
    for answer in (verse, code, keywords):
        assert stop_words.check(measured(("user", "写点什么"), ("assistant", answer)), StopwordRatioParams()) is None
