"""Rejections and stage results: how a stage says what it kept and what it refused."""

from __future__ import annotations

from collections import Counter
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from schemas.record import SftRecord, SourcePointer, Strict


class Rejection(Strict):
    """A record that did not make it, with a reason code users can grep for."""

    record_id: str
    stage: str
    reason: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    detail: str
    source: SourcePointer

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}: {self.detail}"


class StageCounts(Strict):
    """Counts of one stage; `input + added == kept + rejected` is the no-silent-loss invariant.

    `added` counts records a stage creates (augmented children); `changed` counts the changes it
    made to kept records, by lineage action (PII matches masked, mojibake repaired, ...).
    """

    stage: str
    input: int
    kept: int
    added: int = 0
    rejected: dict[str, int] = Field(default_factory=dict, description="by reason code")
    changed: dict[str, int] = Field(default_factory=dict, description="by lineage action")

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def balanced(self) -> bool:
        return self.input + self.added == self.kept + self.rejected_total

    def __add__(self, other: StageCounts) -> StageCounts:
        if other.stage != self.stage:
            raise ValueError(f"cannot add counts of {other.stage!r} to {self.stage!r}")
        return StageCounts(
            stage=self.stage,
            input=self.input + other.input,
            kept=self.kept + other.kept,
            added=self.added + other.added,
            rejected=dict(Counter(self.rejected) + Counter(other.rejected)),
            changed=dict(Counter(self.changed) + Counter(other.changed)),
        )


T = TypeVar("T", bound=BaseModel)


class StageResult(BaseModel, Generic[T]):
    """What a stage returns: kept records, rejections, and the counts derived from both."""

    model_config = ConfigDict(frozen=True)

    stage: str
    input: int
    kept: list[T]
    rejections: list[Rejection]
    added: int = 0

    @property
    def counts(self) -> StageCounts:
        changed: Counter = Counter()
        for record in self.kept:
            for step in getattr(getattr(record, "meta", None), "lineage", ()):
                if step.stage == self.stage:
                    changed[step.action] += step.count
        return StageCounts(
            stage=self.stage,
            input=self.input,
            kept=len(self.kept),
            added=self.added,
            rejected=dict(Counter(r.reason for r in self.rejections)),
            changed=dict(changed),
        )


RecordResult = StageResult[SftRecord]
