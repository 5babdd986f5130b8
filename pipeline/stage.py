"""The one stage loop and the one way to build a rejection.

Every per-record stage is "count, try, keep or reject": a step maps a record to the record (or
a changed copy), a rejection, or several records (augmentation adds children). A step that
raises on a record does not stop the build: the record becomes an `unexpected_error` rejection
naming the exception, and the error is logged with its traceback, so a bug or a data shape
nobody foresaw costs one record and is visible in the ledger and the manifest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from schemas import RecordResult, Rejection, SftRecord

log = logging.getLogger(__name__)

Outcome = SftRecord | Rejection | Sequence[SftRecord]
Step = Callable[[SftRecord], Outcome]
LOGGED_ERRORS = 3


def reject(record: SftRecord, stage: str, reason: str, detail: str) -> Rejection:
    return Rejection(record_id=record.id, stage=stage, reason=reason, detail=detail, source=record.meta.source)


def run_records(stage: str, records: Iterable[SftRecord], step: Step) -> RecordResult:
    """Apply `step` to every record, counting what comes in, what is kept, added and rejected."""
    kept: list[SftRecord] = []
    rejections: list[Rejection] = []
    count = errors = 0
    for record in records:
        count += 1
        try:
            outcome = step(record)
        except Exception as err:  # a record must never stop a build; see the module docstring
            errors += 1
            if errors <= LOGGED_ERRORS:
                log.exception("%s: unexpected error on record %s from %s", stage, record.id, record.meta.source)
            outcome = reject(record, stage, "unexpected_error", f"{type(err).__name__}: {err}"[:500])
        if isinstance(outcome, Rejection):
            rejections.append(outcome)
        elif isinstance(outcome, SftRecord):
            kept.append(outcome)
        else:
            kept.extend(outcome)
    if errors > LOGGED_ERRORS:
        log.error("%s: %d records raised unexpected errors (the first %d are logged)", stage, errors, LOGGED_ERRORS)
    return RecordResult(
        stage=stage, input=count, kept=kept, rejections=rejections, added=len(kept) + len(rejections) - count
    )
