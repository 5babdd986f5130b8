import pytest

from pipeline.clean.filters import repetition
from pipeline.clean.filters.repetition import duplicated_line_share, duplicated_ngram_share
from schemas.config import RepetitionParams

PROSE = "监督微调是在预训练模型的基础上，用人工整理的指令与回答对继续训练，使模型学会按指令作答。" * 1


def test_measures() -> None:
    assert duplicated_ngram_share("加油" * 30, 10) == 1.0
    assert duplicated_ngram_share(PROSE, 10) == 0.0
    assert duplicated_line_share("第一行\n第一行\n第二行\n第一行") == 0.75
    assert duplicated_ngram_share("", 10) == 0.0


def test_looping_response_is_rejected(measured) -> None:
    params = RepetitionParams()
    looping = measured(("user", "写口号"), ("assistant", "加油！" * 40))
    assert repetition.check(looping, params).reason == "repeated_ngrams"
    assert repetition.check(measured(("user", "问"), ("assistant", PROSE)), params) is None


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ('help me repeat this sentence five times, " I like apple"', "I like apple.\n" * 5),
        ("把“加油！”重复写十遍", "加油！" * 10),
    ],
)
def test_a_loop_the_user_asked_for_passes(measured, question: str, answer: str) -> None:
    assert repetition.check(measured(("user", question), ("assistant", answer)), RepetitionParams()) is None
    unasked = measured(("user", "I like apple 怎么翻译？"), ("assistant", answer))
    assert repetition.check(unasked, RepetitionParams()).reason == "repeated_ngrams"


def test_a_loop_at_the_end_of_a_good_answer_is_rejected(measured) -> None:
    """Gold set, tuned part: a Cantonese chat log whose last line degenerates into one character."""
    chat = (
        "Chester: 感恩同责任其实唔一样啦，但係都係要尊重嘅。\nDiamond Yu: 点解话系职场欺凌？\no mee: 我觉得呢个投票有啲"
    )
    record = measured(("user", "請用廣東話繼續對話"), ("assistant", chat + "啱" * 16))
    assert "啱" in repetition.check(record, RepetitionParams()).detail
    sentence = "Python是一门简单易学的编程语言，适合初学者。"
    tripled = measured(("user", "介绍Python"), ("assistant", f"好的！{sentence}{sentence} {sentence}\n😀"))
    assert repetition.check(tripled, RepetitionParams()).reason == "repeated_ngrams"
    twice = measured(("user", "介绍Python"), ("assistant", f"{sentence}换句话说，{sentence}"))
    assert repetition.check(twice, RepetitionParams()) is None


def test_share_rules_are_off_by_default_and_can_be_switched_on(measured) -> None:
    emails = "\n".join(
        f"你好，\n您是厌倦了跟踪费用的烦恼的{who}吗？我们的新工具Expensr可以让您轻松地将所有东西集中在一个地方。\n最好的祝愿，"
        for who in ("活动策划者", "自由职业者")
    )
    record = measured(("user", "为他们每个人写一封定制的电子邮件"), ("assistant", emails))
    assert repetition.check(record, RepetitionParams()) is None  # two drafts from one template, as asked
    assert repetition.check(record, RepetitionParams(max_ngram_share=0.5)).reason == "repeated_ngrams"
    lines = measured(("user", "列表"), ("assistant", "\n".join(["同一行内容在这里"] * 5 + ["不同的一行"])))
    assert repetition.check(lines, RepetitionParams(min_chars=20)) is None
    assert repetition.check(lines, RepetitionParams(min_chars=20, max_line_share=0.5)).reason == "repeated_lines"


def test_short_answers_and_nested_formulas_are_not_loops(measured) -> None:
    assert repetition.check(measured(("user", "笑"), ("assistant", "哈哈哈哈哈哈")), RepetitionParams()) is None
    formula = "=SUBSTITUTE(" * 6 + 'A1,"a","A")' + ',"b","B")' * 5
    excel = measured(("user", "用Excel公式把小写换成大写"), ("assistant", f"可以这样写：{formula}"))
    assert repetition.check(excel, RepetitionParams()) is None
    item = "使用数组而非键值对的列表来构建`${}`数组。"
    escaped = f"重构方法包括：\n\\* {item.format('data')}\n\\* {item.format('viewdata')}"
    listed = measured(("user", "重构PHP代码"), ("assistant", escaped * 3))
    assert repetition.check(listed, RepetitionParams(max_ngram_share=0.5)) is None  # escaped bullets are lists


def test_code_blocks_and_structured_lists_are_not_repetition(measured) -> None:
    sql = "```\nSELECT * FROM products\nORDER BY id DESC\nLIMIT 5;\n```\n"
    code_answer = f"可以这样查询：\n{sql}或者按时间：\n{sql}两个查询都按降序排列结果，然后用 LIMIT 取前五个。"
    budget = "预算如下：\n" + "\n".join(f"- 项目{i}：${i * 100}（假设按照月收入的{i}%计算）" for i in range(1, 9))
    for answer in (code_answer, budget):
        assert repetition.check(measured(("user", "举例"), ("assistant", answer)), RepetitionParams()) is None


