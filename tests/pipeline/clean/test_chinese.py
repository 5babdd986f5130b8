from pipeline.clean.filters import chinese
from pipeline.clean.measure import han_share
from schemas.config import ChineseRatioParams


def test_han_share_uses_the_script_property() -> None:
    assert han_share("𠀀𪜀") == 1.0  # CJK extension B characters, outside [\u4e00-\u9fa5]
    assert han_share("繁體與简体") == 1.0
    assert han_share("ＡＢＣ中文") == 0.4
    assert han_share("123 !!! 😀") is None


def test_non_chinese_dialogue_is_rejected_translation_is_not(measured) -> None:
    english = measured(("user", "What is the capital of France?"), ("assistant", "Paris is the capital."))
    translation = measured(("user", "把“你好世界”翻译成英文"), ("assistant", "Hello world"))
    assert chinese.check(english, ChineseRatioParams()).reason == "too_little_chinese"
    assert chinese.check(translation, ChineseRatioParams()) is None
    assert chinese.check(measured(("user", "1+1"), ("assistant", "2")), ChineseRatioParams()) is None
