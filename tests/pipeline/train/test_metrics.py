import pytest

from pipeline.train.metrics import bleu4, exact_match, lcs_length, rouge_l


def test_rouge_l() -> None:
    assert lcs_length(list("ABCBDAB"), list("BDCABA")) == 4
    assert rouge_l(["北京", "是", "首都"], ["北京", "是", "首都"]) == 1.0
    assert rouge_l(["北京", "很", "大"], ["北京", "是", "首都"]) == pytest.approx(1 / 3)
    assert rouge_l([], ["北京"]) == 0.0


def test_bleu4() -> None:
    sentence = ["我们", "在", "北京", "看", "升旗", "仪式"]
    assert bleu4(sentence, sentence) == pytest.approx(1.0)
    assert 0 < bleu4([*sentence[:4], "长城"], sentence) < 1
    assert bleu4(["完全", "不同"], sentence) == 0.0


def test_exact_match_ignores_punctuation_and_case() -> None:
    assert exact_match("北京。", "北京")
    assert exact_match("True", "true!")
    assert not exact_match("上海", "北京")
