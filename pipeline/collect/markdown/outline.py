"""A note's blocks as a tree of sections: headings, and the question lines inside their bodies.

Headings nest by level. Inside a heading's body (or before the first heading), a block can open a
section of its own when it reads as a question line:

- a "Q:"/"问：" paragraph (its answer may start on an "A:"/"答：" line of the same paragraph);
- a one-line numbered paragraph ("9.大模型为什么…") that asks, or that continues the numbering of
  the question lines before it ("11.领域大模型训练Trick" after "10.");
- a list of one single-line item followed by other blocks: numbered ("1. transformer模型结构图"
  then its ```text block) when it opens a run or goes on from the numbered question before it
  ("2. GSPO" alone, after a "1." of prose, is prose), or when its number is an item of a list
  numbered 1 to N earlier in the note ("12. ffn" answering an interview log's question 12), or
  bulleted when it asks ("- 什么是GPT？");
- a bold-only line that asks ("**什么是LoRA？**"), not a bold label of what follows ("**字段说明：**");
  in a body of two or more bold-only lines that are not captions, each of them (sub-headings in
  bold, "**LoRA模型：**" too);
- a plain line ending in a question mark, only in a body with two or more of them and no other
  kind of question line (an FAQ written without markup);
- a short line answered by the code block right below it (at most a blank line between:
  "Pytorch如何使用多gpu?" then its ```text block), in a body where two or more lines that ask are
  written so, a note that keeps its answers in fences; there a topic line before a fence opens a
  section too ("反向传播的流程"), a label that announces the code ("示例代码如下：") does not;
- the "Q1:" items of a list whose next item is their "A1:";
- the items of a list of questions (at least half of its items ask) that hold their own answer,
  indented below them; then the last item too, when it asks and its answer follows the list;
- under a heading that names an FAQ ("## 常见问题", "## 快速问答", "## FAQ"), the items of its
  lists that hold a question and its answer: a short first line with the answer indented below
  it ("- **RuntimeError: …**" then the fix), or one line cut at its first "：" or sentence end
  ("1. 量化时出现 Out of Memory：可以通过减小…"); a problem that does not ask becomes "…怎么办？";
- in a topic heading's prose fence, its question lines (`fences`);
- collapsed examples, `<details>` with its `<summary>` ("多图多轮对话") up to its `</details>`, in
  a body of two or more (as an HTML page's `<summary>` is a heading, `html`); one alone ("历史镜像",
  "GRPO算法伪代码") is folded detail of its section's answer.

A thematic break (`---`) ends the question line before it.

Nesting of question lines follows the order in which their kinds first appear in a body, as
reStructuredText orders its heading styles: in "### GPT", "- 什么是GPT？" then "1. G（生成式）"
puts the numbered lines under the bullet. A list that does not qualify stays content: a list under
a heading is that heading's answer, never a run of questions.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import pairwise

from pipeline.collect.markdown.blocks import Block, Item, item_source
from pipeline.collect.markdown.fences import split_at_questions
from pipeline.collect.markdown.phrases import (
    ANSWER,
    NUMBERING,
    QUESTION,
    asks,
    asks_outright,
    clean_title,
    is_caption,
    numbering_of,
)
from pipeline.collect.markdown.text import without_tags

_SHORT = 80  # a question line longer than this is a paragraph of an answer
_LABEL = 24  # a plain label ("多模态模型：") is a few words, never a sentence
_LABEL_BLOCK = 10  # lines under each plain label, to the next one: Inference-and-deployment's are 15 to 48
_COLON_LABEL = re.compile(r"[^，,。；;！!？?：:]+[：:]")
_NAMED_WAY = re.compile(r"(?:方案|方法|方式|选项|Option|Method)\s*[一二三四五六七八九十\d]+\s*[：:]", re.IGNORECASE)
_LEADS_OUT = re.compile(r"(?:如下|如下所示|包括|包含|有|为|是|修改前|修改后|之前|之后)\s*[：:]$")
_OPENS_SENTENCE = re.compile(r"(?:以下|如下|下面|这里|此处|例如|比如|首先|然后|接着|最后|注意|我们|你可以|您可以|可以)")
_FAQ = re.compile(
    r"(?:常见|高频)?(?:问题|问答)(?:解答|汇总|与解答)?|快速问答|疑难解答|故障排[查除]|问题排查"
    r"|FAQs?|Q\s*&\s*A|troubleshooting|(?:frequently asked )?questions(?: and answers)?",
    re.IGNORECASE,
)
_FAQ_PROBLEM = 200  # an FAQ's problem may quote a whole error message ("RuntimeError: An attempt …")
_FAQ_CUT = re.compile(r"[：。？?]")  # where a one-line FAQ item's problem ends and its answer begins
_SUMMARY = re.compile(r"^\s*<details\b[^>]*>\s*<summary\b[^>]*>(.*?)</summary>", re.IGNORECASE | re.DOTALL)
_DETAILS_END = re.compile(r"</details>\s*$", re.IGNORECASE)


@dataclass
class Section:
    """A question (or the document root) and its content, in source order.

    `content` interleaves blocks and child sections; a child's `opener` holds the blocks that show
    its question. An item that holds its own answer sits inside a list block of its parent's
    content, so it adds nothing more to the parent's answer (`nested=True`).
    """

    kind: str
    title: str
    line: int
    headings: tuple[str, ...] = ()
    opener: list[Block] = field(default_factory=list)
    content: list[Block | Section] = field(default_factory=list)
    depth: int = 0
    nested: bool = False
    number: int | None = None

    @property
    def children(self) -> list[Section]:
        return [part for part in self.content if isinstance(part, Section)]

    @property
    def lead(self) -> list[Block]:
        """The blocks before the first sub-section: the section's own text before its questions."""
        blocks = []
        for part in self.content:
            if isinstance(part, Section):
                break
            blocks.append(part)
        return blocks

    @property
    def end(self) -> int:
        """The last line of the section, its sub-sections included."""
        return max((part.end for part in (*self.opener, *self.content)), default=self.line)

    @property
    def asks(self) -> bool:
        return self.kind == "qline" or asks(self.title)

    @property
    def asks_outright(self) -> bool:
        return self.kind == "qline" or asks_outright(self.title)


