"""collect: read one source file into records with stable ids and source pointers.

Every row read is either a record or a rejection naming the file and line. A file that cannot
be read at all becomes one rejection for the file, and the other files still flow.

The engine calls `read` (one file, or one chunk of a large JSONL file from `chunks`), which
streams records and rejections in file order; `run` collects them for callers that want lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.collect.chunking import Chunk, cut_lines
from pipeline.collect.compression import compression
from pipeline.collect.encoding import ascii_compatible, has_private_use
from pipeline.collect.formats import RowProblem, detect_format, to_conversations
from pipeline.collect.problems import DocumentProblem, shorten
from pipeline.collect.readers import FileProblem, Row, file_encoding, file_kind, read_rows, read_text
from pipeline.collect.sources import SourceFile, classify, expand_source, source_files
from pipeline.ids import digest, record_id
from schemas import (
    CollectConfig,
    Message,
    RecordMeta,
    RecordResult,
    Rejection,
    SftRecord,
    SourceConfig,
    SourcePointer,
)
from schemas.config import MarkdownConfig

if TYPE_CHECKING:
    from pipeline.collect.markdown import NoteKind

__all__ = ["STAGE", "Chunk", "SourceFile", "chunks", "expand_source", "read", "run", "source_files"]

STAGE = "collect"
NOTE_KINDS = ("markdown", "text", "html")


def read(
    path: Path, source: SourceConfig, config: CollectConfig | None = None, chunk: Chunk | None = None
) -> Iterator[SftRecord | Rejection]:
    """Records and rejections of one file (or of one of its `chunks`), in file order, streamed."""
    config = config or CollectConfig()
    display = path.as_posix()
    entry = classify(path, source)
    if entry.problem:
        yield _reject(digest(f"file:{display}"), entry.problem, entry.detail, SourcePointer(file=display))
        return
    try:
        yield from _items(path, source, config, chunk)
    except (FileProblem, DocumentProblem) as problem:
        pointer = SourcePointer(file=display, line=getattr(problem, "line", None), format=source.format)
        rid = digest(f"{pointer}" if pointer.line else f"file:{display}")
        yield _reject(rid, problem.reason, problem.detail, pointer)
    except OSError as err:
        pointer = SourcePointer(file=display)
        yield _reject(digest(f"file:{display}"), "unreadable_file", err.strerror or str(err), pointer)


def chunks(path: Path, source: SourceConfig, config: CollectConfig | None = None) -> list[Chunk]:
    """Byte ranges of a plain JSONL file larger than `collect.shard_bytes`, cut at line starts;
    one chunk covering the file for every other file (compressed, CSV, JSON, Parquet, Markdown)."""
    config = config or CollectConfig()
    whole = [Chunk.whole()]
    if classify(path, source).problem or source.format == "markdown" or file_kind(path) != "jsonl":
        return whole
    try:
        if compression(path) or path.stat().st_size <= config.shard_bytes:
            return whole
        if not ascii_compatible(file_encoding(path, source.encoding)):
            return whole
    except (FileProblem, OSError):
        return whole  # `read` reports the problem
    return cut_lines(path, config.shard_bytes)


def run(path: Path, source: SourceConfig, config: CollectConfig | None = None) -> RecordResult:
    """The whole file at once, for callers that want lists; `read` streams."""
    kept: list[SftRecord] = []
    rejections: list[Rejection] = []
    for item in read(path, source, config):
        (kept if isinstance(item, SftRecord) else rejections).append(item)
    return RecordResult(stage=STAGE, input=len(kept) + len(rejections), kept=kept, rejections=rejections)


def _items(
    path: Path, source: SourceConfig, config: CollectConfig, chunk: Chunk | None
) -> Iterator[SftRecord | Rejection]:
    kind = file_kind(path)
    if source.format == "markdown" and kind not in NOTE_KINDS:
        kind = "markdown"
    if kind is None:
        raise FileProblem("unsupported_file_type", f"cannot read {path.suffix or 'extensionless'} files")
    if kind in NOTE_KINDS:
        yield from _markdown_items(path, source, kind)
    else:
        yield from _row_items(path, source, kind, config, chunk)


def _row_items(
    path: Path, source: SourceConfig, kind: str, config: CollectConfig, chunk: Chunk | None
) -> Iterator[SftRecord | Rejection]:
    encoding, rows = read_rows(path, kind, source.encoding, config.max_line_bytes, chunk)
    display = path.as_posix()
    for row in rows:
        if row.reason:
            yield _row_rejection(display, row, encoding, source, row.reason, row.detail)
            continue
        try:
            items = list(_row_records(display, row, encoding, source))
        except Exception as err:  # the per-row backstop: no row may stop a build; precise codes come first
            items = [_row_rejection(display, row, encoding, source, "unreadable_row", f"{type(err).__name__}: {err}")]
        yield from items


def _row_rejection(display: str, row: Row, encoding: str, source: SourceConfig, reason: str, detail: str) -> Rejection:
    pointer = SourcePointer(file=display, line=row.line, encoding=encoding, format=source.format)
    key = f"{pointer}" if pointer.line is not None else f"file:{display}"
    return _reject(digest(key), reason, detail, pointer)


def _row_records(display: str, row: Row, encoding: str, source: SourceConfig) -> Iterator[SftRecord | Rejection]:
    try:
        conversations = to_conversations(row.data, source.format, source.columns)
        category = _category(row.data, source)
        for conversation in conversations:
            _refuse_private_use(conversation.messages)
    except RowProblem as problem:
        yield _row_rejection(display, row, encoding, source, problem.reason, problem.detail)
        return
    fmt = source.format if source.format != "auto" or source.columns else _detected(row.data)
    several = len(conversations) > 1
    for item, conversation in enumerate(conversations):
        pointer = SourcePointer(
            file=display, line=row.line, encoding=encoding, format=fmt, item=item if several else None
        )
        yield _record(conversation.messages, conversation.tools, pointer, category, group=None)


def _refuse_private_use(messages: tuple[Message, ...]) -> None:
    """Private-use characters have no meaning a model could learn; in Chinese data they are the
    trace of a wrong decode (Big5 read as GBK) or of a font's icon glyphs, never text."""
    for number, message in enumerate(messages, start=1):
        if has_private_use(message.content):
            raise RowProblem("garbled_text", f"message {number} has private-use characters (a wrong decode?)")


