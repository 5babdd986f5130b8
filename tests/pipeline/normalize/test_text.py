from __future__ import annotations

import pytest

from pipeline.normalize.text import fix_literal_newlines, fold_fullwidth_ascii, strip_invisible, unescape_html


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("请\u200b介绍\u200b一下\u200b长城", "请介绍一下长城"),
        ("控制\u0007字符\u0000", "控制字符"),
        ("换行\r\n保留\r以及\t制表", "换行\n保留\n以及\t制表"),
        ("\ufeff开头的BOM", "开头的BOM"),
        ("家庭👨\u200d👩\u200d👧表情", "家庭👨\u200d👩\u200d👧表情"),
        ("文字\u200d之间", "文字之间"),
        ("", ""),
    ],
)
def test_strip_invisible(raw: str, clean: str) -> None:
    assert strip_invisible(raw) == clean


def test_fullwidth_ascii_folds_but_chinese_punctuation_stays() -> None:
    assert fold_fullwidth_ascii("１２＋３０＝４２，ＡＢＣ！（好）？：；") == "12+30=42，ABC！（好）？：；"
    assert fold_fullwidth_ascii("繁體「引號」與emoji😀") == "繁體「引號」與emoji😀"


def test_html_entities_and_breaks() -> None:
    assert unescape_html("&lt;br&gt; 标签&amp;换行") == "<br> 标签&换行"
    assert unescape_html("第一行<br/>第二行") == "第一行\n第二行"
    assert unescape_html("a & b < c") == "a & b < c"


def test_literal_newlines() -> None:
    assert fix_literal_newlines("第一行\\n第二行\\t缩进") == "第一行\n第二行\t缩进"


def test_kangxi_radicals_and_compatibility_ideographs_fold() -> None:
    from pipeline.dedup.sketch import fold, unify_lookalikes

    assert unify_lookalikes("汉字的拼⾳输⼊码，⾥⾯很⼤") == "汉字的拼音输入码，里面很大"
    assert unify_lookalikes("\uf900\U0002f800 😀 ＡＢＣ 繁體") == "豈丽 😀 ＡＢＣ 繁體"
    # normalize and dedup fold with the same function, so a folded record has the dedup key it had
    assert fold(unify_lookalikes("汉字的拼⾳输⼊码")) == fold("汉字的拼⾳输⼊码") == "汉字的拼音输入码"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\n 好的，答案如下：\n1. 第一点\n  ", "好的，答案如下：\n1. 第一点"),
        ("\u3000全角空格开头", "全角空格开头"),
        ("    def f(x):\n        return x\n", "    def f(x):\n        return x"),
        ("  Hello 世界  ", "Hello 世界"),
        ("", ""),
    ],
)
def test_strip_turn(raw: str, clean: str) -> None:
    from pipeline.normalize.text import strip_turn

    assert strip_turn(raw) == clean