def outline(blocks: list[Block], prose_fences: Collection[str] = ()) -> Section:
    """The section tree of a note: the root's children are its top sections.

    `prose_fences` are the fence languages that hold prose (`markdown.prose_fences`): questions
    inside them open sections too (`fences`).
    """
    root = Section("root", "", 1)
    listed = _listed_questions(blocks, prose_fences)
    stack: list[tuple[int, Section]] = [(0, root)]
    body: list[Block] = []
    for block in blocks:
        if block.kind != "heading":
            body.append(block)
            continue
        _fill(stack[-1][1], body, prose_fences, listed)
        body = []
        while stack[-1][0] >= block.level:
            stack.pop()
        parent = stack[-1][1]
        section = Section("heading", block.title, block.line, (*parent.headings, block.title), [block])
        parent.content.append(section)
        stack.append((block.level, section))
    _fill(stack[-1][1], body, prose_fences, listed)
    return root


def _fill(heading: Section, body: list[Block], prose_fences: Collection[str], listed: Collection[int]) -> None:
    """Put a heading's body into it, opening sections at its question lines."""
    families: list[str] = []
    stack = [heading]
    plain_questions = _plain_questions(body)
    faq = heading.kind == "heading" and bool(_FAQ.fullmatch(clean_title(heading.title)))
    titles = _fence_answered(body) | _label_lines(body)  # lines that title what follows them
    summaries = {index: title for index, block in enumerate(body) if (title := _summary(block))}
    if len(summaries) < 2:
        summaries = {}
    last_number: int | None = None
    for index, block in enumerate(body):
        if block.kind == "hr":
            del stack[1:]  # a thematic break ends the question before it
        if len(stack) == 1 and not heading.asks and _fenced_questions(heading, block, prose_fences):
            continue
        if block.kind == "html" and _closes_details(block, stack):
            stack[-1].content.append(block)
            while stack[-1].kind != "details":
                stack.pop()
            stack.pop()
            continue
        if index in titles:
            kind = "bold" if block.bold else "plain"
            found = [(kind, Section(kind, block.title, block.line, heading.headings, [block]), True)]
        elif index in summaries:
            found = [("details", Section("details", summaries[index], block.line, heading.headings, [block]), True)]
        else:
            found = _faq_items(block, heading.headings) if faq else []
            found = found or _openers(block, heading.headings, last_number, plain_questions, listed)
        if not found:
            stack[-1].content.append(_without_answer_mark(block) if stack[-1].kind == "qline" else block)
            continue
        for family, section, scoped in found:
            if family not in families:
                families.append(family)
            section.depth = families.index(family) + 1
            while stack[-1].depth >= section.depth and len(stack) > 1:
                stack.pop()
            if section.nested and not any(part is block for part in stack[-1].content):
                stack[-1].content.append(block)  # a list of questions: its items are in this block
            stack[-1].content.append(section)
            if scoped:
                stack.append(section)
            if family == "numbered" and section.number is not None:
                last_number = section.number


