"""clean: quality filters with stable reason codes, then Chinese PII masking.

Adding a filter: one module in `filters/` (docstring citing where its thresholds come from, a
params model in schemas/config.py, a pure `check(measures, params)`), one line in FILTERS, one
test file. Each record's measures (measure.Measures: responses, their prose without code and
math, Han shares, segmented words, stop flags) are built once and shared by every filter, each
measure computed on first use. Filters run first and never edit text; PII masking runs on what
they kept, and re-segments the messages it changed so later stages never see the masked digits
in stale segments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pipeline.clean import pii
from pipeline.clean.filters import (
    chars,
    chinese,
    context_free,
    identity,
    language,
    placeholders,
    refusal,
    repetition,
    response,
    stop_words,
    symbols,
    toxic,
    words,
)
from pipeline.clean.measure import STAGE, Measures
from pipeline.segment import Segmenter
from schemas import CleanConfig, RecordResult, Rejection, SftRecord

# (config field, check): the order decides which reason a record with several faults gets.
FILTERS: list[tuple[str, Callable]] = [
    ("response", response.check),
    ("chars", chars.check),
    ("words", words.check),
    ("placeholders", placeholders.check),
    ("context_free", context_free.check),
    ("identity", identity.check),
    ("refusal", refusal.check),
    ("toxic", toxic.check),
    ("language", language.check),
    ("chinese", chinese.check),
    ("repetition", repetition.check),
    ("symbols", symbols.check),
    ("stop_words", stop_words.check),
]


def run(records: Iterable[SftRecord], config: CleanConfig, segmenter: Segmenter) -> RecordResult:
    active = [(check, getattr(config, name)) for name, check in FILTERS if getattr(config, name).enabled]
    kept: list[SftRecord] = []
    rejections: list[Rejection] = []
    count = 0
    for record in records:
        count += 1
        measures = Measures(record, segmenter)
        rejection = next((r for check, params in active if (r := check(measures, params)) is not None), None)
        if rejection is not None:
            rejections.append(rejection)
        else:
            kept.append(mask_pii(record, config, segmenter) if config.pii.enabled else record)
    return RecordResult(stage=STAGE, input=count, kept=kept, rejections=rejections)


def mask_pii(record: SftRecord, config: CleanConfig, segmenter: Segmenter) -> SftRecord:
    messages, segments, found = [], list(record.segments or ()), {}
    for index, message in enumerate(record.messages):
        masked, counts = pii.mask(message.content, config.pii.kinds)
        if counts:
            message = message.model_copy(update={"content": masked})
            if segments:
                segments[index] = segmenter.segment(masked)
            for kind, number in counts.items():
                found[kind] = found.get(kind, 0) + number
        messages.append(message)
    if not found:
        return record
    changed = record.model_copy(update={"messages": tuple(messages), "segments": tuple(segments) or None})
    for kind, number in sorted(found.items()):
        changed = changed.with_lineage(STAGE, f"masked_{kind}", pii.PLACEHOLDERS[kind], count=number)
    return changed
