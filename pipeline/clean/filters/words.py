"""Length in segmented words (jieba) of the dialogue: the Chinese analogue of Gopher's word count."""

from __future__ import annotations

from pipeline.clean.measure import Measures
from schemas import Rejection
from schemas.config import WordLengthParams


def check(m: Measures, params: WordLengthParams) -> Rejection | None:
    count = len(m.dialogue_words)
    if count < params.min:
        return m.reject("too_few_words", f"{count} words, fewer than clean.words.min={params.min}")
    if count > params.max:
        return m.reject("too_many_words", f"{count} words, more than clean.words.max={params.max}")
    return None
