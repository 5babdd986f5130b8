"""Cut a large JSONL file into byte ranges at line boundaries, so several workers can read one file.

Each range knows the line number of its first line, so records read from a range carry the same
source pointers (and rejections the same ids) as a read of the whole file. Only plain JSONL in an
encoding where a 0x0A byte is always a newline can be cut this way; other files are one range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_BLOCK = 1 << 20
_CONTENT = re.compile(rb"[^ \t\r\n]")


@dataclass(frozen=True)
class Chunk:
    """Bytes [start, end) of a file (end None: to the end), whose first line is `first_line` (1-based)."""

    start: int = 0
    end: int | None = None
    first_line: int = 1

    @classmethod
    def whole(cls) -> Chunk:
        return cls()

    @property
    def covers_file(self) -> bool:
        return self.start == 0 and self.end is None

    @property
    def length(self) -> int | None:
        return None if self.end is None else self.end - self.start


def cut_lines(path: Path, target_bytes: int) -> list[Chunk]:
    """Ranges of about `target_bytes`, each ending just after a newline; one pass, one block in memory.

    A file of blank lines only stays whole, so that its one read can say it is empty.
    """
    size = path.stat().st_size
    if size <= target_bytes:
        return [Chunk.whole()]
    starts = [(0, 1)]
    next_cut = target_bytes
    offset, lines, blank = 0, 0, True
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            blank = blank and _CONTENT.search(block) is None
            while next_cut < offset + len(block):
                newline = block.find(b"\n", max(0, next_cut - offset))
                if newline < 0:
                    break
                cut = offset + newline + 1
                if cut >= size:
                    break
                starts.append((cut, lines + block.count(b"\n", 0, newline + 1) + 1))
                next_cut = cut + target_bytes
            lines += block.count(b"\n")
            offset += len(block)
    if blank:
        return [Chunk.whole()]
    ends = [start for start, _ in starts[1:]] + [None]
    return [Chunk(start, end, line) for (start, line), end in zip(starts, ends, strict=True)]