def _detected(data: object) -> str | None:
    return detect_format(data) if isinstance(data, dict) else None


def _markdown_items(path: Path, source: SourceConfig, kind: NoteKind) -> Iterator[SftRecord | Rejection]:
    """The pairs of a note (Markdown, plain-text Q&A or HTML), each pointing at its lines and headings.
    The note parser (BeautifulSoup, markdown-it) is imported here: checking sources never needs it."""
    from pipeline.collect.markdown import QaPair, parse_note

    encoding, text = read_text(path, source.encoding)
    group = f"doc:{_document_name(path, source)}"
    for item in parse_note(text, kind, source.markdown or MarkdownConfig(), path):
        pointer = SourcePointer(
            file=path.as_posix(),
            line=item.line,
            line_end=item.line_end if isinstance(item, QaPair) else None,
            headings=item.headings,
            encoding=encoding,
            format=kind,
        )
        if isinstance(item, QaPair):
            messages = (Message(role="user", content=item.question), Message(role="assistant", content=item.answer))
            yield _record(messages, None, pointer, source.category, group)
        else:
            yield _reject(digest(f"{pointer}"), item.reason, item.detail, pointer)


def _document_name(path: Path, source: SourceConfig) -> str:
    """A document's name for grouping: its path inside the source folder, or its file name.

    Not the absolute path: moving a collection to another folder or machine must not move
    documents between splits.
    """
    root = Path(source.path)
    if root.is_dir():
        return path.relative_to(root).as_posix()
    return path.name


def _category(data: object, source: SourceConfig) -> str | None:
    if source.category_field is None:
        return source.category
    value = data.get(source.category_field) if isinstance(data, dict) else None
    if value is None:
        raise RowProblem("missing_field", f"category field {source.category_field!r} is missing")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RowProblem(
            "wrong_type", f"category field {source.category_field!r} should be text, got {type(value).__name__}"
        )
    return str(value)  # an integer label (a ClassLabel column) names its class


def _record(
    messages: tuple[Message, ...], tools: str | None, pointer: SourcePointer, category: str | None, group: str | None
) -> SftRecord:
    rid = record_id(messages, tools)
    meta = RecordMeta(source=pointer, group=group or rid, category=category)
    return SftRecord(id=rid, messages=messages, tools=tools, meta=meta)


def _reject(rid: str, reason: str, detail: str, pointer: SourcePointer) -> Rejection:
    return Rejection(record_id=rid, stage=STAGE, reason=reason, detail=shorten(detail), source=pointer)