def _summary(block: Block) -> str | None:
    """The words of a `<details>` block's `<summary>`, when it opens one that is still open."""
    match = _SUMMARY.match(block.text) if block.kind == "html" else None
    if match is None or _DETAILS_END.search(block.text):
        return None
    words = re.sub(r"\s+", " ", without_tags(match.group(1))).strip()
    return words if words and len(words) <= _SHORT else None


def _closes_details(block: Block, stack: list[Section]) -> bool:
    return bool(_DETAILS_END.search(block.text)) and any(section.kind == "details" for section in stack[1:])


def _fenced_questions(heading: Section, block: Block, prose_fences: Collection[str]) -> bool:
    """A topic's prose fence cut at the questions it holds (`fences`); False when it holds none.

    Under a heading that asks, a question inside its fence is part of the answer (a follow-up).
    """
    head, asked = split_at_questions(block, prose_fences)
    if not asked:
        return False
    if head is not None:
        heading.content.append(head)
    for question, answer in asked:
        heading.content.append(Section("fence", question.title, question.line, heading.headings, [question], [answer]))
    return True


def _openers(
    block: Block, headings: tuple[str, ...], last: int | None, plain_questions: bool, listed: Collection[int] = ()
) -> list[tuple[str, Section, bool]]:
    """The sections a block opens: (kind family, section, whether later blocks belong to it)."""
    if block.kind == "paragraph":
        opened = _paragraph_opener(block, headings, last, plain_questions)
        return [opened] if opened else []
    if block.kind == "list" and block.items:
        return _list_openers(block, headings, last, listed)
    return []


def _paragraph_opener(
    block: Block, headings: tuple[str, ...], last: int | None, plain_questions: bool
) -> tuple[str, Section, bool] | None:
    first = block.text.splitlines()[0]
    if QUESTION.match(first):
        return "qline", _qline(block, headings), True
    single = block.line == block.end and len(block.title) <= _SHORT
    if not single:
        return None
    if _bold_question(block):
        return "bold", Section("bold", block.title, block.line, headings, [block]), True
    numbered = NUMBERING.match(first)
    number = numbering_of(first)
    if numbered and (asks(block.title) or (last is not None and number == last + 1)):
        section = Section("numbered", block.title, block.line, headings, [block], number=number)
        return _family(first), section, True
    if plain_questions and not numbered and block.title.endswith(("?", "？")):
        return "plain", Section("plain", block.title, block.line, headings, [block]), True
    return None


def _bold_question(block: Block) -> bool:
    """A bold line that asks ("**什么是LoRA？**"), not a bold label of what follows ("**字段说明：**")."""
    return block.bold and asks(block.title) and not is_caption(block.title)


def _qline(block: Block, headings: tuple[str, ...]) -> Section:
    """A "Q:" paragraph: the question up to an "A:" line (or its first line), the rest its answer."""
    lines = block.text.splitlines()
    cut = next((n for n in range(1, len(lines)) if ANSWER.match(lines[n])), 1 if len(lines) > 1 else len(lines))
    question = " ".join(line.strip() for line in lines[:cut])
    title = QUESTION.sub("", question, count=1)
    section = Section("qline", title, block.line, headings, [block])
    if cut < len(lines):
        answer = [ANSWER.sub("", lines[cut], count=1), *lines[cut + 1 :]]
        section.opener = [Block("paragraph", block.line, block.line + cut - 1, "\n".join(lines[:cut]))]
        section.content.append(Block("paragraph", block.line + cut, block.end, "\n".join(answer)))
    return section


def _without_answer_mark(block: Block) -> Block:
    """An "A:"/"答：" paragraph after its "Q:" paragraph, without the mark."""
    if block.kind != "paragraph" or not ANSWER.match(block.text):
        return block
    return Block("paragraph", block.line, block.end, ANSWER.sub("", block.text, count=1))


