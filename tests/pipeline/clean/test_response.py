import pytest

from pipeline.clean.filters import response
from schemas.config import ResponseParams


@pytest.mark.parametrize("answer", ["。", "😀", "……！", " "])
def test_trivial_answers_are_rejected(measured, answer: str) -> None:
    result = response.check(measured(("user", "详细介绍一下长城"), ("assistant", answer)), ResponseParams())
    assert result.reason == "trivial_response"


@pytest.mark.parametrize("answer", ["消极", "True", "3", "是", "北京。"])
def test_short_labels_pass(measured, answer: str) -> None:
    assert response.check(measured(("user", "判断"), ("assistant", answer)), ResponseParams()) is None


def test_minimum_is_configurable(measured) -> None:
    record = measured(("user", "详细介绍一下长城"), ("assistant", "好"))
    assert response.check(record, ResponseParams(min_chars=2)).reason == "trivial_response"


def test_an_answer_that_repeats_the_question_is_trivial(measured) -> None:
    assert (
        response.check(measured(("user", "磷"), ("assistant", "磷。")), ResponseParams()).reason == "trivial_response"
    )
    assert response.check(measured(("user", "磷的原子序数？"), ("assistant", "15")), ResponseParams()) is None
    emoji = measured(("user", "😀"), ("assistant", "👍"), ("user", "长城有多长？"), ("assistant", "约两万一千公里。"))
    assert response.check(emoji, ResponseParams()) is None  # no letters on either side is no echo


def test_symbol_art_asked_for_is_not_trivial(measured) -> None:
    art = "\\  |  /\n -- ☀ --\n /  |  \\\n~~~~~~~~~~~~~~~"
    assert response.check(measured(("user", "画一个太阳的ASCII图"), ("assistant", art)), ResponseParams()) is None


def test_an_echo_anywhere_in_a_chat_is_trivial(measured) -> None:
    """Gold set, round 5: a chat whose first answer only repeats its question."""
    chat = measured(
        ("user", "形容词"),
        ("assistant", "形容词"),
        ("user", "我应该如何正确地在句子中使用分号？"),
        ("assistant", "分号用于连接两个在意义上密切相关的独立从句；例如：我去了巴黎；他去了罗马。"),
    )
    assert "repeats its question" in response.check(chat, ResponseParams()).detail


@pytest.mark.parametrize("answer", ["根据不同脑部疾病，患病比例不同", "因人而异。", "这个视情况而定"])
def test_an_answer_that_only_says_it_depends_is_trivial(measured, answer: str) -> None:
    result = response.check(measured(("user", "脑病的患病比例是多少？"), ("assistant", answer)), ResponseParams())
    assert "only says it depends" in result.detail


def test_it_depends_with_the_answer_passes(measured) -> None:
    answer = "因人而异。一般成年人每天需要7到9小时的睡眠，青少年需要8到10小时，老人可以略少。"
    assert response.check(measured(("user", "每天睡多久合适？"), ("assistant", answer)), ResponseParams()) is None


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("您确定吗？您是人工智能吗？", "您好"),
        ("详细讲讲消息队列拆分。", "1"),
        ("将帖子中被骚扰的目标分类为个人或群体。帖子：荷兰女人看着他", "请问还有什么我可以帮助您的吗？"),
        ("为何会有闰年", "你是谁"),
        ("查一下纽约今天的天气", "好的"),
        ("前提：“一群年轻男孩在打篮球比赛。”假设：“有人在打运动。”我们知道前提所蕴含的假设吗？", "自信度：90%"),
        ("请为本次交流生成一个链接。", "加载失败。"),
        ("Write a haiku about autumn.", "Network error"),
    ],
)
def test_a_greeting_or_a_word_where_an_explanation_was_asked_is_trivial(measured, question: str, answer: str) -> None:
    chat = measured(("user", "你好"), ("assistant", "你好！有什么事？"), ("user", question), ("assistant", answer))
    assert response.check(chat, ResponseParams()).reason == "trivial_response"


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("你好！", "您好"),
        ("谢谢你！", "不客气！还有什么我可以帮助你的吗？"),
        ("谢谢", "还有什么我可以帮您的吗？"),
        ("您好", "您好"),
        ("在我输入“完成”之前，你只回复“好的”。", "好的。"),
        ("3加5等于几？", "8"),
        (
            "详细说明：判断下面推文的问答对是否正确，正确输出“是”，否则输出“否”。推文：迈阿密本可以保留更多薪资空间。",
            "是的",
        ),
    ],
)
def test_a_greeting_answering_a_greeting_and_a_short_label_pass(measured, question: str, answer: str) -> None:
    assert response.check(measured(("user", question), ("assistant", answer)), ResponseParams()) is None


def test_a_script_probe_is_debris_unless_script_was_asked_for(measured) -> None:
    probe = measured(("user", "sin x 2 sin x cos x 1 这个操作的结果是什么？"), ("assistant", "alert(1)"))
    assert response.check(probe, ResponseParams()).reason == "script_debris"
    asked = measured(("user", "用 JavaScript 弹出一个提示框"), ("assistant", "alert('你好');"))
    assert response.check(asked, ResponseParams()) is None
