"""What a line of a note says: a question, an instruction, a step of a procedure, or a topic.

The word lists come from reading the tuned half of the gold notes (bench/quality/markdown/) and
the GUIDE the labellers followed: a question asks ("什么是", "为什么", "?"), an instruction asks
for work ("简述", "解释一下", "写出"), a step starts with an action ("加载数据", "训练模型"), and
anything else is a topic ("2.2 WordPiece", "卷积层参数") that a user could still ask about.
"""

from __future__ import annotations

import re
from typing import Literal

# "3.6 ", "1、", "（2）", "(3)", "一、", "第一题--", "6-5 "; never "3D", "2.5D" or the year of "2024 年".
NUMBERING = re.compile(
    r"^\s*(?:"
    r"[0-9０-９]{1,3}(?:[.．\-][0-9０-９]{1,3})*(?:[.．、):：）]+(?![0-9])|[\s\-—]+)"
    r"|[(（][0-9０-９一二三四五六七八九十]+[)）]"
    r"|[一二三四五六七八九十百]+\s*[、.．:：]"
    r"|第[一二三四五六七八九十0-9]+\s*[题章节部分步问]\s*[:：、.\-—]*"
    r"|[①-⑳]"
    r")\s*"
)
_MARK = r"^\s*(?:[*_]{{2}})?\s*(?:{words})\s*[0-9]{{0,3}}\s*(?:[*_]{{2}})?\s*[:：]\s*(?:[*_]{{2}})?\s*"
QUESTION = re.compile(_MARK.format(words="Q|Question|问|问题|提问"), re.IGNORECASE)
ANSWER = re.compile(_MARK.format(words="A|Answer|答|回答|答案|解答"), re.IGNORECASE)
_TITLE_MARK = re.compile(_MARK.format(words="Q|Question|QA|Q&A|FAQ|问|问题|提问"), re.IGNORECASE)
_ASKING = re.compile(
    r"[?？]|什么|为什么|为何|如何|怎么|怎样|咋|啥|哪些|哪个|哪种|哪里|哪儿|多少|几种|几个|是否|能否|可否|有没有|是不是"
    r"|[吗呢][。.]?$|一下|^请(?!求)|^(?:简述|简要|试述|论述|描述|解释|说明|列举|比较|对比|谈谈|说说|讲讲|聊聊|介绍|写出"
    r"|写一个|实现(?!方式|方法|细节|原理|过程|思路|逻辑|机制)|推导|证明|计算|分析|总结|概述|设计(?!思路|理念|原则|目标|模式|哲学)|举例|阐述|区分)"
    r"|(?:介绍|简介|解释|讲解|详解|说明|概述|总结|对比|比较|分析)(?:一下)?$"
    r"|区别|差异|差别|异同|\S\s+(?:vs\.?|versus)\s+\S|(?:^|\s)(?:what|why|how|when|which|who|where|whether|is|are|can|does|do|should|explain"
    r"|describe|compare|list|write|implement|define)\b",
    re.IGNORECASE,
)
_OUTRIGHT = re.compile(
    r"[?？]|什么|为什么|为何|如何|怎么|怎样|咋|啥|哪些|哪个|哪种|哪里|哪儿|多少|几种|几个|是否|能否|可否|有没有|是不是"
    r"|[吗呢][。.]?$|^(?:what|why|how|when|which|who|where|whether|is|are|can|does|do|should)\b",
    re.IGNORECASE,
)
_CAPTION_NOUN = re.compile(r"(?:介绍|简介|解释|讲解|详解|说明|概述|总结|分析)$")
_STEP = re.compile(
    r"^(?:首先|然后|接着|其次|最后|第[一二三四五六七八九十0-9]+步|步骤\s*[一二三四五六七八九十0-9]+|step\b|(?:安装|导入|加载|读取|准备|下载|构建|搭建|创建|定义"
    r"|设置|配置|初始化|训练|微调|评估|测试|验证|使用|调用|运行|部署|编写|保存|导出|推理|预测|检查|可视化|启动|执行"
    r"|生成|处理|清洗|转换|合并|拆分|注册|登录|打开|选择|输入|输出|提交|上传|存储|检索|索引|切分|分块|嵌入|解析|提取|抽取|编译"
    r"|进入|访问|查看|修改|更新|卸载|唤醒|添加|启用|克隆|拉取|重启|停止)|(?:install|import|load|prepare|build"
    r"|create|define|set|configure|train|evaluate|test|use|run|deploy|save|export)\b)",
    re.IGNORECASE,
)
_INTERROGATIVE = {
    "what": {"what", "what is it", "what it is", "what is this", "concept", "concepts", "definition",
             "概念", "定义", "是什么", "什么是", "简介", "介绍", "概述", "overview", "introduction", "intro"},
    "how": {"how", "how to", "how it works", "usage", "用法", "使用", "怎么用", "如何使用", "怎么做", "如何实现",
            "实现"},
    "why": {"why", "为什么", "为何", "motivation", "动机"},
}  # fmt: skip
_EMPHASIS = re.compile(r"\*\*|__|~~|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")


