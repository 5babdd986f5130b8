from pipeline.clean.filters import symbols
from schemas.config import SymbolRatioParams


def test_symbol_heavy_text_is_rejected(measured) -> None:
    record = measured(("user", "下载地址"), ("assistant", "点击这里>>>【【【###@@@】】】***下载%%%^^^&&&***链接~~~!!!"))
    result = symbols.check(record, SymbolRatioParams())
    assert result.reason == "too_many_symbols"


def test_chinese_punctuation_and_code_pass(measured) -> None:
    prose = measured(("user", "你好，今天天气怎么样？"), ("assistant", "今天是晴天，气温二十度，适合出门散步。"))
    code = measured(("user", "写个函数"), ("assistant", "def add(a, b):\n    return a + b  # 两数相加"))
    assert symbols.check(prose, SymbolRatioParams()) is None
    assert symbols.check(code, SymbolRatioParams()) is None


def test_latex_tables_links_and_drawings_are_not_debris(measured) -> None:
    latex = (
        "二次方程的解为 $x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}$，其中 $\\Delta = b^2 - 4ac$。\n"
        "$$\\int_0^1 x^2 dx = \\frac{1}{3}$$，以及 \\(e^{i\\pi} + 1 = 0\\)。"
    )
    table = "| 名称 | 数量 |\n|---|---|\n| 苹果 | 3 |\n| 香蕉 | 5 |"
    flowchart = "流程如下：\n```\n[开始] --> {x > y?} --是--> [z = x + y]\n              \\--否--> [z = x - y]\n```"
    tab = "e|-----0-----|\nB|---1---1---|\nG|-2-------2-|\n这是 C 和弦的分解。"
    link = "参考资料：[《机器学习》周志华](https://example.com/ml?id=1&ref=%E4%B8%AD) 和 https://example.org/a_b-c"
    for answer in (latex, table, flowchart, tab, link):
        assert symbols.check(measured(("user", "解释一下"), ("assistant", answer)), SymbolRatioParams()) is None


def test_off_by_default_because_structured_answers_measure_as_debris(make_segmented, segmenter) -> None:
    """Unlabelled records of the gold set's sources: right answers that the ratio refuses when on."""
    from pipeline.clean import run
    from schemas import CleanConfig

    json_answer = make_segmented(
        ("user", "从提供的数据生成一个有效的JSON字符串。\n输入：姓名：John，年龄：25。"),
        ("assistant", '输出："{\\"姓名\\": \\"John\\", \\"年龄\\": 25}"'),
    )
    record = make_segmented(
        ("user", "将餐厅描述解析为键值对：The Dumpling Tree是一家意大利餐厅。"),
        ("assistant", '{name: "饺子树", 食物: "意大利菜", 价格范围: "昂贵", 用餐类型: "餐厅"}'),
    )
    assert run([json_answer, record], CleanConfig(), segmenter).counts.kept == 2
    switched_on = CleanConfig.model_validate({"symbols": {"enabled": True}})
    assert run([json_answer], switched_on, segmenter).rejections[0].reason == "too_many_symbols"
