"""Which sections of a note become pairs: prefaces, FAQ chapters, steps, pointers, boilerplate, prose fences.

One small Chinese note per rule, written for these tests (the second round of the Markdown gold set,
bench/quality/markdown/, showed each case on its tuned part).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.collect.markdown import DocumentProblem, QaPair, parse_qa
from schemas.config import MarkdownConfig


def items(text: str, document: Path | None = None) -> list[QaPair | DocumentProblem]:
    return parse_qa(text, MarkdownConfig(), document)


def pairs(text: str, document: Path | None = None) -> list[QaPair]:
    return [item for item in items(text, document) if isinstance(item, QaPair)]


def problems(text: str) -> list[tuple[int | None, str]]:
    return [(item.line, item.reason) for item in items(text) if isinstance(item, DocumentProblem)]


def test_faq_chapters_named_like_stages_are_not_steps_of_one_answer() -> None:
    note = (
        "# 常见问题\n\n## 训练\n\n### Q1: 如何断点续训？\n\n设置 resume。\n\n"
        "## 推理\n\n### Q1: 如何用 vLLM 推理？\n\n加 --infer_backend vllm。\n\n"
        "## 部署\n\n### Q1: 支持 CPU 吗？\n\n支持。\n"
    )
    assert [p.question for p in pairs(note)] == ["如何断点续训？", "如何用 vLLM 推理？", "支持 CPU 吗？"]


def test_a_stage_name_alone_is_a_topic_but_numbered_it_is_a_step() -> None:
    stages = "## 快速上手\n\n### 训练\n\n运行 sft。\n\n### 推理\n\n运行 infer。\n\n### 合并\n\n运行 export。\n"
    assert [p.question for p in pairs(stages)] == [
        "请介绍快速上手中的训练。",
        "请介绍快速上手中的推理。",
        "请介绍快速上手中的合并。",
    ]
    steps = "## 微调教程\n\n1. 准备数据\n\n```text\n图片和标注\n```\n\n2. 训练\n\n```text\n运行 train\n```\n"
    [pair] = pairs(steps)
    assert (pair.question, pair.line, pair.line_end) == ("请介绍微调教程。", 1, 13)


@pytest.mark.parametrize(
    "answer",
    [
        "离线评测请参考EvalScope文档[快速上手](https://evalscope.cn/a)。",
        "- embedding数据格式见[自定义数据集](https://swift.cn/b)。\n- [reranker训练例子](https://github.com/c)。",
        "- 更多Shell脚本：[https://github.com/x](https://github.com/x)\n- 使用Python：[notebook](https://github.com/y)",
        "SWIFT提供的训练脚本：\n\n- [分类式](https://github.com/d)\n- [生成式](https://github.com/e)",
    ],
)
def test_an_answer_that_only_points_elsewhere_is_link_only(answer: str) -> None:
    note = f"## 怎么训练 Reranker？\n\n{answer}\n\n## 什么是 LoRA？\n\n低秩适配。\n"
    assert problems(note) == [(1, "link_only_answer")]


def test_a_clause_that_says_something_keeps_an_answer_with_links() -> None:
    note = "## 支持 Agentic RL 训练吗？\n\n支持，具体参考[多轮训练](https://swift.cn/multi_turn)。\n"
    [pair] = pairs(note)
    assert pair.answer == "支持，具体参考[多轮训练](https://swift.cn/multi_turn)。"


def test_the_lead_in_of_a_dropped_link_list_goes_with_it() -> None:
    note = "## 如何训练 Reranker？\n\n先准备数据。\n\n训练脚本：\n\n- [脚本](https://github.com/s)\n"
    [pair] = pairs(note)
    assert (pair.answer, pair.line_end) == ("先准备数据。", 3)


@pytest.mark.parametrize(
    ("heading", "question"),
    [
        ("Listwise vs Pointwise", "Listwise和Pointwise有什么区别？"),
        ("LoRA VS. 全参数微调", "LoRA和全参数微调有什么区别？"),
        ("实现方式", "请介绍Reranker中的实现方式。"),
        ("总结：T5 vs. 标准Transformer的核心差别", "T5和标准Transformer的核心差别是什么？"),
    ],
)
def test_versus_asks_for_a_difference_and_a_noun_of_method_is_a_topic(heading: str, question: str) -> None:
    [pair] = pairs(f"## Reranker\n\n### {heading}\n\n两种做法。\n")
    assert pair.question == question


def test_a_topic_over_topics_is_split_even_when_its_title_starts_like_an_instruction() -> None:
    note = "## 实现方式\n\n### 分类式\n\n加分类头。\n\n### 生成式\n\n比较 yes/no 的概率。\n"
    assert [p.answer for p in pairs(note)] == ["加分类头。", "比较 yes/no 的概率。"]


def test_a_bold_label_of_what_follows_is_not_a_question() -> None:
    note = '## 数据集格式\n\n```json\n{"messages": []}\n```\n\n**字段说明：**\n\n- `messages`：查询\n'
    [pair] = pairs(note)
    assert (pair.question, pair.line, pair.line_end) == ("请介绍数据集格式。", 1, 9)
    assert "**字段说明：**" in pair.answer


def test_a_bold_comparison_is_a_question() -> None:
    note = "## 损失函数\n\n**Listwise vs Pointwise：**\n\n- Listwise 学相对顺序\n"
    [pair] = pairs(note)
    assert (pair.question, pair.answer) == ("Listwise和Pointwise有什么区别？", "- Listwise 学相对顺序")


def test_a_numbered_line_out_of_its_run_is_prose() -> None:
    note = (
        "# GSPO\n\n三种算法：\n\n1. GRPO\n按 token 计算比值\n\n$$\nw_t\n$$\n\n"
        "2. GSPO\n\n按序列计算比值\n\n$$\nw\n$$\n\n3. GSPO-token\n两者结合\n"
    )
    [pair] = pairs(note)
    assert (pair.question, pair.line, pair.line_end) == ("请介绍GSPO。", 1, 21)


def test_numbered_question_lines_may_skip_a_number() -> None:
    note = "## 面试\n\n3. 如何减少多卡损耗？\n\n减少通信。\n\n5. CNN相关超参数调优\n\n学习率、批量。\n"
    assert [p.question for p in pairs(note)] == ["如何减少多卡损耗？", "请介绍面试中的CNN相关超参数调优。"]


def test_a_question_paragraph_under_a_heading_is_not_repeated_in_its_preface() -> None:
    table = "| 方面 | T5 |\n|---|---|\n| 位置编码 | 相对 |"
    note = f"## T5 vs. Transformer\n\n{table}\n\n**问题**：分类要改什么？\n**例子**：加前缀。\n"
    first, second = pairs(note)
    assert (first.question, first.line, first.line_end) == ("T5和Transformer有什么区别？", 1, 5)
    assert "问题" not in first.answer
    assert (second.question, second.answer) == ("分类要改什么？", "**例子**：加前缀。")


def test_the_preface_of_a_documentation_page_answers_what_it_is(tmp_path: Path) -> None:
    note = (
        "# 采样\n\n采样是 SWIFT 的重要能力，可理解为 test-time compute 的落地。\n\n"
        "## 环境准备\n\n安装 vllm。\n\n## 显存控制\n\n分两段运行。\n"
    )
    first, *rest = pairs(note, tmp_path / "Sample.md")
    assert (first.question, first.line, first.line_end) == ("请介绍采样。", 1, 3)
    assert first.answer == "采样是 SWIFT 的重要能力，可理解为 test-time compute 的落地。"
    assert [p.question for p in rest] == ["请介绍采样中的环境准备。", "请介绍采样中的显存控制。"]


def test_a_preface_with_a_list_answers_even_below_the_title() -> None:
    note = (
        "# 代码优化代理\n\n## 关键点\n\n要点如上。\n\n"
        "## 关键步骤\n\n1. **准备数据**：收集函数\n2. **定义奖励**：速度\n\n"
        "### 1. 数据\n\n十个函数。\n"
    )
    questions = [(p.question, p.line, p.line_end) for p in pairs(note)]
    assert questions == [
        ("请介绍代码优化代理中的关键点。", 3, 5),
        ("请介绍代码优化代理中的关键步骤。", 7, 10),
        ("请介绍关键步骤中的数据。", 12, 14),
    ]


@pytest.mark.parametrize(
    "preface",
    [
        "下面是使用中的一些常见问题。",  # announces what follows
        "本节先介绍背景。",
        "这份笔记记录复习时整理的问题，答案是自己的理解。",  # speaks of the note
        "答案是自己的理解，欢迎指正。",
        "SWIFT 在 GRPO 的基础上做了几种改进，分别是",  # leads into its sub-sections
        "最佳实践请参考[这里](https://github.com/p)。",  # points elsewhere
    ],
)
def test_a_preface_that_introduces_or_points_is_not_released(preface: str) -> None:
    note = f"# 强化学习\n\n{preface}\n\n## 采样\n\n生成候选。\n\n## 过滤\n\n用 ORM 打分。\n"
    assert [p.line for p in pairs(note)] == [5, 9]


def test_a_preface_is_not_released_when_a_sub_section_says_what_the_section_is() -> None:
    note = "# 强化微调\n\n强化微调是重要的功能之一。\n\n## 强化微调的概念\n\n先采样再训练。\n\n## 实验\n\n效果提升。\n"
    assert [p.line for p in pairs(note)] == [5, 9]


def test_a_paragraph_preface_below_the_title_stays_out() -> None:
    note = "# 笔记\n\n## 数据集\n\n内置很多数据集。\n\n### 如何用自定义数据集？\n\n写 jsonl。\n\n## 模型\n\n见列表。\n"
    assert [p.line for p in pairs(note)] == [7, 11]


@pytest.mark.parametrize("heading", ["附注", "Reference(参考文档)", "License", "目录", "了解更多"])
def test_boilerplate_sections_are_rejected_with_their_reason(heading: str) -> None:
    note = f"## 什么是 LCEL？\n\n管道语法。\n\n## {heading}\n\n优化之后就是 LCEL 了，作者整理于 2024 年。\n"
    assert [p.line for p in pairs(note)] == [1]
    assert problems(note) == [(5, "boilerplate_section")]


def test_questions_inside_a_topic_prose_fence_become_pairs() -> None:
    note = (
        "### 全连接层\n\n```text\n全连接层把特征映射到类别。\n输出个数是类别数。\n\n"
        "全连接层与卷积层的区别?\n卷积层局部连接，全连接层全局。\n\n卷积层代替全连接层的好处?\n输入尺寸可以任意。\n```\n"
    )
    first, second, third = pairs(note)
    assert (first.question, first.answer, first.line, first.line_end) == (
        "请介绍全连接层。",
        "全连接层把特征映射到类别。\n输出个数是类别数。",
        1,
        5,
    )
    assert (second.question, second.answer, second.line, second.line_end) == (
        "全连接层与卷积层的区别?",
        "卷积层局部连接，全连接层全局。",
        7,
        8,
    )
    assert (third.answer, third.line, third.line_end) == ("输入尺寸可以任意。", 10, 12)


@pytest.mark.parametrize(
    "fence",
    [
        "```text\n有点像分布式系统。\n\n梯度如何在设备之间通信？\n每步结束后求平均。\n```",  # under a question
        "```text\n主要是通信损耗\n    噢~ 这个通信是指不同机器之间的吗?\n对,卡与卡之间\n```",  # a dialogue
        "```python\nx = 1\n\n# 为什么要这样?\nprint(x)\n```",  # code
    ],
)
def test_a_question_inside_a_fence_stays_in_the_answer_otherwise(fence: str) -> None:
    [pair] = pairs(f"## 如何多卡并行？\n\n{fence}\n")
    assert pair.question == "如何多卡并行？"


def test_a_topic_dialogue_fence_is_not_cut_either() -> None:
    [pair] = pairs("## 多卡训练\n\n```text\n主要是通信损耗\n    噢~ 是指不同机器之间的吗?\n对,卡与卡之间\n```\n")
    assert pair.question == "请介绍多卡训练。"


def test_lines_answered_by_the_fence_below_them_are_questions_beside_q_lines() -> None:
    note = (
        "### How\n\nQ0:什么是tensor?\n\n```text\n多维数组\n```\n\nQ8:Trainer的基础使用\n\n"
        "Pytorch如何使用多gpu?\n```text\ndp: model = nn.DataParallel(model)\n```\n"
        "nn.Functional和nn.Module区别\n```text\n高层API和低层函数\n```\n"
        "反向传播的流程\n\n```text\nloss.backward(); optimizer.step()\n```\n"
        "示例代码如下：\n```python\nprint(1)\n```\n"
    )
    found = pairs(note)
    assert [p.question for p in found] == [
        "什么是tensor?",
        "Pytorch如何使用多gpu?",
        "nn.Functional和nn.Module区别是什么？",
        "请介绍How中的反向传播的流程。",
    ]
    assert "print(1)" in found[-1].answer  # a label that announces code stays in the answer before it


def test_one_asking_line_before_a_fence_is_prose_not_a_question_list() -> None:
    note = "## 安装\n\n怎么安装？\n```bash\npip install swift\n```\n\n然后运行\n```bash\nswift sft\n```\n"
    [pair] = pairs(note)
    assert (pair.question, pair.line_end) == ("请介绍安装。", 11)


def test_q_and_a_written_as_list_items_are_pairs() -> None:
    note = (
        "### What\n\n- Q1:pytorch和tensorflow核心区别是什么?\n- A1:动态图优先还是静态图优先\n\n\n"
        "- Q2:什么是深度学习?\n- A2:机器学习的分支\n  深度指网络的层数多\n"
    )
    found = pairs(note)
    assert [(p.question, p.answer) for p in found] == [
        ("pytorch和tensorflow核心区别是什么?", "动态图优先还是静态图优先"),
        ("什么是深度学习?", "机器学习的分支 深度指网络的层数多"),
    ]


def test_bold_lines_that_title_the_text_below_are_sub_headings() -> None:
    note = (
        "## 自定义奖励函数\n\n奖励函数接受completions作为参数。\n\n**获取数据集中的其他列**\n\n"
        "通过kwargs取solution列。\n\n**使用自定义奖励函数**\n\n用--external_plugins加载。\n\n"
        "**字段说明：**\n\n- solution：参考答案\n"
    )
    found = pairs(note)
    assert [p.question for p in found] == [
        "请介绍自定义奖励函数。",
        "请介绍自定义奖励函数中的获取数据集中的其他列。",
        "请介绍使用自定义奖励函数。",
    ]
    assert "solution：参考答案" in found[-1].answer  # a caption stays in the answer


def test_a_numbered_answer_far_from_the_list_of_questions_keeps_its_number() -> None:
    note = (
        "面试问题\n```text\n1.微调细节\n2.deepspeed之类的了解\n3.ffn的细节\n4.多模态是什么?\n```\n\n"
        "### DeepSpeed\n```text\n微软的训练优化库\n```\n\n3. ffn\n```text\nFFN是两层线性变换\n```\n\n"
        "4. 多模态\n```text\n文本、图像、音频等\n```\n"
    )
    expected = ["请介绍DeepSpeed。", "请介绍DeepSpeed中的ffn。", "请介绍DeepSpeed中的多模态。"]
    assert [p.question for p in pairs(note)] == expected


def test_steps_stay_one_answer_beside_a_reference_section_and_acknowledgements_are_boilerplate() -> None:
    note = (
        "## Example\n\n1. 加载 网页\n```python\nload()\n```\n\n2. 拆分 文档\n```python\nsplit()\n```\n\n"
        "3. 检索 片段\n```python\nretrieve()\n```\n\n### Reference\n\n- [文档](https://a.cn)\n\n"
        "### 特别鸣谢\n\n感谢张老师提供思路和很多帮助。\n"
    )
    [pair] = pairs(note)
    assert pair.question == "请介绍Example。" and "retrieve()" in pair.answer
    assert "a.cn" not in pair.answer and "张老师" not in pair.answer and pair.line_end == 16


def test_an_opening_preface_keeps_what_it_says_without_the_roadmap() -> None:
    note = (
        "# 知识蒸馏\n\n知识蒸馏让学生模型在每个 token 上向教师的分布靠拢。\n\n"
        "本文档自顶向下地介绍：为什么有效，以及 swift 中的方法。\n\n"
        "## GKD\n\n散度作为直接损失。\n\n## OPD-RL\n\nKL 作为优势。\n"
    )
    first = pairs(note)[0]
    assert (first.question, first.answer, first.line, first.line_end) == (
        "请介绍知识蒸馏。",
        "知识蒸馏让学生模型在每个 token 上向教师的分布靠拢。",
        1,
        3,
    )


def test_a_preface_that_opens_by_announcing_stays_out_whole() -> None:
    note = "# 采样\n\n本文介绍采样的两种用法。\n\n采样很快。\n\n## 离线\n\n用 sample。\n\n## 在线\n\n用 rollout。\n"
    assert [p.question for p in pairs(note)] == ["请介绍采样中的离线。", "请介绍采样中的在线。"]


def test_sub_titles_with_one_verb_are_ways_not_steps() -> None:
    note = (
        "## 推理\n\n### 使用CLI\n\n运行 swift infer。\n\n### 使用Web-UI\n\n运行 swift web-ui。\n\n"
        "### 使用Python\n\n调用 TransformersEngine。\n"
    )
    assert [p.answer for p in pairs(note)] == ["运行 swift infer。", "运行 swift web-ui。", "调用 TransformersEngine。"]
    steps = "## 快速上手\n\n### 下载模型\n\n运行 download。\n\n### 加载数据\n\n运行 load。\n\n### 训练模型\n\n运行。\n"
    [whole] = pairs(steps)
    assert whole.question == "请介绍快速上手。"


def test_a_bold_label_with_a_colon_titles_its_block_unless_it_is_a_caption() -> None:
    note = (
        "### 使用CLI\n\n**全参数模型：**\n```shell\nswift infer --model Qwen\n```\n\n"
        "**LoRA模型：**\n```shell\nswift infer --adapters lora\n```\n\n**参数说明：**\n\n- adapters：LoRA 路径\n"
    )
    found = pairs(note)
    assert [p.question for p in found] == ["请介绍使用CLI中的全参数模型。", "请介绍使用CLI中的LoRA模型。"]
    assert "adapters：LoRA 路径" in found[-1].answer


def _code(lines: int, word: str) -> str:
    return "```python\n" + "".join(f"{word}_{n}()\n" for n in range(lines)) + "```\n"


def test_plain_labels_over_long_blocks_title_them_and_short_ones_stay_captions() -> None:
    long = f"### 使用Python\n\n文本模型：\n{_code(12, 'text')}\n多模态模型：\n{_code(12, 'vision')}"
    found = pairs(long)
    assert [p.question for p in found] == ["请介绍使用Python中的文本模型。", "请介绍使用Python中的多模态模型。"]
    assert "vision_0()" not in found[0].answer and "vision_11()" in found[1].answer
    short = f"### 实验现象\n\n模型越来越会做题。\n\nstep 1:\n{_code(2, 'first')}\nstep 200:\n{_code(2, 'later')}"
    [whole] = pairs(short)
    assert "first_0()" in whole.answer and "later_1()" in whole.answer
    leads = f"### 训练\n\n训练脚本如下：\n{_code(12, 'train')}\n推理结果如下：\n{_code(12, 'infer')}"
    assert len(pairs(leads)) == 1


def test_a_long_procedure_is_split_at_its_steps() -> None:
    steps = "## 接入新模型\n\n" + "".join(
        f"### {title}\n\n{_code(60, word)}\n"
        for title, word in (("下载模型", "download"), ("注册模型", "register"), ("测试准确性", "test"))
    )
    assert [p.question for p in pairs(steps)] == [
        "请介绍接入新模型中的下载模型。",
        "请介绍接入新模型中的注册模型。",
        "请介绍接入新模型中的测试准确性。",
    ]


def test_a_question_answered_before_its_sub_sections_does_not_swallow_them() -> None:
    note = (
        "## 为什么需要蒸馏？\n\nSFT 的信号稀疏。\n\n| 方法 | 信号 |\n|---|---|\n| SFT | 稀疏 |\n\n"
        "蒸馏给出稠密信号。\n\n### SFT 是蒸馏的一个特例\n\n教师是 one-hot 分布。\n"
    )
    found = pairs(note)
    assert [p.question for p in found] == ["为什么需要蒸馏？", "请介绍为什么需要蒸馏中的SFT 是蒸馏的一个特例。"]
    assert "one-hot" not in found[0].answer and "one-hot" in found[1].answer
    brief = "## 算法简单理解？\n\n### G（生成式）\n\n生成文本。\n\n### P（预训练）\n\n先预训练。\n"
    [whole] = pairs(brief)
    assert "生成文本" in whole.answer and "先预训练" in whole.answer


def test_an_faq_list_gives_a_pair_per_problem_with_its_answer() -> None:
    note = (
        "## 快速问答\n\n"
        "1. 量化时出现 Out of Memory：可以减小 `--calib-seqlen`。\n"
        "2. 量化时无法下载数据集。可以设置 `HF_ENDPOINT` 镜像。\n"
        "3. 支持 CPU 吗？不支持。\n\n"
        "## 常见问题\n\n"
        "- **RuntimeError: An attempt has been made to start a new process**.\n\n"
        "  请在脚本入口加上 main 判断：\n\n  ```python\n  if __name__ == '__main__':\n  ```\n\n"
        "- **如何指定显卡？**\n\n  设置 `CUDA_VISIBLE_DEVICES`。\n"
    )
    found = pairs(note)
    assert [(p.question, p.line) for p in found] == [
        ("量化时出现 Out of Memory怎么办？", 3),
        ("量化时无法下载数据集怎么办？", 4),
        ("支持 CPU 吗？", 5),
        ("RuntimeError: An attempt has been made to start a new process怎么办？", 9),
        ("如何指定显卡？", 17),
    ]
    assert found[0].answer == "可以减小 `--calib-seqlen`。" and found[2].answer == "不支持。"
    assert "__main__" in found[3].answer and "CUDA_VISIBLE_DEVICES" not in found[3].answer


def test_a_list_under_a_heading_that_is_no_faq_stays_its_answer() -> None:
    steps = "## 注意事项\n\n1. 量化时显存要够：至少 24 GB。\n2. 数据集要能下载。否则设置镜像。\n"
    [whole] = pairs(steps)
    assert "24 GB" in whole.answer and "设置镜像" in whole.answer
    lone = "## 常见问题\n\n- 显存不足：减小 batch。\n- 更多问题见 [FAQ](faq.md)\n"
    [whole] = pairs(lone)
    assert "减小 batch" in whole.answer


def test_marked_steps_and_steps_that_enter_or_view_are_one_procedure() -> None:
    marked = (
        "# 权重更新\n\n以下是权重更新的步骤：\n\n## 步骤 1: 启动服务\n\n运行 serve。\n\n"
        "## 步骤 2: 卸载权重\n\n调用 sleep。\n\n## 步骤 3: 唤醒引擎\n\n调用 wakeup。\n"
    )
    [whole] = pairs(marked)
    assert "运行 serve" in whole.answer and "调用 wakeup" in whole.answer
    numbered = (
        "## 使用说明\n\n1. **进入监控目录**\n\n```\ncd monitoring\n```\n\n"
        "2. **访问监控界面**\n\n打开 3000 端口。\n\n3. **查看仪表盘**\n\n选择 LMDeploy。\n"
    )
    [whole] = pairs(numbered)
    assert "cd monitoring" in whole.answer and "选择 LMDeploy" in whole.answer


def test_a_title_opening_with_qing_qiu_names_a_topic_not_a_request() -> None:
    note = "# 请求分发服务器\n\n将多个服务并联。\n\n## 节点管理\n\n增删节点。\n\n## 分发策略\n\n随机或最短延迟。\n"
    assert [p.question for p in pairs(note)][-2:] == [
        "请介绍请求分发服务器中的节点管理。",
        "请介绍请求分发服务器中的分发策略。",
    ]


def test_collapsed_examples_are_pairs_and_the_example_they_follow_is_one_too() -> None:
    note = (
        "# MiniCPM-V\n\n## 离线推理\n\n以下是使用 pipeline 进行离线推理的示例：\n\n"
        "```python\npipe = pipeline('openbmb/MiniCPM-V-2_6')\nprint(pipe(('描述这张图', image)))\n```\n\n"
        "更多例子如下：\n\n"
        "<details>\n  <summary>\n    <b>多张图片，多轮对话</b>\n  </summary>\n\n"
        "```python\nmessages = [dict(role='user', content=[image1, image2])]\n```\n\n</details>\n\n"
        "<details>\n  <summary>\n    <b>视频对话</b>\n  </summary>\n\n"
        "```python\nframes = load_video('red-panda.mp4')\n```\n\n</details>\n\n"
        "## 在线服务\n\n运行 `lmdeploy serve api_server`。\n"
    )
    found = pairs(note)
    assert [p.question for p in found] == [
        "请介绍MiniCPM-V中的离线推理。",
        "请介绍离线推理中的多张图片，多轮对话。",
        "请介绍离线推理中的视频对话。",
        "请介绍MiniCPM-V中的在线服务。",
    ]
    example, images, video, _ = found
    assert "离线推理的示例" in example.answer and "pipe(" in example.answer and "image1" not in example.answer
    assert "image1" in images.answer and "<summary>" not in images.answer and "frames" not in images.answer
    assert "load_video" in video.answer and (video.line, video.line_end) == (25, 32)


def test_one_collapsed_block_is_folded_detail_of_its_section() -> None:
    note = (
        "## 镜像\n\n可用的镜像：\n\n```\nmodelscope:swift4.4\n```\n\n"
        "<details><summary>历史镜像</summary>\n\n```\nmodelscope:swift4.3\n```\n\n</details>\n"
    )
    [whole] = pairs(note)
    assert "swift4.4" in whole.answer and "swift4.3" in whole.answer


def test_sub_sections_after_a_complete_example_are_questions_not_steps() -> None:
    note = (
        "## 基本用法\n\n```python\npipe = pipeline('InternVL2_5-8B')\n```\n\n"
        "除了 (prompt, image) 结构外，pipeline 也支持 openai 格式的提示词：\n\n"
        "```python\npipe([{'role': 'user', 'content': '描述图片'}])\n```\n\n"
        "### 设置多卡并行\n\n传入 `tp=2`。\n\n### 设置上下文长度\n\n传入 `session_len`。\n\n"
        "### 获取生成 token 的 logits\n\n设置 `output_logits`。\n"
    )
    found = pairs(note)
    assert [p.question for p in found] == [
        "请介绍基本用法。",
        "请介绍基本用法中的设置多卡并行。",
        "请介绍基本用法中的设置上下文长度。",
        "请介绍基本用法中的获取生成 token 的 logits。",
    ]
    assert "openai" in found[0].answer and "tp=2" not in found[0].answer
    short = "## 部署\n\n按下面的步骤部署。\n\n### 安装依赖\n\n运行 pip。\n\n### 启动服务\n\n运行 serve。\n"
    [whole] = pairs(short)
    assert "运行 pip" in whole.answer and "运行 serve" in whole.answer


def test_a_citation_request_and_its_bibtex_are_boilerplate() -> None:
    note = (
        "# 数据污染评估\n\n## 基于自建数据的标注\n\n运行 `eval_contamination.py`，比较 test 与 ref 的困惑度。\n\n"
        "如果使用了该方法，请添加引用:\n\n```bibtex\n@misc{2023opencompass,\n  year={2023}\n}\n```\n\n"
        "## 引用\n\n```bibtex\n@misc{needlebench,\n  year={2024}\n}\n```\n"
    )
    [pair] = pairs(note)
    assert "困惑度" in pair.answer and "@misc" not in pair.answer and "请添加引用" not in pair.answer
    assert (15, "boilerplate_section") in problems(note)


def test_an_introduction_that_names_its_example_or_a_prerequisite_is_no_answer() -> None:
    example = (
        "# 代码评测教程\n\n这里以 `humaneval` 和 `mbpp` 为例，主要介绍如何评测模型的代码能力。\n\n"
        "## pass@1\n\n直接运行 humaneval 配置。\n"
    )
    assert [p.question for p in pairs(example)] == ["请介绍代码评测教程中的pass@1。"]
    prerequisite = (
        "# 配置数据集\n\n本节教程主要关注如何选择和配置数据集。请确保你已按照[数据集准备](install.md)下载好数据集。\n\n"
        "## 目录结构\n\n每个数据集一个文件夹。\n"
    )
    assert [p.line for p in pairs(prerequisite)] == [5]
    aside = (
        "# 大海捞针\n\n## 评估步骤\n\n> 注意：数据集会自动从 Huggingface 加载。\n\n### 安装\n\n运行 pip。\n\n"
        "### 配置数据集\n\n已预先配置好 4k 到 1000k 的长度区间。\n"
    )
    assert [p.line for p in pairs(aside)] == [7, 11]


def test_a_sub_section_that_splits_into_questions_is_no_step_of_a_procedure() -> None:
    note = (
        "### 评估示例\n\n#### 使用 VLLM 部署的模型进行评估\n\n##### 本地评估\n\n运行 `opencompass --local`。\n\n"
        "##### 在 Slurm 集群上评估\n\n运行 `opencompass --slurm`。\n\n"
        "#### 评估其他 Huggingface 模型\n\n修改 models 配置。\n"
    )
    assert [p.line for p in pairs(note)] == [5, 9, 13]
    numbered = (
        "# 多节点部署\n\n## 1. 创建容器\n\n运行 docker。\n\n"
        "## 2. 搭建集群\n\n### 2.1 启动主节点\n\n运行 ray start --head。\n\n"
        "### 2.2 加入集群\n\n运行 ray start --address。\n"
    )
    [whole] = pairs(numbered)
    assert "docker" in whole.answer and "--address" in whole.answer


def test_steps_the_author_announces_or_marks_are_one_procedure() -> None:
    announced = (
        "# Intern-S1评测教程\n\n请顺序执行下列步骤来启动评测。\n\n## 模型下载与部署\n\n从 Huggingface 获取权重。\n\n"
        "## 评测配置\n\n### 模型配置\n\n填写 api 地址。\n\n### 数据集配置\n\n选择数据集。\n\n"
        "## 启动评测\n\n运行 opencompass。\n"
    )
    [whole] = pairs(announced)
    assert "获取权重" in whole.answer and "运行 opencompass" in whole.answer
    marked = (
        "# 评测 Lightllm 模型\n\n## 评测\n\n### 第一步: 将模型在本地以服务的形式起起来\n\n运行 lightllm。\n\n"
        "### 第二步: 评测上述模型\n\n运行 run.py。\n\n## 可视化\n\n打开报告。\n"
    )
    first, _ = pairs(marked)
    assert "运行 lightllm" in first.answer and "运行 run.py" in first.answer


def test_a_list_of_the_sub_sections_is_a_table_of_contents_not_an_answer() -> None:
    note = (
        "# 准备模型\n\n要支持新模型，有以下几种方式：\n\n1. 基于 HuggingFace 的模型\n2. 基于 API 的模型\n\n"
        "## 基于 HuggingFace 的模型\n\n写一个 HuggingFaceCausalLM 配置。\n\n"
        "## 基于 API 的模型\n\n写一个 OpenAI 配置。\n"
    )
    assert [p.line for p in pairs(note)] == [8, 12]


def test_a_design_rationale_heading_is_a_topic_not_an_instruction() -> None:
    note = "# 框架\n\n## 能力维度\n\n### 设计思路\n\n从通用人工智能的角度出发。\n\n### 通用能力\n\n语言、知识、推理。\n"
    assert pairs(note)[0].question == "请介绍能力维度中的设计思路。"
