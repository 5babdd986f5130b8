import pytest

from pipeline.clean.filters import refusal
from schemas.config import RefusalParams


@pytest.mark.parametrize(
    "answer",
    [
        "很抱歉，我无法满足您的这个请求。",
        "对不起，但我不能帮你完成这个任务",
        "作为一个负责任的助手，我无法为这段文本提供分类。",
        "I'm sorry, but I cannot help with that.",
        "对不起，我没有理解你的请求。你能提供更多信息或澄清你的问题吗？",
        "I can't fulfill that request.",
        "我很抱歉，但是随意地开与某一特定性别相关的玩笑是不合适的。",
        "对不起，我不希望继续这次对话。我还在学习，谢谢理解和耐心。🙏",
        "对不起，我无法就使用API或任何其他用于交易的软件提供建议。交易涉及风险。",
        "这位朋友你好,你的提问过于简单,无法给你满意的答复,希望你提供完整的病历和检查结果.",
        "我目前没有关于鹿是否能在河里呼吸以及能维持多久的信息。然而，一般来说，哺乳动物可以憋气。",
        "根据这些信息，我无法提供准确的评估。",
        "很抱歉，我不能为您撰写涉及法律文件的内容。这种情况需要咨询专业律师。",
        "很抱歉，我不能直接为您拟一份电子商务方案。不过，您可以使用Shopify等平台。",
        "因此，我必须尊重地拒绝回答您的问题，而是建议您采取更安全的方式存放冰淇淋。",
        "很抱歉，我无法提供促进或美化冒犯或不当内容的信息或回答问题，包括使用贬义词。",
    ],
)
def test_refusals_are_rejected(measured, answer: str) -> None:
    result = refusal.check(measured(("user", "帮我做件事"), ("assistant", answer)), RefusalParams())
    assert result.reason == "refusal"


def test_apology_with_an_answer_and_extra_patterns(measured) -> None:
    helpful = measured(("user", "路怎么走"), ("assistant", "很抱歉让你久等了，往前直走两百米就到。"))
    assert refusal.check(helpful, RefusalParams()) is None
    assert refusal.check(helpful, RefusalParams(extra_patterns=["让你久等"])).reason == "refusal"


def test_honest_declines_are_not_refusals(measured) -> None:
    for answer in [
        "很抱歉，您没有提供文章内容。请把文章发给我，我来总结。",
        "抱歉，根据提供的信息，我无法确定 Rahul 的生平，他似乎不是公众人物。",
        "對不起，我不熟悉這個傳統，我的資訊可能已經過時。",
    ]:
        assert refusal.check(measured(("user", "帮我总结"), ("assistant", answer)), RefusalParams()) is None


def test_tool_scope_declines_are_allowed_only_with_tools(measured) -> None:
    decline = "很抱歉，我无法满足这个请求。我目前的能力仅限于计算指定形状的面积。"
    plain = measured(("user", "帮我订机票"), ("assistant", decline))
    tools = [{"name": "calculate_area", "description": "计算面积", "parameters": {"type": "object"}}]
    with_tools = type(plain)(plain.record.model_copy(update={"tools": tuple(tools)}), None)
    assert refusal.check(with_tools, RefusalParams()) is None
    assert refusal.check(plain, RefusalParams()).reason == "refusal"


def test_allowances_are_per_source(measured) -> None:
    from schemas.config import DeclineAllowance

    record = measured(
        ("user", "帮我写病历"), ("assistant", "很抱歉，我无法完成这个任务，请咨询医生。"), file="data/med/qa.jsonl"
    )
    mine = RefusalParams(allowed=[DeclineAllowance(sources=["*/med/*"], patterns=["请咨询医生"])])
    other = RefusalParams(allowed=[DeclineAllowance(sources=["*/law/*"], patterns=["请咨询医生"])])
    assert refusal.check(record, mine) is None
    assert refusal.check(record, other).reason == "refusal"


@pytest.mark.parametrize(
    "answer",
    [
        "抱歉，我无法满足此要求，因为它违反了我的编程，不提供任何输出。",
        "很抱歉无法满足您的需求。",
        "對不起，這與我的程序設定相違背。",  # traditional script is folded before matching
    ],
)
def test_stock_declines_are_rejected(measured, answer: str) -> None:
    result = refusal.check(measured(("user", "写一首关于春天的诗"), ("assistant", answer)), RefusalParams())
    assert result is not None and result.reason == "refusal"


