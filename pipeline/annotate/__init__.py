"""annotate: apply annotators' decisions to the records they reviewed.

accept: the record is kept; an edited response replaces the draft, and the annotators and time
go into lineage. reject: a rejection carrying the annotator's reason. needs-fix, no verdict yet,
or a disagreement the conflict policy sends back: the record waits, and is not released unless
`annotate.release_pending` says so. Records never pushed for review pass through untouched.
Edited text is untrusted input: it goes through normalize's cleaners and checks here, and
through clean later like every record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pipeline import normalize
from pipeline.annotate.decisions import Decision
from schemas import AnnotateConfig, NormalizeConfig, RecordResult, Rejection, SftRecord

STAGE = "annotate"


def select(records: Iterable[SftRecord], config: AnnotateConfig, flagged: set[str] | None = None) -> list[SftRecord]:
    """The records to push for review, by the configured selection."""
    records = list(records)
    if config.select == "flagged":
        return [r for r in records if r.id in (flagged or set())]
    if config.select == "source":
        return [r for r in records if any(fragment in r.meta.source.file for fragment in config.sources)]
    if config.select == "sample":
        return [r for r in records if _draw(r.id) < config.sample_rate]
    return records


def _draw(record_id: str) -> float:
    raw = hashlib.sha256(f"annotate:{record_id}".encode()).digest()[:8]
    return int.from_bytes(raw, "big") / 2**64


def run(
    records: Iterable[SftRecord],
    config: AnnotateConfig,
    decisions: dict[str, Decision],
    pushed: set[str],
    normalize_config: NormalizeConfig,
) -> RecordResult:
    kept: list[SftRecord] = []
    rejections: list[Rejection] = []
    count = 0
    for record in records:
        count += 1
        decision = decisions.get(record.id)
        if decision is None and record.id not in pushed:
            kept.append(record)
            continue
        outcome = _apply(record, decision, config, normalize_config)
        (rejections if isinstance(outcome, Rejection) else kept).append(outcome)
    return RecordResult(stage=STAGE, input=count, kept=kept, rejections=rejections)


def _apply(
    record: SftRecord, decision: Decision | None, config: AnnotateConfig, normalize_config: NormalizeConfig
) -> SftRecord | Rejection:
    who = ", ".join(decision.annotators) if decision else ""
    if decision is None or decision.verdict in ("pending", "needs-fix"):
        if config.release_pending:
            return record
        reason = "needs_fix" if decision and decision.verdict == "needs-fix" else "awaiting_annotation"
        detail = (
            decision.detail if decision and decision.detail else f"{reason.replace('_', ' ')} ({who or 'nobody yet'})"
        )
        return _reject(record, reason, detail)
    if decision.verdict == "reject":
        return _reject(record, "annotator_rejected", f"{decision.reject_reason or 'no reason given'} (by {who})")
    return _accept(record, decision, who, normalize_config)


def _accept(
    record: SftRecord, decision: Decision, who: str, normalize_config: NormalizeConfig
) -> SftRecord | Rejection:
    final = record.messages[-1]
    edited = (decision.response or "").strip()
    if edited and edited != final.content.strip():
        messages = (*record.messages[:-1], final.model_copy(update={"content": edited}))
        record = record.with_lineage(
            STAGE, "edited", f"by {who} at {decision.updated_at}", messages=messages, segments=None
        )
        checked = normalize.run([record], normalize_config)
        if checked.rejections:
            problem = checked.rejections[0]
            return _reject(record, problem.reason, f"edited response: {problem.detail}")
        record = checked.kept[0]
    else:
        record = record.with_lineage(STAGE, "accepted", f"by {who} at {decision.updated_at}")
    if decision.category:
        record = record.model_copy(update={"meta": record.meta.model_copy(update={"category": decision.category})})
    return record


def _reject(record: SftRecord, reason: str, detail: str) -> Rejection:
    return Rejection(record_id=record.id, stage=STAGE, reason=reason, detail=detail, source=record.meta.source)
