"""The release manifest: what a trainer reads to trust a release without reading the data."""

from __future__ import annotations

from pydantic import Field

from schemas.record import Strict
from schemas.stage import StageCounts


class FileEntry(Strict):
    path: str
    sha256: str
    records: int


class InputFile(Strict):
    path: str
    sha256: str
    bytes: int


class SourceCounts(Strict):
    released: int = 0
    rejected: int = 0


class ReleaseCounts(Strict):
    """`input + augmented == released + rejected`: every record accounted for."""

    input: int
    augmented: int = 0
    released: int
    rejected: int
    by_split: dict[str, int]
    rejected_by_reason: dict[str, int] = Field(description="'stage.reason' -> records")
    by_source: dict[str, SourceCounts] = Field(description="input file -> its records' fate")


class Manifest(Strict):
    dataset: str
    version: str
    fingerprint: str = Field(description="sha256 over the released files: equal bytes, equal value")
    input_fingerprint: str = Field(description="sha256 over config, input files and code version")
    parent: str | None = Field(default=None, description="the version this one follows")
    created_at: str
    code_version: str
    config: dict
    tokenizer: str
    chat_template: str = Field(description="'tokenizer' (its own) or the fallback template's name")
    counts: ReleaseCounts
    token_stats: dict[str, float]
    checks: dict[str, dict] = Field(
        default_factory=dict, description="figures of the checks run before release: leakage, masks, template"
    )
    stages: list[StageCounts]
    inputs: list[InputFile]
    files: list[FileEntry]
