"""The SFT record and its parts: what every stage reads and writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue

Role = Literal["system", "user", "assistant", "tool"]
SplitName = Literal["train", "validation", "test"]


_set = object.__setattr__


class Strict(BaseModel):
    """Internal models are strict: unknown keys are bugs, and records never change in place.

    `replace` is `model_copy(update=...)` for values the project built itself, without pydantic's
    copies (tests/schemas/test_unvalidated_paths.py holds it to pydantic's).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    def replace(self, **changes: object) -> Self:
        """A copy with `changes` applied, unvalidated."""
        model = type(self).__new__(type(self))
        _set(model, "__dict__", {**self.__dict__, **changes})
        _set(model, "__pydantic_fields_set__", self.__pydantic_fields_set__ | changes.keys())
        _set(model, "__pydantic_extra__", None)
        _set(model, "__pydantic_private__", None)
        return model


class ToolFunction(Strict):
    name: str
    arguments: JsonValue = Field(description="the parsed JSON arguments (an object for a well-formed call)")


class ToolCall(Strict):
    """The OpenAI / Hugging Face shape, which chat templates read as it is (arguments as JSON, not text)."""

    type: Literal["function"] = "function"
    function: ToolFunction


class Message(Strict):
    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = Field(default=(), exclude_if=lambda calls: not calls)


class SourcePointer(Strict):
    """Where a record came from, precise enough to open the file at the right line."""

    file: str
    line: int | None = Field(default=None, description="1-based line (row for CSV, Parquet)")
    line_end: int | None = Field(
        default=None, exclude_if=lambda v: v is None, description="last line of a span (a Markdown pair)"
    )
    headings: tuple[str, ...] = Field(
        default=(), exclude_if=lambda v: not v, description="heading path of a Markdown pair, outermost first"
    )
    item: int | None = Field(default=None, description="index inside a multi-record line")
    encoding: str | None = None
    format: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.line_end is not None and self.line_end != self.line:
            where += f"-{self.line_end}"
        return where if self.item is None else f"{where}#{self.item}"


class LineageStep(Strict):
    """One stage's change to a record, so a trainer can ask why a text looks the way it does."""

    stage: str
    action: str
    detail: str = ""
    count: int = Field(default=1, ge=1, description="how many items the change touched (PII matches...)")


# A frozen dataclass rather than a model: the segment stage builds one per message from the
# segmenter's own output, and a model instance (object, field dict and fields-set, all tracked by
# the garbage collector) cost about a tenth of rjieba's own time; the slotted object is one.
# pydantic validates it strictly from JSON and dicts (a record read back, or from outside); an
# instance built in Python is taken as it is, even by SftRecord(...), so give it tuples.
@dataclass(frozen=True, slots=True)
class Segmentation:
    """Word segmentation of one message (jieba or another segmenter), aligned tuples."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    words: tuple[str, ...]
    pos: tuple[str, ...] | None = None
    stop: tuple[bool, ...] | None = None
    pinyin: tuple[str, ...] | None = None


class RecordMeta(Strict):
    source: SourcePointer
    group: str = Field(description="records of one group never straddle two splits")
    category: str | None = None
    split: SplitName | None = None
    lineage: tuple[LineageStep, ...] = ()
    tokens: int | None = Field(default=None, description="model tokens of the rendered text")
    cluster: str | None = Field(default=None, description="id of the near-duplicate cluster's representative")
    chars: int | None = Field(default=None, description="characters of the user and assistant turns")
    words: int | None = Field(default=None, description="jieba words of the user and assistant turns")
    assistant_spans: tuple[tuple[int, int], ...] | None = Field(
        default=None, description="character spans of `text` a model is trained on (assistant turns, end-of-turn)"
    )
    trained_tokens: int | None = Field(default=None, description="tokens inside assistant_spans")
    parent: str | None = Field(default=None, description="the record an augmented child was made from")


class SftRecord(Strict):
    id: str
    messages: tuple[Message, ...]
    tools: tuple[JsonValue, ...] | None = Field(default=None, description="the tool schemas offered (JSON)")
    text: str | None = Field(default=None, description="the chat-templated text, set by render")
    segments: tuple[Segmentation, ...] | None = Field(
        default=None, description="one segmentation per message, set by segment; released only on request"
    )
    meta: RecordMeta

    def with_lineage(self, stage: str, action: str, detail: str = "", count: int = 1, **changes: object) -> SftRecord:
        """A copy with `changes` applied and the change recorded in lineage."""
        step = LineageStep(stage=stage, action=action, detail=detail, count=count)
        meta = self.meta.model_copy(update={"lineage": (*self.meta.lineage, step)})
        return self.model_copy(update={**changes, "meta": meta})
