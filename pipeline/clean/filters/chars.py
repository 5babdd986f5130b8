"""Length in characters of the dialogue (user and assistant turns).

Below 2 characters nothing can be learned; above 16,000 characters a record is usually a
pasted document or a scraping accident (Gopher keeps 50-100,000 *words* of web text; SFT
conversations are far shorter, and render's token limit is the precise guard).
"""

from __future__ import annotations

from pipeline.clean.measure import Measures
from schemas import Rejection
from schemas.config import CharLengthParams


def check(m: Measures, params: CharLengthParams) -> Rejection | None:
    length = len(m.dialogue.strip())
    if length < params.min:
        return m.reject("too_few_chars", f"{length} characters, fewer than clean.chars.min={params.min}")
    if length > params.max:
        return m.reject("too_many_chars", f"{length} characters, more than clean.chars.max={params.max}")
    return None