def _list_openers(
    block: Block, headings: tuple[str, ...], last: int | None, listed: Collection[int] = ()
) -> list[tuple[str, Section, bool]]:
    family = "numbered" if block.ordered else "bullet"
    items = block.items
    marked = _marked_pairs(family, items, headings)
    if marked:
        return marked
    if len(items) == 1 and _question_line(items[0]) and not items[0].rest:
        number = items[0].number
        if (block.ordered and (_continues(number, last) or number in listed)) or asks(items[0].first or ""):
            section = Section(family, items[0].first or "", block.line, headings, [block], number=items[0].number)
            return [(family, section, True)]
        return []
    asking = [item for item in items if _question_line(item) and asks(item.first or "")]
    answered = [item for item in asking if item.rest]
    if not answered or 2 * len(asking) < len(items):
        return []
    found = [(family, _item_section(family, item, headings), False) for item in answered]
    last = items[-1]
    if last not in answered and _question_line(last) and not last.rest and asks(last.first or ""):
        section = Section(family, last.first or "", last.line, headings, number=last.number)
        found.append((family, section, True))
    return found


def _faq_items(block: Block, headings: tuple[str, ...]) -> list[tuple[str, Section, bool]]:
    """An FAQ list's items that each hold a problem and its answer, when two or more do."""
    if block.kind != "list" or len(block.items) < 2:
        return []
    family = "numbered" if block.ordered else "bullet"
    found = []
    for item in block.items:
        if item.first is None:
            continue
        if item.rest and item.first_end == item.line and len(item.first) <= _FAQ_PROBLEM:
            title, answer = item.first, list(item.rest)
        else:
            if item.first_end != item.line:
                continue
            source = item_source(block, item)
            cut = _FAQ_CUT.search(source)
            rest = source[cut.end() :].strip() if cut else ""
            if cut is None or not rest or cut.start() > _SHORT:
                continue
            title = source[: cut.end()] if cut.group() in "？?" else source[: cut.start()]
            answer = [Block("paragraph", item.line, item.first_end, rest), *item.rest]
        section = Section(family, _as_question(title), item.line, headings, [], answer, nested=True, number=item.number)
        found.append((family, section, False))
    return found if len(found) >= 2 else []


def _as_question(problem: str) -> str:
    """An FAQ item's problem as a question: "量化时出现 Out of Memory" asks "…怎么办？"."""
    words = clean_title(problem).rstrip(".。 ")
    return words if asks(words) else f"{words}怎么办？"


def _marked_pairs(family: str, items: tuple[Item, ...], headings: tuple[str, ...]) -> list[tuple[str, Section, bool]]:
    """A list of "Q1:" items each followed by its "A1:" item: a pair per question."""
    found = []
    for question, answer in pairwise(items):
        if question.first and answer.first and QUESTION.match(question.first) and ANSWER.match(answer.first):
            reply = Block("paragraph", answer.line, answer.first_end, ANSWER.sub("", answer.first, count=1))
            title = QUESTION.sub("", question.first, count=1)
            section = Section(family, title, question.line, headings, [], [reply, *answer.rest], nested=True)
            found.append((family, section, False))
    return found


def _continues(number: int | None, last: int | None) -> bool:
    """A numbered line opens a run (1.) or goes on from the question line before it (a number
    may be skipped: "3." then "5."); "2. GSPO" alone, after a "1." that was prose, is prose too."""
    return number is None or number == 1 or (last is not None and number > last)


def _item_section(family: str, item: Item, headings: tuple[str, ...]) -> Section:
    return Section(family, item.first or "", item.line, headings, [], list(item.rest), nested=True, number=item.number)


def _question_line(item: Item) -> bool:
    return item.first is not None and item.first_end == item.line and len(item.first) <= _SHORT


def _family(line: str) -> str:
    """Numbering styles nest apart: "1." and "9.xx" are one kind, "（1）" another, "一、" a third."""
    stripped = line.lstrip()
    if stripped[:1] in "(（":
        return "paren"
    return "numbered" if stripped[:1].isdigit() else "cjk"