def strip_numbering(text: str) -> str:
    return NUMBERING.sub("", text, count=1).strip()


def numbering_of(text: str) -> int | None:
    """The Arabic number that opens `text` ("9.大模型…" -> 9), if any."""
    match = re.match(r"^\s*[(（]?([0-9]{1,3})(?:[.．、):：）]|\s)", text)
    return int(match.group(1)) if match and NUMBERING.match(text) else None


def clean_title(text: str) -> str:
    """A heading or question line as words: no numbering, "Q1："-style marks, emphasis or leading emoji."""
    text = _TITLE_MARK.sub("", _EMPHASIS.sub("", text).strip(), count=1)
    text = _TITLE_MARK.sub("", strip_numbering(text), count=1)
    while text and not (text[0].isalnum() or text[0] in "([（【《“\"'`$"):
        text = text[1:].lstrip()
    return re.sub(r"\s+", " ", text).rstrip(" :：,，;；。")


def asks(text: str) -> bool:
    """Phrased as a question or an instruction (the GUIDE's "question"), numbering aside."""
    return bool(_ASKING.search(clean_title(text)))


def asks_outright(text: str) -> bool:
    """Asks with a question mark or a question word, not only by an instruction verb ("…说明")."""
    return bool(_OUTRIGHT.search(clean_title(text))) or interrogative(text) is not None


def is_caption(text: str) -> bool:
    """A label before the content it names ("**字段说明：**", "参数介绍:"): it asks only by a trailing noun."""
    if not text.rstrip().endswith(("：", ":")):
        return False
    words = clean_title(text)
    return not asks_outright(words) and bool(_CAPTION_NOUN.search(words)) and not asks(_CAPTION_NOUN.sub("", words))


def is_step(text: str, *, numbered: bool = False) -> bool:
    """Starts like a step of a procedure ("加载数据", "首先需要…", "Install the package").

    The action needs an object, unless the line is numbered: "### 训练" or "### 推理" alone
    names a stage (a topic), "4. 微调" then "5. 使用" are steps.
    """
    # the title as written first: clean_title takes "第一步:" for numbering and drops the mark
    for title in (_EMPHASIS.sub("", text).strip(), clean_title(text)):
        match = _STEP.match(title)
        if match and (numbered or re.search(r"\w", title[match.end() :])):
            return True
    return False


def step_verb(text: str) -> str | None:
    """The verb a step-like title opens with ("使用" of "使用CLI"), or None."""
    match = _STEP.match(clean_title(text))
    return match.group(0).casefold() if match else None


def interrogative(text: str) -> Literal["what", "how", "why"] | None:
    """A heading that is only a question word ("What", "How", "概念"): it asks about its parent."""
    word = clean_title(text).lower().rstrip("?？!！。.")
    return next((kind for kind, words in _INTERROGATIVE.items() if word in words), None)  # type: ignore[return-value]
