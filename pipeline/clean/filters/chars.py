"""Length in characters of the dialogue (user and assistant turns).

Below 2 characters nothing can be learned; above 16,000 characters a record is usually a
pasted document or a scraping accident (Gopher keeps 50-100,000 *words* of web text; SFT
conversations are far shorter, and render's token limit is the precise guard).
"""

from __future__ import annotations

from pipeline.clean.measure import dialogue_text, reject
from schemas import Rejection, SftRecord
from schemas.config import CharLengthParams


def check(record: SftRecord, params: CharLengthParams) -> Rejection | None:
    length = len(dialogue_text(record).strip())
    if length < params.min:
        return reject(record, "too_few_chars", f"{length} characters, fewer than clean.chars.min={params.min}")
    if length > params.max:
        return reject(record, "too_many_chars", f"{length} characters, more than clean.chars.max={params.max}")
    return None
