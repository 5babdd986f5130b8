"""Markdown notes into pairs: one small Chinese note per rule, written for these tests."""

from __future__ import annotations

import pytest

from pipeline.collect.markdown import DocumentProblem, QaPair, parse_qa
from schemas.config import MarkdownConfig


def pairs(text: str, **config: object) -> list[QaPair]:
    return [item for item in parse_qa(text, MarkdownConfig(**config)) if isinstance(item, QaPair)]


def problems(text: str) -> list[tuple[int | None, str]]:
    return [(i.line, i.reason) for i in parse_qa(text) if isinstance(i, DocumentProblem)]


def test_numbered_headings_lose_their_numbers_and_keep_lines_and_path() -> None:
    note = "# 微调笔记\n\n## 1. 什么是LoRA？\n\n低秩适配。\n\n## 2.2 为什么要冻结基座\n\n省显存。\n"
    first, second = pairs(note)
    assert (first.question, first.answer) == ("什么是LoRA？", "低秩适配。")
    assert (first.line, first.line_end, first.headings) == (3, 5, ("微调笔记", "1. 什么是LoRA？"))
    assert second.question == "为什么要冻结基座？"


@pytest.mark.parametrize("heading", ["## Q1：什么是LoRA？", "## **问题**：什么是LoRA？", "## 6-5 QA：什么是LoRA？"])
def test_question_marks_in_headings_are_dropped(heading: str) -> None:
    [pair] = pairs(f"{heading}\n\n低秩适配。\n")
    assert pair.question == "什么是LoRA？"


def test_topic_headings_become_questions_that_name_their_parent() -> None:
    note = "## 分词算法\n\n### 2.2 WordPiece\n\n按似然合并子词。\n\n### （7）BPE 介绍\n\n按频率合并。\n"
    assert [p.question for p in pairs(note)] == ["请介绍分词算法中的WordPiece。", "请介绍BPE。"]


def test_a_short_topic_takes_its_parent_even_when_the_parent_spells_it() -> None:
    [pair] = pairs("## LoRA 的训练参数\n\n### 2.1 r\n\n秩。\n")
    assert pair.question == "请介绍LoRA 的训练参数中的r。"


@pytest.mark.parametrize(
    ("heading", "question"),
    [
        ("### 总结", "请总结LoRA。"),
        ("### 小结：", "请总结LoRA。"),
        ("### 为什么？", "为什么需要LoRA？"),
        ("### 3.6", "请介绍LoRA。"),
        ("Q: 怎么办？", "LoRA：怎么办？"),
        ("### ![图](a.png)", "请介绍LoRA。"),
        ("### LoRA？", "请介绍LoRA。"),
    ],
)
def test_a_prompt_never_stays_one_word_or_a_number(heading: str, question: str) -> None:
    [pair] = pairs(f"## LoRA\n\n{heading}\n\n低秩适配。\n")
    assert pair.question == question


def test_a_topic_heading_without_parent_uses_the_topic_template() -> None:
    [pair] = pairs("## 梯度累积\n\n多步累积再更新。\n", topic_prompt="{title}是什么？")
    assert pair.question == "梯度累积是什么？"


def test_keep_style_keeps_headings_as_written_but_clean() -> None:
    [pair] = pairs("## 分词\n\n### 3.6 **WordPiece**\n\n子词。\n", prompt_style="keep")
    assert pair.question == "WordPiece"


def test_a_bare_question_word_heading_asks_about_its_parent() -> None:
    note = "## LoRA\n\n### What\n\n低秩适配。\n\n### How\n\n旁路矩阵相乘。\n"
    assert [p.question for p in pairs(note)] == ["什么是LoRA？", "LoRA是如何实现的？"]


