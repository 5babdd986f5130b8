"""Plain-text Q&A notes: "问：/答：" and "Q:/A:" lines, read line by line."""

from __future__ import annotations

import pytest

from pipeline.collect.markdown import DocumentProblem, QaPair, parse_note
from schemas.config import MarkdownConfig

NOTE = """客服常见问题（内部整理）

问：如何修改绑定的手机号？
答：进入“账户设置”，选择“手机号”，
按提示验证旧号码即可。

Q: 订单多久发货？
A: 付款后 48 小时内。

问题：发票怎么开，
可以开专票吗？
回答：在订单详情页申请，支持专票。

问：退货运费谁出？
"""


def items(text: str) -> list[QaPair | DocumentProblem]:
    return parse_note(text, "text", MarkdownConfig())


def test_question_and_answer_lines_make_pairs_with_their_lines() -> None:
    first, second, third, fourth = items(NOTE)
    assert (first.question, first.answer) == (
        "如何修改绑定的手机号？",
        "进入“账户设置”，选择“手机号”，\n按提示验证旧号码即可。",
    )
    assert (first.line, first.line_end) == (3, 5)
    assert (second.question, second.answer, second.line) == ("订单多久发货？", "付款后 48 小时内。", 7)
    assert (third.question, third.answer, third.line, third.line_end) == (
        "发票怎么开， 可以开专票吗？",
        "在订单详情页申请，支持专票。",
        10,
        12,
    )
    assert (fourth.reason, fourth.line) == ("no_answer", 14)


def test_the_preface_before_the_first_question_is_not_released() -> None:
    assert all("内部整理" not in item.answer for item in items(NOTE) if isinstance(item, QaPair))


def test_a_question_line_without_answer_mark_takes_the_next_lines() -> None:
    [pair] = items("Q：什么是 LoRA？\n低秩适配，\n只训练旁路矩阵。\n")
    assert (pair.question, pair.answer, pair.line_end) == ("什么是 LoRA？", "低秩适配，\n只训练旁路矩阵。", 3)


def test_look_alikes_are_folded_and_numbering_stripped() -> None:
    [pair] = items("问：1. 这⾥怎么填？\n答：填⼀个数字。\n")
    assert (pair.question, pair.answer) == ("这里怎么填？", "填一个数字。")


def test_a_text_note_without_question_lines_is_read_as_markdown() -> None:
    [pair] = items("## 什么是 SFT？\n\n有监督微调。\n")
    assert (pair.question, pair.answer) == ("什么是 SFT？", "有监督微调。")


def test_a_text_note_of_unanswered_questions_gives_no_questions() -> None:
    with pytest.raises(DocumentProblem) as caught:
        items("问：为什么离职？\n\n问：接受出差吗？\n")
    assert caught.value.reason == "no_questions"
