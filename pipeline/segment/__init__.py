"""segment: Chinese word segmentation of every message, carried for later stages.

Word segmentation is *segment*; model token ids are *tokenize*. Segments are computed once here
and read by clean (word counts, stop-word ratio), augment (word operations) and statistics.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.segment.segmenter import Segmenter, load_segmenter
from schemas import RecordResult, SegmentConfig, SftRecord

STAGE = "segment"

__all__ = ["STAGE", "Segmenter", "load_segmenter", "run", "segment_record"]


def segment_record(record: SftRecord, segmenter: Segmenter) -> SftRecord:
    return record.replace(segments=tuple([segmenter.segment(m.content) for m in record.messages]))


def run(records: Iterable[SftRecord], config: SegmentConfig, segmenter: Segmenter) -> RecordResult:
    kept = [segment_record(record, segmenter) for record in records]
    return RecordResult(stage=STAGE, input=len(kept), kept=kept, rejections=[])