def test_a_question_asked_twice_in_a_note_names_its_parent() -> None:
    note = "## GPT\n\n### 算法简单理解？\n\n逐词生成。\n\n## BERT\n\n### 算法简单理解？\n\n双向编码。\n"
    assert [p.question for p in pairs(note)] == ["GPT：算法简单理解？", "BERT：算法简单理解？"]
    assert [p.question for p in pairs(note, context_question="{title}（{parent}）")][1] == "算法简单理解？（BERT）"


def test_numbered_questions_with_fenced_prose_answers() -> None:
    note = (
        "1. 💡全参数微调要多少显存？\n\n```text\n要看模型大小和批量大小。\n```\n\n"
        "2. 为什么SFT之后模型变傻了\n\n```text\n1.数据偏移\n2.过拟合\n```\n"
    )
    first, second = pairs(note)
    assert (first.question, first.answer, first.line, first.line_end) == (
        "全参数微调要多少显存？",
        "要看模型大小和批量大小。",
        1,
        5,
    )
    assert (second.question, second.answer) == ("为什么SFT之后模型变傻了？", "1.数据偏移\n2.过拟合")


def test_numbered_lines_inside_a_code_block_are_code() -> None:
    code = '```python\n# 1. 这不是问题\n# 2. 这也不是问题？\nprint("1. 还不是")\n```'
    [pair] = pairs(f"## jieba 怎么加载词典？\n\n调用 load_userdict：\n\n{code}\n")
    assert pair.answer == f"调用 load_userdict：\n\n{code}"


def test_a_list_under_a_question_heading_is_its_answer_nested_lists_included() -> None:
    note = (
        "## 为什么SFT之后模型变傻了？\n\n1. 数据偏移\n   - 分布不同\n   - 遗忘通用能力\n"
        "2. 过拟合\n\n## 怎么缓解？\n\n混入通用数据。\n"
    )
    first, second = pairs(note)
    assert first.answer == "1. 数据偏移\n   - 分布不同\n   - 遗忘通用能力\n2. 过拟合"
    assert second.question == "怎么缓解？"


def test_one_numbered_question_with_code_does_not_turn_every_list_into_questions() -> None:
    note = (
        "## 显存怎么估算？\n\n1. 权重\n2. 梯度\n\n## 量化有哪些方法？\n\n"
        "1. 如何做 NF4 量化？\n\n```python\nquantize()\n```\n\n"
        "2. 如何做 int8 量化？\n\n```python\nint8()\n```\n\n## 训练步骤\n\n1. 准备数据\n2. 训练模型\n"
    )
    assert [p.question for p in pairs(note)] == [
        "显存怎么估算？",
        "如何做 NF4 量化？",
        "如何做 int8 量化？",
        "请介绍训练步骤。",
    ]
    assert pairs(note)[0].answer == "1. 权重\n2. 梯度"


def test_question_sub_sections_become_pairs_and_the_preface_is_not_released() -> None:
    note = "## LoRA\n\n本节先介绍背景。\n\n### r 是什么？\n\n秩。\n\n### alpha 是什么？\n\n缩放系数。\n"
    assert [(p.question, p.answer) for p in pairs(note)] == [("r 是什么？", "秩。"), ("alpha 是什么？", "缩放系数。")]


def test_a_question_over_topic_sub_sections_is_one_whole_answer() -> None:
    note = "## 如何微调 YOLO？\n\n准备：\n\n### 数据集\n\n图片和标注。\n\n### 配置\n\n写 yaml。\n"
    [pair] = pairs(note)
    assert pair.answer == "准备：\n\n### 数据集\n\n图片和标注。\n\n### 配置\n\n写 yaml。"
    assert (pair.line, pair.line_end) == (1, 11)


def test_steps_of_one_procedure_stay_one_answer() -> None:
    note = (
        "### TensorFlow\n\n常用接口：\n\n1. 加载数据\n\n```python\nload()\n```\n\n"
        "2. 训练模型\n\n```python\nfit()\n```\n"
    )
    [pair] = pairs(note)
    assert pair.question == "请介绍TensorFlow。"
    assert "1. 加载数据" in pair.answer and pair.answer.endswith("fit()\n```")


