"""Identity contamination: responses that name another model or its maker.

Distilled data carries the teacher's identity ("作为一个AI语言模型", "As an AI language model",
"我是由OpenAI开发的"); a model tuned on it claims to be ChatGPT.
"""

from __future__ import annotations

from pipeline.clean.measure import first_response_match, reject
from schemas import Rejection, SftRecord
from schemas.config import PatternParams

IDENTITIES = [
    r"作为一(?:个|名)\s*(?:AI|人工智能)\s*(?:语言)?(?:模型|助手)",
    r"我是(?:一个)?由\s*(?:OpenAI|Anthropic|谷歌|Google|百度|阿里)\s*(?:公司)?(?:开发|训练|创建)",
    r"我是\s*(?:ChatGPT|GPT-?[34]|Claude|文心一言|通义千问)",
    r"[Aa]s an AI (?:language )?model",
    r"I am (?:ChatGPT|an AI (?:language )?model (?:developed|trained) by OpenAI)",
]


def check(record: SftRecord, params: PatternParams) -> Rejection | None:
    found = first_response_match(record, IDENTITIES + params.extra_patterns)
    return reject(record, "identity_contamination", f"the response claims an identity: {found!r}") if found else None
