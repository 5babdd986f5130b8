"""Length in segmented words (jieba) of the dialogue: the Chinese analogue of Gopher's word count."""

from __future__ import annotations

from pipeline.clean.measure import dialogue_words, reject
from schemas import Rejection, SftRecord
from schemas.config import WordLengthParams


def check(record: SftRecord, params: WordLengthParams) -> Rejection | None:
    count = len(dialogue_words(record))
    if count < params.min:
        return reject(record, "too_few_words", f"{count} words, fewer than clean.words.min={params.min}")
    if count > params.max:
        return reject(record, "too_many_words", f"{count} words, more than clean.words.max={params.max}")
    return None
