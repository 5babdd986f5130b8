from pipeline.clean.filters import repetition
from pipeline.clean.filters.repetition import duplicated_line_share, duplicated_ngram_share
from schemas.config import RepetitionParams

PROSE = "监督微调是在预训练模型的基础上，用人工整理的指令与回答对继续训练，使模型学会按指令作答。" * 1


def test_measures() -> None:
    assert duplicated_ngram_share("加油" * 30, 10) == 1.0
    assert duplicated_ngram_share(PROSE, 10) == 0.0
    assert duplicated_line_share("第一行\n第一行\n第二行\n第一行") == 0.75
    assert duplicated_ngram_share("", 10) == 0.0


def test_looping_response_is_rejected(make_segmented) -> None:
    params = RepetitionParams(min_chars=20)
    looping = make_segmented(("user", "写口号"), ("assistant", "加油！" * 40))
    assert repetition.check(looping, params).reason == "repeated_ngrams"
    lines = make_segmented(("user", "列表"), ("assistant", "\n".join(["同一行内容在这里"] * 5 + ["不同的一行"])))
    assert repetition.check(lines, params).reason == "repeated_lines"
    assert repetition.check(make_segmented(("user", "问"), ("assistant", PROSE)), params) is None


def test_short_answers_are_not_judged(make_segmented) -> None:
    assert repetition.check(make_segmented(("user", "笑"), ("assistant", "哈哈哈哈哈哈")), RepetitionParams()) is None


def test_code_blocks_and_structured_lists_are_not_repetition(make_segmented) -> None:
    sql = "```\nSELECT * FROM products\nORDER BY id DESC\nLIMIT 5;\n```\n"
    code_answer = f"可以这样查询：\n{sql}或者按时间：\n{sql}两个查询都按降序排列结果，然后用 LIMIT 取前五个。"
    budget = "预算如下：\n" + "\n".join(f"- 项目{i}：${i * 100}（假设按照月收入的{i}%计算）" for i in range(1, 9))
    for answer in (code_answer, budget):
        assert repetition.check(make_segmented(("user", "举例"), ("assistant", answer)), RepetitionParams()) is None
