import pytest

from pipeline.clean.filters import toxic
from schemas.config import ToxicParams


@pytest.mark.parametrize(
    "answer",
    [
        "你就是个傻逼，滚蛋吧！",
        "這種人渣就該去死。",  # traditional
        "哈哈😀你这个脑残",
        "Shut up, you stupid bitch.",
        "他妈的，这破代码又报错了",
        "骚逼",
        "你吃屎",
        "唯一的缺陷就是Y没有任何实用价值，更不会有其他人屌你",
        "黄猴侵犯动物尊严并野蛮行事是可悲的事情。",
        "草泥马",
    ],
)
def test_abusive_answers_are_rejected(measured, answer: str) -> None:
    result = toxic.check(measured(("user", "随便说点什么"), ("assistant", answer)), ToxicParams())
    assert result is not None and result.reason == "toxic"


@pytest.mark.parametrize(
    "answer",
    [
        "垃圾分类可以分为可回收物、有害垃圾、厨余垃圾和其他垃圾。",
        "废物利用是环保的好习惯：旧报纸可以做成收纳盒。",
        "give sb sth 的意思是“给某人某物”。",
        "骂人是不礼貌的，我们应该心平气和地沟通。",
        "```python\ncnm = compute_normal_map(img)\n```",
    ],
)
def test_everyday_senses_and_code_pass(measured, answer: str) -> None:
    assert toxic.check(measured(("user", "解释一下"), ("assistant", answer)), ToxicParams()) is None


def test_a_rude_user_answered_politely_is_kept_and_terms_extend(measured) -> None:
    record = measured(("user", "你这个傻逼机器，快回答！"), ("assistant", "抱歉让您久等了，答案是42。"))
    assert toxic.check(record, ToxicParams()) is None
    mild = measured(("user", "评价一下"), ("assistant", "这人真是个呆瓜。"))
    assert toxic.check(mild, ToxicParams()) is None
    assert toxic.check(mild, ToxicParams(extra_terms=["呆瓜"])).reason == "toxic"
