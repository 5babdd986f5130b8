import pytest

from pipeline.clean.filters import placeholders
from schemas.config import PlaceholderParams


@pytest.mark.parametrize(
    "answer",
    [
        "我是{{name}}，由{{ author }}开发。",
        "你好，${user}！",
        "{% if x %}是{% endif %}",
        "####-####赛季的世界杯冠军揭晓",
    ],
)
def test_unfilled_placeholders_are_rejected(measured, answer: str) -> None:
    result = placeholders.check(measured(("user", "你是谁？"), ("assistant", answer)), PlaceholderParams())
    assert result.reason == "template_placeholder"


@pytest.mark.parametrize(
    "answer",
    [
        "集合{1, 2}的元素",
        'JSON 对象 {"a": 1}',
        "数学 {x | x > 0}",
        "```js\nconst s = `${price}元`;\n```",
        "用 `{{ name }}` 写模板",
        "## 第一章\n#### 小结：#号用于标题",
    ],
)
def test_braces_in_ordinary_text_pass(measured, answer: str) -> None:
    assert placeholders.check(measured(("user", "问"), ("assistant", answer)), PlaceholderParams()) is None


@pytest.mark.parametrize(
    "answer",
    [
        "推荐电影：\n1. 动作片：XXX、XXX、XXX\n2. 喜剧片：XXX、XXX",
        "基于对文章的分析，观点如下：1、xxx；2、xxx；3、xxx。",
        "我已经生成了二维码，下载链接：[QR_CODE_IMAGE_DATA]。",
        "这款产品由【公司名称】出品，售价【金额】元。",
        "欢迎来到[城市名称]！这里的特色美食有很多，推荐您尝尝。",
    ],
)
def test_chinese_slots_where_the_answer_needed_a_value(measured, answer: str) -> None:
    result = placeholders.check(measured(("user", "推荐一些电影"), ("assistant", answer)), PlaceholderParams())
    assert result is not None and result.reason == "template_placeholder"


def test_drafts_keep_their_blanks(measured) -> None:
    letter = "尊敬的[收件人姓名]：\n感谢您的邀请，很遗憾我无法出席。\n此致\n敬礼\n[你的名字]"
    cover = "我是一名毕业于XXX大学、主修XXX专业的应届毕业生，曾在XXX公司实习。"
    post = "今天我正式成为 CFA 持证人！感谢一路支持我的人。\n\n【您的姓名】\n【您的职称】"
    assert (
        placeholders.check(measured(("user", "帮我写一封婉拒邀请的邮件"), ("assistant", letter)), PlaceholderParams())
        is None
    )
    assert placeholders.check(measured(("user", "写一封求职信"), ("assistant", cover)), PlaceholderParams()) is None
    assert (
        placeholders.check(measured(("user", "我今天拿到了CFA证书。"), ("assistant", post)), PlaceholderParams())
        is None
    )


def test_latex_code_links_and_replace_hints_are_not_slots(measured) -> None:
    answers = [
        "设集合 $A = \\{x \\mid x > 0\\}$，则 $${x}^2 \\geq 0$$ 恒成立。",
        "参见[你的名字怎么起](https://example.com/names)这篇文章。",
        "运行 `curl https://wttr.in/[YOUR_LOCATION]`，将 [YOUR_LOCATION] 替换为你的城市。",
        "```python\nprint(f'[姓名]: {name}')\n```",
        "已为您记录电话 <手机号>。",
    ]
    for answer in answers:
        assert placeholders.check(measured(("user", "怎么做？"), ("assistant", answer)), PlaceholderParams()) is None
