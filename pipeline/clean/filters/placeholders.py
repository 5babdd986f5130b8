"""Template placeholders left in data: `{{name}}`, `{% if %}`, `${var}`.

LLaMA-Factory's identity.json ships `{{name}}` and `{{author}}` to be filled in before training;
a model trained on the unfilled text learns to say "I am {{name}}". Code is left out: `${price}`
in a JavaScript example (glaive_toolcall_zh_demo) is code, not a leftover.
"""

from __future__ import annotations

import re

from pipeline.clean.measure import dialogue_text, reject, without_code
from schemas import Rejection, SftRecord
from schemas.config import PlaceholderParams

PLACEHOLDER = re.compile(r"\{\{\s*[\w.]+\s*\}\}|\{%.*?%\}|\$\{\w+\}")


def check(record: SftRecord, params: PlaceholderParams) -> Rejection | None:
    found = PLACEHOLDER.search(without_code(dialogue_text(record)))
    if found:
        return reject(record, "template_placeholder", f"unfilled placeholder {found.group(0)!r}")
    return None