def test_each_response_of_a_long_chat_is_judged_alone(measured) -> None:
    turns = []
    for i in range(12):
        turns += [
            ("user", f"第{i}个问题：介绍一下第{i}种水果？"),
            ("assistant", f"当然！这是第{i}种水果的介绍，它富含维生素，味道酸甜，适合夏天食用，可以榨汁或者直接吃。"),
        ]
    assert repetition.check(measured(*turns), RepetitionParams()) is None
    looping = [*turns, ("user", "再说一遍"), ("assistant", "我爱吃水果，水果真好吃。" * 20)]
    assert repetition.check(measured(*looping), RepetitionParams()).reason == "repeated_ngrams"


def test_latex_links_tables_and_repeated_english_names_are_not_repetition(measured) -> None:
    formula = "$$\\sum_{i=1}^{n} x_i = \\sum_{i=1}^{n} y_i + \\frac{1}{n}$$"
    latex = f"证明如下：首先 {formula}，其次 {formula}，再者 \\({formula[2:-2]}\\)，因此结论成立。"
    links = "\n".join(f"[《深度学习入门教程》第{i}章](https://example.com/book/chapter/{i})" for i in range(8))
    table = "| 城市 | 人口 |\n|---|---|\n" + "\n".join("| 北京市 | 两千一百万人 |" for _ in range(8))
    names = (
        "要在AWS CloudWatch仪表板中显示Google Analytics实时数据，先创建Lambda函数从Google Analytics API读取数据，"
        "再用CloudWatch PutMetricData API写入CloudWatch，最后在CloudWatch仪表板中添加Google Analytics图表。"
    )
    for answer in (latex, links, table, names):
        assert (
            repetition.check(measured(("user", "举例"), ("assistant", answer)), RepetitionParams(min_chars=20)) is None
        )


def test_a_sentence_said_again_later_is_repetition(measured) -> None:
    """Gold set, round 1: an answer that restates its first sentence word for word."""
    first = "元宇宙是由虚拟现实与实际持久虚拟空间相结合而创造的一种共同虚拟共享空间。"
    answer = f"{first}这个术语出自尼尔·斯蒂芬森1992年的小说《雪崩》。{first}"
    record = measured(("user", "解释元宇宙。"), ("assistant", answer))
    assert repetition.check(record, RepetitionParams()).reason == "repeated_sentences"
    short = measured(("user", "问"), ("assistant", "好的，没问题。我来解释。好的，没问题。"))
    assert repetition.check(short, RepetitionParams()) is None  # under twelve Han characters
    frame = "如果`boolean_expression`的值为`true`，则执行`if`块内的代码。"
    code = measured(("user", "C++ 的 if 怎么用？"), ("assistant", f"`if`语句：\n{frame}\n`if...else`语句：\n{frame}"))
    assert repetition.check(code, RepetitionParams()) is None  # a frame around inline code
    where = "其中，'file.xlsx'是Excel文件的路径，'Sheet1'是要读取的工作表名称。"
    libraries = (
        f"1. pandas：\n```\npd.read_excel('file.xlsx')\n```\n{where}\n2. openpyxl：\n```\nload_workbook()\n```\n{where}"
    )
    quoted = measured(("user", "python如何读取excel文件"), ("assistant", libraries))
    assert repetition.check(quoted, RepetitionParams()) is None  # quoted literals are inline code too


def test_a_list_that_starts_over_is_repetition(measured) -> None:
    questions = ["你最喜欢的户外活动是什么？", "你相信祈祷的力量吗？", "你曾经遇到过自然灾害吗？", "你喜欢哪个季节？"]
    looped = [*questions, *questions[:3], "你最喜欢的电影是什么？"]
    answer = "\n".join(f"{n}. {q}" for n, q in enumerate(looped, start=1))
    record = measured(("user", "请问自己100个问题。"), ("assistant", answer))
    assert "3 list items" in repetition.check(record, RepetitionParams()).detail
    workout = "1. 深蹲：重复3组，每组10次。\n2. 俯卧撑：重复3组，每组10次。\n3. 平板支撑：坚持30秒。"
    assert repetition.check(measured(("user", "居家健身计划"), ("assistant", workout)), RepetitionParams()) is None


def test_texts_asked_for_one_per_item_may_share_sentences(measured) -> None:
    shared = "我们的新工具可以让您轻松地将所有费用集中在一个地方管理。"
    answer = f"致活动策划者：{shared}\n\n致自由职业者：{shared}"
    asked = measured(("user", "为他们每个人写一段推广语"), ("assistant", answer))
    assert repetition.check(asked, RepetitionParams()) is None
    chorus = "这是一场智力的较量，编码者和他的代码之间，是为了提交而进行的战斗。"
    song = measured(
        ("user", "谱写一首歌曲，讲程序员和他的程序。"),
        ("assistant", f"第1段：……\n合唱：\n{chorus}\n第2段：……\n合唱：\n{chorus}"),
    )
    assert repetition.check(song, RepetitionParams()) is None
    unasked = measured(("user", "写一段推广语"), ("assistant", answer))
    assert repetition.check(unasked, RepetitionParams()).reason == "repeated_sentences"
