"""The labeling interface annotators see, and the tasks that fill it.

One task per record: the dialogue so far (a multi-turn conversation is shown as a dialogue),
the instruction, the draft response, an editable response prefilled with the draft (sent as a
prediction), a verdict (accept / reject / needs-fix) with a reject reason, a category and a
1-5 rating. Labels are Chinese and English; stored values are the English aliases, so the code
that reads annotations does not depend on the wording annotators see.
"""

from __future__ import annotations

from html import escape

from pipeline.ids import json_text
from schemas import Message, SftRecord

VERDICTS = {"accept": "接受 Accept", "reject": "拒绝 Reject", "needs-fix": "需修改 Needs fix"}
REJECT_REASONS = {
    "factual_error": "事实错误 Factual error",
    "unhelpful": "答非所问 Unhelpful",
    "unsafe": "不安全 Unsafe",
    "low_quality": "质量差 Low quality",
    "other": "其他 Other",
}
SPEAKERS = {"system": "系统 System", "user": "用户 User", "assistant": "助手 Assistant", "tool": "工具 Tool"}


def labeling_config(categories: list[str]) -> str:
    verdicts = "".join(f'<Choice value="{escape(label)}" alias="{key}"/>' for key, label in VERDICTS.items())
    reasons = "".join(f'<Choice value="{escape(label)}" alias="{key}"/>' for key, label in REJECT_REASONS.items())
    category_choices = "".join(f'<Choice value="{escape(c)}"/>' for c in categories)
    category_block = (
        '<Header value="类别 Category"/>'
        f'<Choices name="category" toName="draft" choice="single">{category_choices}</Choices>'
        if categories
        else ""
    )
    return f"""<View>
  <Header value="对话 Dialogue"/>
  <Paragraphs name="dialogue" value="$dialogue" layout="dialogue" nameKey="speaker" textKey="text"/>
  <Header value="指令 Instruction"/>
  <Text name="instruction" value="$instruction"/>
  <Header value="草稿回答 Draft response"/>
  <Text name="draft" value="$draft"/>
  <Header value="修改后的回答 Edited response (keep the draft to accept it as is)"/>
  <TextArea name="response" toName="draft" editable="true" rows="6" maxSubmissions="1"/>
  <Header value="结论 Verdict"/>
  <Choices name="verdict" toName="draft" choice="single-radio" required="true">{verdicts}</Choices>
  <View visibleWhen="choice-selected" whenTagName="verdict" whenChoiceValue="{escape(VERDICTS["reject"])}">
    <Header value="拒绝原因 Reject reason"/>
    <Choices name="reject_reason" toName="draft" choice="single-radio">{reasons}</Choices>
  </View>
  {category_block}
  <Header value="评分 Rating"/>
  <Rating name="rating" toName="draft" maxRating="5"/>
</View>"""


def _shown(message: Message) -> str:
    calls = "\n".join(f"调用工具 call {c.function.name}({json_text(c.function.arguments)})" for c in message.tool_calls)
    return "\n".join(part for part in (message.content, calls) if part)


def task_for(record: SftRecord) -> dict:
    """A Label Studio task: `key` (the record id) is what makes pushing idempotent."""
    messages = list(record.messages)
    draft = messages[-1].content if messages and messages[-1].role == "assistant" else ""
    context = messages[:-1] if draft else messages
    instruction = next((m.content for m in reversed(context) if m.role == "user"), "")
    return {
        "data": {
            "key": record.id,
            "instruction": instruction,
            "dialogue": [{"speaker": SPEAKERS[m.role], "text": _shown(m)} for m in context],
            "draft": draft,
            "source": str(record.meta.source),
            "category": record.meta.category or "",
        },
        "predictions": [
            {
                "model_version": "draft",
                "result": [
                    {"from_name": "response", "to_name": "draft", "type": "textarea", "value": {"text": [draft]}}
                ],
            }
        ],
    }