def _plain_questions(body: list[Block]) -> bool:
    """Bare question lines open sections only in an FAQ made of them: two or more, nothing else."""
    count = 0
    for block in body:
        if block.kind == "list" and _list_openers(block, (), None):
            return False
        if block.kind != "paragraph":
            continue
        first = block.text.splitlines()[0]
        if QUESTION.match(first) or _bold_question(block) or NUMBERING.match(first):
            return False
        count += block.line == block.end and block.title.endswith(("?", "？")) and len(block.title) <= _SHORT
    return count >= 2


def _fence_answered(body: list[Block]) -> set[int]:
    """Indexes of the short lines that a fenced block right below answers, in a body of two or more
    such lines that ask; none otherwise. A line already a question line of another kind is left to it."""
    candidates = [
        index
        for index, block in enumerate(body[:-1])
        if block.kind == "paragraph"
        and body[index + 1].kind == "code"
        and block.line == block.end
        and len(block.title) <= _SHORT
        and body[index + 1].line <= block.end + 2
        and not block.title.rstrip().endswith(("：", ":", "如下"))
        and not QUESTION.match(block.text)
        and not NUMBERING.match(block.text)
        and not block.bold
    ]
    asking = [index for index in candidates if asks(body[index].title)]
    return set(candidates) if len(asking) >= 2 else set()


def _label_lines(body: list[Block]) -> set[int]:
    """Indexes of label lines that title the text below them, in a body of two or more: sub-headings
    written in bold ("**获取数据集中的其他列**", "**LoRA模型：**" over its command), or plain short
    labels with a colon over a code block, list or table ("文本模型：", "方案一: curl") when each
    titles a long block of its own (_LABEL_BLOCK lines: "step 1:" over three lines of output is a
    caption of one answer, not a question). A caption ("**字段说明：**", "**参数介绍：**")
    introduces the block it names and stays in the answer."""
    labels = [index for index, block in enumerate(body[:-1]) if _label(block, body[index + 1])]
    bold = [index for index in labels if body[index].bold]
    plain = [index for index in labels if not body[index].bold and _plain_label(body[index], body[index + 1])]
    starts = [body[index].line for index in plain] + [body[-1].end + 1] if plain else []
    if len(plain) < 2 or any(end - start < _LABEL_BLOCK for start, end in pairwise(starts)):
        plain = []
    return (set(bold) if len(bold) >= 2 else set()) | set(plain)


def _label(block: Block, following: Block) -> bool:
    """A one-line paragraph, short and not a caption, that is not followed by another bold line."""
    return (
        block.kind == "paragraph"
        and block.line == block.end
        and len(block.title) <= _SHORT
        and not is_caption(block.title)
        and not (following.kind == "paragraph" and following.bold)
    )


def _plain_label(block: Block, following: Block) -> bool:
    """A label over its block: "文本模型：" over its code, "方案2: openai库" over its command; not a
    sentence that leads in ("以下为一个推理的示例：", "训练脚本如下：", "主要变化包括：") or one side of
    a comparison ("修改前：", "修改后："), which belong to the answer they open."""
    title = block.title.strip()
    if following.kind not in ("code", "list", "table") or len(title) > _LABEL:
        return False
    if _OPENS_SENTENCE.match(title) or _LEADS_OUT.search(title):
        return False
    return bool(_COLON_LABEL.fullmatch(title) or _NAMED_WAY.match(title))


def _listed_questions(blocks: list[Block], prose_fences: Collection[str]) -> set[int]:
    """The numbers of a list numbered 1 to N without answers (an interview log's list of what was
    asked, as a list, numbered lines or in a prose fence): a later "12. ffn" with its answer below
    answers item 12, wherever it stands."""
    numbers: set[int] = set()
    for block in blocks:
        if block.kind == "list" and block.ordered and not any(item.rest for item in block.items):
            lines = [(item.number, item.first or "") for item in block.items]
        elif block.kind == "paragraph" or (block.kind == "code" and block.info.lower() in prose_fences):
            # "1.微调细节" without a space after the dot is not a list; a ```text fence is prose
            text = block.text.splitlines()[1:-1] if block.kind == "code" else block.text.splitlines()
            lines = [(numbering_of(line), line) for line in text if line.strip()]
        else:
            continue
        found = [n for n, _ in lines if n is not None]
        if len(found) >= 3 and found == list(range(1, len(found) + 1)) and 5 * len(found) >= 4 * len(lines):
            numbers |= set(found)
    return numbers
