from pipeline.clean.filters import stop_words
from schemas.config import StopwordRatioParams

KEYWORDS = "，".join(["机器学习", "深度学习", "神经网络", "梯度下降", "卷积", "注意力", "变换器", "优化器"] * 5)
PROSE = "我们在训练模型的时候，需要把数据分成训练集和测试集，这样才能知道模型是不是真的学会了。" * 2


def test_keyword_dump_without_function_words_is_rejected(make_segmented) -> None:
    result = stop_words.check(make_segmented(("user", "关键词"), ("assistant", KEYWORDS)), StopwordRatioParams())
    assert result.reason == "too_few_stop_words"


def test_prose_and_short_answers_pass(make_segmented) -> None:
    assert stop_words.check(make_segmented(("user", "讲讲"), ("assistant", PROSE)), StopwordRatioParams()) is None
    assert stop_words.check(make_segmented(("user", "翻译"), ("assistant", "机器学习")), StopwordRatioParams()) is None
