"""collect: read one source file into records with stable ids and source pointers.

Every row read is either a record or a rejection naming the file and line. A file that cannot
be read at all becomes one rejection for the file, and the other files still flow.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from pathlib import Path

from pipeline.collect.formats import RowProblem, detect_format, to_conversations
from pipeline.collect.markdown import DocumentProblem, QaPair, parse_qa
from pipeline.collect.readers import FileProblem, Row, file_kind, read_rows, read_text
from pipeline.ids import digest, record_id
from schemas import Message, RecordMeta, RecordResult, Rejection, SftRecord, SourceConfig, SourcePointer

STAGE = "collect"


def expand_source(source: SourceConfig) -> list[Path]:
    """The files a source names: the file itself, a folder's readable files, or a glob's matches."""
    path = Path(source.path)
    if path.is_file():
        return [path]
    if path.is_dir():
        candidates = sorted(p for p in path.rglob("*") if p.is_file())
        return [p for p in candidates if file_kind(p) or (source.format == "markdown" and p.suffix == ".txt")]
    matches = sorted(Path(p) for p in glob.glob(source.path, recursive=True))
    files = [p for p in matches if p.is_file()]
    if not files:
        raise FileNotFoundError(f"source {source.path!r} matches no file (relative paths start at {Path.cwd()})")
    return files


def run(path: Path, source: SourceConfig) -> RecordResult:
    kept: list[SftRecord] = []
    rejections: list[Rejection] = []
    display = path.as_posix()
    try:
        for item in _items(path, source):
            (kept if isinstance(item, SftRecord) else rejections).append(item)
    except (FileProblem, DocumentProblem) as problem:
        pointer = SourcePointer(file=display, format=source.format)
        rejections.append(_reject(digest(f"file:{display}"), problem.reason, problem.detail, pointer))
    except OSError as err:
        pointer = SourcePointer(file=display)
        rejections.append(_reject(digest(f"file:{display}"), "unreadable_file", err.strerror or str(err), pointer))
    return RecordResult(stage=STAGE, input=len(kept) + len(rejections), kept=kept, rejections=rejections)


def _items(path: Path, source: SourceConfig) -> Iterator[SftRecord | Rejection]:
    kind = "markdown" if source.format == "markdown" else file_kind(path)
    if kind is None:
        raise FileProblem("unsupported_file_type", f"cannot read {path.suffix or 'extensionless'} files")
    if kind == "markdown":
        yield from _markdown_items(path, source)
    else:
        yield from _row_items(path, source, kind)


def _row_items(path: Path, source: SourceConfig, kind: str) -> Iterator[SftRecord | Rejection]:
    encoding, rows = read_rows(path, kind, source.encoding)
    for row in rows:
        pointer = SourcePointer(file=path.as_posix(), line=row.line, encoding=encoding, format=source.format)
        if row.reason:
            yield _reject(digest(f"{pointer}"), row.reason, row.detail, pointer)
            continue
        yield from _row_records(row, source, pointer)


def _row_records(row: Row, source: SourceConfig, pointer: SourcePointer) -> Iterator[SftRecord | Rejection]:
    try:
        conversations = to_conversations(row.data, source.format, source.columns)
        category = _category(row.data, source)
    except RowProblem as problem:
        yield _reject(digest(f"{pointer}"), problem.reason, problem.detail, pointer)
        return
    fmt = source.format if source.format != "auto" or source.columns else None
    for item, conversation in enumerate(conversations):
        where = pointer.model_copy(
            update={"item": item if len(conversations) > 1 else None, "format": fmt or _detected(row.data)}
        )
        yield _record(conversation.messages, conversation.tools, where, category, group=None)


def _detected(data: object) -> str | None:
    return detect_format(data) if isinstance(data, dict) else None


def _markdown_items(path: Path, source: SourceConfig) -> Iterator[SftRecord | Rejection]:
    encoding, text = read_text(path, source.encoding)
    group = f"doc:{_document_name(path, source)}"
    for item in parse_qa(text):
        if isinstance(item, QaPair):
            pointer = SourcePointer(file=path.as_posix(), line=item.line, encoding=encoding, format="markdown")
            messages = (Message(role="user", content=item.question), Message(role="assistant", content=item.answer))
            yield _record(messages, None, pointer, source.category, group)
        else:
            pointer = SourcePointer(file=path.as_posix(), line=item.line, encoding=encoding, format="markdown")
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
    return str(value)


def _record(
    messages: tuple[Message, ...], tools: str | None, pointer: SourcePointer, category: str | None, group: str | None
) -> SftRecord:
    rid = record_id(messages, tools)
    meta = RecordMeta(source=pointer, group=group or rid, category=category)
    return SftRecord(id=rid, messages=messages, tools=tools, meta=meta)


def _reject(rid: str, reason: str, detail: str, pointer: SourcePointer) -> Rejection:
    return Rejection(record_id=rid, stage=STAGE, reason=reason, detail=detail, source=pointer)
