"""Data contracts shared by every layer. Imports only pydantic and the standard library."""

from schemas.config import (
    CollectConfig,
    ColumnMapping,
    DedupConfig,
    NormalizeConfig,
    RenderConfig,
    RunConfig,
    SourceConfig,
    SplitConfig,
)
from schemas.manifest import FileEntry, InputFile, Manifest, ReleaseCounts, SourceCounts
from schemas.record import LineageStep, Message, RecordMeta, SftRecord, SourcePointer, ToolCall
from schemas.stage import RecordResult, Rejection, StageCounts, StageResult

__all__ = [
    "CollectConfig",
    "ColumnMapping",
    "DedupConfig",
    "FileEntry",
    "InputFile",
    "LineageStep",
    "Manifest",
    "Message",
    "NormalizeConfig",
    "RecordMeta",
    "RecordResult",
    "Rejection",
    "ReleaseCounts",
    "RenderConfig",
    "RunConfig",
    "SftRecord",
    "SourceConfig",
    "SourceCounts",
    "SourcePointer",
    "SplitConfig",
    "StageCounts",
    "StageResult",
    "ToolCall",
]
