"""The ways input can be bad: a whole file (`FileProblem`), one row (`RowProblem`), or a note or
one of its questions that yields no Q&A pair (`DocumentProblem`).

All carry a stable snake_case reason code and a detail for the rejection; readers and format
converters raise them, and collect turns them into rejections naming the file and line.
"""

from __future__ import annotations

DETAIL_CHARS = 300


class FileProblem(ValueError):
    """The file, or the rest of it from `line` on, is unusable; `reason` is the reason code."""

    def __init__(self, reason: str, detail: str, line: int | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.line = line


class RowProblem(ValueError):
    """A row that cannot become a conversation; `reason` is the rejection's reason code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def shorten(text: str, limit: int = DETAIL_CHARS) -> str:
    """A detail cut to `limit` characters: details echo input, and input can be a megabyte long."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


class DocumentProblem(ValueError):
    """A document (or, with `line`, one of its questions) that yields no Q&A pair."""

    def __init__(self, reason: str, detail: str, line: int | None = None, headings: tuple[str, ...] = ()) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.line = line
        self.headings = headings
