"""Template placeholders left in data: `{{name}}`, `{% if %}`, `${var}`, `[你的名字]`, `【姓名】`, `XXX`.

LLaMA-Factory's identity.json ships `{{name}}` and `{{author}}` to be filled in before training;
a model trained on the unfilled text learns to say "I am {{name}}". Template syntax is refused
wherever it stands outside code and math (`${price}` in a JavaScript example and `${x}` in LaTeX
are not leftovers).

Slots in brackets (`[你的名字]`, `【公司名称】`, `<日期>`, `[QR_CODE_IMAGE_DATA]`) and runs of
`XXX` are refused when the answer should have held the value: "动作片：XXX、XXX、XXX", a link
given as "[QR_CODE_IMAGE_DATA]". They are kept in a draft the user asked for (a letter, an
e-mail, a notice, a form or a template, or an answer that opens like a letter), and a slot alone
on one of the last lines is a signature block: the gold set's readers kept every letter or post
whose signature is "[你的名字]" when the user gave no name, and a cover letter with
"毕业于XXX大学". An English slot in capitals is kept when the answer says to replace it
("将[YOUR_LOCATION]替换为…"). Markdown links (`[标题](url)`) and the pipeline's own PII
placeholders (`<手机号>`) are not slots.
"""

from __future__ import annotations

import regex

from pipeline.clean.measure import Measures
from pipeline.clean.pii import PLACEHOLDERS
from schemas import Rejection
from schemas.config import PlaceholderParams

# Numbers masked by the dataset's maker ("以下是####-####赛季的世界杯高山滑雪冠军", round 12) are
# template syntax too: the answer copies the mask where a season should be.
TEMPLATE = regex.compile(r"\{\{\s*[\w.]+\s*\}\}|\{%.*?%\}|\$\{\w+\}|(?<!#)#{2,}(?:[-/:.]#{2,})+(?!#)")
_SLOT_WORDS = (
    r"名字|姓名|名称|称呼|公司|单位|机构|日期|时间|地址|电话|手机|邮箱|职位|职称|金额|数字|数量|产品|品牌|学校|"
    r"城市|地点|链接|网址|签名|联系方式|部门|年份|插入|填写|此处|你的|您的|收件人|"
    r"your |name|date|company|address|phone|e-?mail|insert|link|signature|title"
)
SLOT = regex.compile(
    rf"\[[^\[\]\n]{{0,12}}(?:{_SLOT_WORDS})[^\[\]\n]{{0,12}}\](?!\()|【[^【】\n]{{0,12}}(?:{_SLOT_WORDS})[^【】\n]{{0,12}}】"
    rf"|［[^［］\n]{{0,12}}(?:{_SLOT_WORDS})[^［］\n]{{0,12}}］|[<＜][^<>＜＞\n]{{0,10}}(?:{_SLOT_WORDS})[^<>＜＞\n]{{0,10}}[>＞]",
    regex.IGNORECASE,
)
CAPS_SLOT = regex.compile(r"\[[A-Z][A-Z0-9]*(?:\\?_[A-Z0-9]+)+\](?!\()")
REPEATED_X = regex.compile(r"(?<![A-Za-z])(?:X{3,}|x{3,}|Ｘ{3,})(?![A-Za-z])")
_PII = {name for name in PLACEHOLDERS.values()} | {f"[{name.strip('<>')}]" for name in PLACEHOLDERS.values()}
_DRAFT_REQUEST = regex.compile(
    r"一封|信件|信函|书信|感谢信|推荐信|求职信|辞职信|道歉信|邀请信|介绍信|申请信|慰问信|拒绝信|公开信|回信|"
    r"邮件|电邮|邀请函|通知|公告|声明|启事|请柬|请帖|致辞|演讲稿|讲话稿|发言稿|贺词|模板|模版|范文|范例|样板|表格|"
    r"合同|协议|申请书|简历|自我介绍|文案|草稿|letter|e-?mail|template|memo|announcement|invitation|resume|draft",
    regex.IGNORECASE,
)
_LETTER_OPENING = regex.compile(r"^\W{0,3}(?:尊敬的|亲爱的|致|Dear|Hi|Hello|您好|你好)", regex.IGNORECASE)
_REPLACE_HINT = regex.compile(r"替换|填入|填写|换成|replace", regex.IGNORECASE)


def _signature_lines(text: str) -> set[str]:
    """Slots that stand alone on one of the last four lines: a signature block of a draft."""
    lines = [line.strip(" \t*-—–,，。") for line in text.splitlines() if line.strip()]
    return {line for line in lines[-4:] if SLOT.fullmatch(line)}


def check(m: Measures, params: PlaceholderParams) -> Rejection | None:
    asked_for_draft = any(_DRAFT_REQUEST.search(turn) for turn in m.user_turns)
    for response in m.responses:
        text = response.without_code
        found = TEMPLATE.search(text)
        if found:
            return m.reject("template_placeholder", f"unfilled placeholder {found.group(0)!r}")
        draft = asked_for_draft or bool(_LETTER_OPENING.search(text.lstrip()))
        if draft:
            continue
        tail = _signature_lines(text)
        slot = next((s for s in SLOT.finditer(text) if s.group(0) not in _PII and s.group(0) not in tail), None)
        if slot is not None:
            return m.reject("template_placeholder", f"unfilled slot {slot.group(0)!r}")
        caps = CAPS_SLOT.search(text)
        if caps is not None and not _REPLACE_HINT.search(text):
            return m.reject("template_placeholder", f"unfilled slot {caps.group(0)!r}")
        repeated = REPEATED_X.findall(text)
        if len(repeated) >= params.min_x_runs:
            return m.reject("template_placeholder", f"{len(repeated)} 'XXX' slots")
    return None