def test_bullet_questions_carry_their_numbered_parts() -> None:
    note = (
        "## GPT\n\n- 什么是GPT？\n\n生成式预训练模型。\n\n- 怎么理解它的名字？\n\n1. G（生成式）\n\n逐词生成。\n\n"
        "2. P（预训练）\n\n先学通用规律。\n"
    )
    first, second = pairs(note)
    assert (first.question, first.answer) == ("什么是GPT？", "生成式预训练模型。")
    assert second.question == "怎么理解它的名字？"
    assert second.answer == "1. G（生成式）\n\n逐词生成。\n\n2. P（预训练）\n\n先学通用规律。"


def test_list_items_holding_their_own_answers_are_pairs_and_unanswered_ones_are_not() -> None:
    note = (
        "面试记录\n\n1. r=8 和 r=16 有什么区别？\n    ```\n    r 越大适配能力越强。\n    ```\n"
        "2. 为什么离职？\n3. 梯度累积解释一下\n    ```\n    多步累积再更新。\n    ```\n"
    )
    first, second = pairs(note)
    assert (first.question, first.answer, first.line, first.line_end) == (
        "r=8 和 r=16 有什么区别？",
        "r 越大适配能力越强。",
        3,
        6,
    )
    assert (second.question, second.answer) == ("请解释梯度累积。", "多步累积再更新。")


def test_a_list_of_unanswered_questions_is_no_questions() -> None:
    with pytest.raises(DocumentProblem) as caught:
        parse_qa("只写记得的\n\n1. 为什么离职？\n2. 接受出差吗？\n\n基本没聊技术。\n")
    assert caught.value.reason == "no_questions"


def test_numbered_paragraph_questions_and_their_continuation() -> None:
    note = "9.大模型为什么都用decoder-only\n\n表达能力更强。\n\n10.领域大模型训练Trick\n\n混合通用语料。\n"
    assert [p.question for p in pairs(note)] == ["大模型为什么都用decoder-only？", "请介绍领域大模型训练Trick。"]


def test_a_thematic_break_ends_the_question_before_it() -> None:
    note = "1. 过拟合的信号有哪些？\n\n验证集损失上升。\n\n---\n\n还给了三道算法题。\n"
    [pair] = pairs(note)
    assert (pair.answer, pair.line_end) == ("验证集损失上升。", 3)


def test_q_and_a_lines_in_markdown() -> None:
    note = (
        "**问题**：T5 和 Transformer 有何不同？\n**答**：T5 把任务都写成文本到文本。\n\n"
        "Q: 什么是 SFT？\n\nA: 有监督微调。\n"
    )
    first, second = pairs(note)
    assert (first.question, first.answer) == ("T5 和 Transformer 有何不同？", "T5 把任务都写成文本到文本。")
    assert (second.question, second.answer) == ("什么是 SFT？", "有监督微调。")


def test_bold_question_lines_and_a_faq_of_plain_question_lines() -> None:
    assert [p.question for p in pairs("**什么是量化？**\n\n降低精度。\n\n**什么是剪枝？**\n\n去掉权重。\n")] == [
        "什么是量化？",
        "什么是剪枝？",
    ]
    assert [p.answer for p in pairs("什么是量化？\n\n降低精度。\n\n什么是剪枝？\n\n去掉权重。\n")] == [
        "降低精度。",
        "去掉权重。",
    ]
    with pytest.raises(DocumentProblem):  # one bare question line inside prose is prose
        parse_qa("随想\n\nAI时代做什么？\n\n不知道。\n")


def test_tables_and_formulas_stay_intact() -> None:
    table = "| 方面 | T5 |\n|---|---|\n| 位置编码 | 相对 \\| 可学习 |"
    math = "$$\n1. x = \\frac{a}{b}\n$$"
    [pair] = pairs(f"## 注意力公式是什么？\n\n{table}\n\n{math}\n\n其中 $d\\_k$ 是维度，top\\_k 取 5。\n")
    assert pair.answer == f"{table}\n\n{math}\n\n其中 $d\\_k$ 是维度，top_k 取 5。"