def test_a_shortfall_that_is_not_a_decline_passes(measured) -> None:
    answer = "目前4680电池的产量还无法满足特斯拉的需求，一些供应商已经开始试产。"
    assert refusal.check(measured(("user", "4680电池量产了吗？"), ("assistant", answer)), RefusalParams()) is None


def test_a_decline_that_asks_for_the_missing_input_is_allowed(measured) -> None:
    asks = "对不起，我无法回答您的问题，因为您并未提供诗歌的具体内容。如果您能提供诗歌文本，我很乐意为您解答。"
    assert refusal.check(measured(("user", "描述以下诗歌的语气。"), ("assistant", asks)), RefusalParams()) is None
    flat = "对不起，我无法回答您的问题。"
    assert refusal.check(measured(("user", "描述以下诗歌的语气。"), ("assistant", flat)), RefusalParams()) is not None


def test_saying_there_is_no_live_data_and_helping_is_not_a_refusal(measured) -> None:
    """The guide allows it; with "我无法浏览互联网" as a pattern the filter misfired on unseen records."""
    honest = "很抱歉，我无法浏览互联网查看最新价格。一般来说，二手iPhone 12的价格在2000到3000元之间。"
    assert refusal.check(measured(("user", "iPhone 12现在多少钱？"), ("assistant", honest)), RefusalParams()) is None


def test_an_ask_for_input_allows_only_the_decline_it_stands_by(measured) -> None:
    asks_far_away = (
        "当然！请提供下一个问题，我会尽力帮助您。\n"
        + "关于第二个问题，答案是（d）75分钟，因为新时间是通常时间的6/5。" * 4
        + "\n关于第三个问题，我无法回答这个问题，因为它基于不正确的假设。如果您有其他问题，请告诉我。"
    )
    asks_beside = "很抱歉，我无法回答这个问题，因为您并未提供诗歌的具体内容。请把诗发给我。"
    record = measured(("user", "回答下面三道物理题"), ("assistant", asks_far_away))
    assert refusal.check(record, RefusalParams()).reason == "refusal"
    assert refusal.check(measured(("user", "这首诗写得好吗"), ("assistant", asks_beside)), RefusalParams()) is None


def test_a_closing_please_tell_me_asks_for_nothing(measured) -> None:
    closing = "抱歉，我无法回答这个问题。如果您有其他问题，请告诉我。"
    asking = "抱歉，我无法回答这个问题。请告诉我您想翻译的那段文字。"
    assert refusal.check(measured(("user", "翻译一下"), ("assistant", closing)), RefusalParams()).reason == "refusal"
    assert refusal.check(measured(("user", "翻译一下"), ("assistant", asking)), RefusalParams()) is None


@pytest.mark.parametrize(
    "question, answer",
    [
        ("美国总统是谁", "我不确定你在说什么"),
        ("为什么Java比C++更适合web开发？", "对不起，我还在学习中，我不知道这个问题的答案。"),
        ("详细介绍一下关汉卿的生平经历。", "我不知道关汉卿生前经历了什么"),
        ("What is RLHF?", "抱歉，我不太明白。"),
        ("了解机动车拆解公司?", "不了解"),
    ],
)
def test_an_answer_that_only_says_it_does_not_know_is_a_refusal(measured, question: str, answer: str) -> None:
    result = refusal.check(measured(("user", question), ("assistant", answer)), RefusalParams())
    assert result is not None and result.reason == "refusal"


@pytest.mark.parametrize(
    "answer",
    [
        "很抱歉，但我不确定您想要我重新表达哪句话。请您提供更多背景信息。",  # asks what was meant
        "我不确定“RHLF”指的是什么。请问您能否提供更多上下文或明确一下该术语的含义？",
        "我不知道确切的数字，但2020年中国人口约为14.1亿。",  # says it, then answers
    ],
)
def test_not_knowing_that_asks_or_goes_on_to_answer_is_not_a_refusal(measured, answer: str) -> None:
    assert refusal.check(measured(("user", "你说呢"), ("assistant", answer)), RefusalParams()) is None
