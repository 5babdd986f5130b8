"""The unit every reader yields: one numbered row of a file, parsed or refused."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a file: `data` when it parsed, otherwise a reason code and a detail.

    `line` is None for a problem of the whole file (an empty file).
    """

    line: int | None
    data: object = None
    reason: str | None = None
    detail: str = ""
