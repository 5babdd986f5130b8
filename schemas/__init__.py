"""Data contracts shared by every layer. Imports only pydantic and the standard library."""

from schemas.config import (
    AugmentConfig,
    CleanConfig,
    CollectConfig,
    ColumnMapping,
    DedupConfig,
    NearDupConfig,
    NormalizeConfig,
    PiiConfig,
    RenderConfig,
    RunConfig,
    SegmentConfig,
    SourceConfig,
    SplitConfig,
)
from schemas.manifest import FileEntry, InputFile, Manifest, ReleaseCounts, SourceCounts
from schemas.record import LineageStep, Message, RecordMeta, Segmentation, SftRecord, SourcePointer, ToolCall
from schemas.stage import RecordResult, Rejection, StageCounts, StageResult

__all__ = [
    "AugmentConfig",
    "CleanConfig",
    "CollectConfig",
    "ColumnMapping",
    "DedupConfig",
    "FileEntry",
    "InputFile",
    "LineageStep",
    "Manifest",
    "Message",
    "NearDupConfig",
    "NormalizeConfig",
    "PiiConfig",
    "RecordMeta",
    "RecordResult",
    "Rejection",
    "ReleaseCounts",
    "RenderConfig",
    "RunConfig",
    "SegmentConfig",
    "Segmentation",
    "SftRecord",
    "SourceConfig",
    "SourceCounts",
    "SourcePointer",
    "SplitConfig",
    "StageCounts",
    "StageResult",
    "ToolCall",
]
