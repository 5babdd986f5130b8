from __future__ import annotations

import pytest

from pipeline.collect.markdown import DocumentProblem, QaPair, parse_qa

NUMBERED = """1. 💡如果想要全参数微调，需要多少显存？

```text
要考虑模型大小和批量大小。
```

2. 💡为什么SFT之后感觉LLM傻了

```text
1.数据偏移
2.过拟合
```

3. LoRA 论文

[LoRA..ETC.md](../langchain/LoRA..ETC.md)
"""

HEADINGS = """# 笔记标题

前言不算问题。

## 中文分词

### jieba 怎么加载词典？

调用 load_userdict：

```python
import jieba
# 1. 这不是问题
jieba.load_userdict("dict.txt")
```

1. 每行一个词
2. 可以带词频

## 空的问题？

## 最后一个问题

答案。
"""


def pairs(text: str) -> list:
    return [(i.line, i.question, i.answer) if isinstance(i, QaPair) else (i.line, i.reason) for i in parse_qa(text)]


def test_numbered_questions_with_fenced_answers() -> None:
    assert pairs(NUMBERED) == [
        (1, "如果想要全参数微调，需要多少显存？", "要考虑模型大小和批量大小。"),
        (7, "为什么SFT之后感觉LLM傻了", "1.数据偏移\n2.过拟合"),
        (14, "link_only_answer"),
    ]


def test_headings_are_questions_and_code_blocks_stay_intact() -> None:
    result = pairs(HEADINGS)
    questions = [item[1] for item in result]
    assert questions == ["jieba 怎么加载词典？", "空的问题？", "最后一个问题"]
    code_answer = result[0][2]
    assert '```python\nimport jieba\n# 1. 这不是问题\njieba.load_userdict("dict.txt")\n```' in code_answer
    assert code_answer.endswith("1. 每行一个词\n2. 可以带词频")
    assert result[1] == (20, "空的问题？", "")


def test_numbered_lines_ending_in_a_question_mark_are_questions_in_heading_documents() -> None:
    assert pairs("前言\n\n1. 什么是SFT？\n有监督微调。\n") == [(3, "什么是SFT？", "有监督微调。")]


@pytest.mark.parametrize(
    ("text", "reason"), [("", "empty_document"), ("  \n\n", "empty_document"), ("只有一段话。", "no_questions")]
)
def test_documents_without_pairs_are_problems(text: str, reason: str) -> None:
    with pytest.raises(DocumentProblem) as caught:
        parse_qa(text)
    assert caught.value.reason == reason
