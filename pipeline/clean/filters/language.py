"""Language of the dialogue, offline: zh, en, mixed or none, from the share of Han letters.

fastText-based detectors download their models at first use and fail offline; for telling
Chinese from English the script share is as reliable and costs nothing. zh: at least half of
the letters are Han; en: under 5% Han; mixed: between; none: no letters at all.
"""

from __future__ import annotations

from pipeline.clean.measure import dialogue_text, han_share, reject
from schemas import Rejection, SftRecord
from schemas.config import LanguageParams


def language_of(text: str) -> str:
    share = han_share(text)
    if share is None:
        return "none"
    if share >= 0.5:
        return "zh"
    return "en" if share < 0.05 else "mixed"


def check(record: SftRecord, params: LanguageParams) -> Rejection | None:
    language = language_of(dialogue_text(record))
    if language not in params.allowed:
        return reject(record, "wrong_language", f"detected {language}; allowed: {', '.join(params.allowed)}")
    return None