def test_escapes_are_removed_outside_code_only() -> None:
    [pair] = pairs("## \\[CLS\\] 是什么？\n\n`a\\_b` 之外 \\[CLS\\] 和 top\\_k 没有转义。\n\n```\nx\\_y\n```\n")
    assert pair.question == "[CLS] 是什么？"
    assert pair.answer == "`a\\_b` 之外 [CLS] 和 top_k 没有转义。\n\n```\nx\\_y\n```"


def test_kangxi_and_compatibility_look_alikes_are_folded() -> None:
    [pair] = pairs("## 这⾥为什么⽤⼀个⽅法？\n\n因为這⾥更快\uf900。\n")
    assert pair.question == "这里为什么用一个方法？"
    assert pair.answer == "因为這里更快豈。"


@pytest.mark.parametrize(
    ("images", "answer"),
    [
        ("drop", "如图所示。\n\n结构如上。"),
        ("alt_text", "如图所示。\n\n模型结构图\n\n结构如上。"),
    ],
)
def test_image_policies(images: str, answer: str) -> None:
    note = "## 结构是怎样的？\n\n如图所示。\n\n![模型结构图](..%2Fimg%2Fa.png)\n\n![img_3.png](b.png)\n\n结构如上。\n"
    [pair] = pairs(note, images=images)
    assert pair.answer == answer


def test_keep_images_resolves_paths_and_drops_dead_ones(tmp_path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"png")
    note = tmp_path / "notes" / "n.md"
    note.parent.mkdir()
    text = '## 结构？\n\n![图](..%2Fimg%2Fa.png)\n\n![死链](missing.png) <img src="https://x.cn/c.png">\n'
    [pair] = [i for i in parse_qa(text, MarkdownConfig(images="keep"), note) if isinstance(i, QaPair)]
    assert pair.answer == f'![图]({(tmp_path / "img" / "a.png").as_posix()})\n\n <img src="https://x.cn/c.png">'


def test_reference_link_lists_are_dropped_and_link_only_answers_rejected() -> None:
    note = (
        "## 什么是LoRA？\n\n低秩适配。\n\n* [论文](https://arxiv.org/abs/2106.09685)\n"
        "* [代码](https://github.com/x)\n\n### Reference\n\n"
        "* [博客](https://x.cn)\n\n## 复读机问题怎么解决？\n\n"
        "具体可参考：https://zhuanlan.zhihu.com/p/1\n"
    )
    [pair] = pairs(note)
    assert (pair.answer, pair.line_end) == ("低秩适配。", 3)
    assert problems(note) == [(12, "link_only_answer")]  # the Reference list went with the whole answer


def test_a_question_without_answer_is_rejected_in_a_note_with_others() -> None:
    assert problems(
        "## 什么是SFT？\n\n有监督微调。\n\n## 什么是DPO？\n\n## 中文分词\n\n### jieba 怎么加词？\n\nadd_word。\n"
    ) == [(5, "no_answer")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty_document"),
        ("  \n\n", "empty_document"),
        ("只有一段话。", "no_questions"),
        ("# 标题\n\n## 第一章\n\n### 1.1 小节\n\n## 第二章\n", "no_questions"),
        ("## 只有图\n\n![a](a.png)\n", "no_questions"),
    ],
)
def test_documents_without_pairs_are_problems(text: str, reason: str) -> None:
    with pytest.raises(DocumentProblem) as caught:
        parse_qa(text)
    assert caught.value.reason == reason


def test_indented_chinese_prose_is_not_kept_as_code() -> None:
    [pair] = pairs("9.大模型为什么用decoder-only\n\n      a）方便多轮对话；\n\n      b）更易零样本。\n")
    assert pair.answer == "a）方便多轮对话；\n\nb）更易零样本。"
