"""Open a file as a binary stream, decompressing .gz and .zst transparently.

Compression is known from the suffix or, for a file whose suffix says nothing, from its magic
bytes. Decompression errors surface while the stream is read, often after many good lines (a
truncated download, a flipped bit), so every read is checked and a broken stream becomes an
`unreadable_file` problem at that point: the rows before it are kept, the rest is accounted for.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from pipeline.collect.problems import FileProblem

SUFFIXES = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd"}
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"\x28\xb5\x2f\xfd", "zstd"))
_BUFFER = 1 << 16


def compression(path: Path) -> str | None:
    """ "gzip", "zstd" or None, from the suffix, else from the first bytes."""
    by_suffix = SUFFIXES.get(path.suffix.lower())
    if by_suffix:
        return by_suffix
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError:
        return None
    return next((name for magic, name in _MAGIC if head.startswith(magic)), None)


def inner_suffix(path: Path) -> str:
    """The suffix that names the content: `.jsonl` for `a.jsonl.gz`."""
    if path.suffix.lower() in SUFFIXES:
        return Path(path.stem).suffix.lower()
    return path.suffix.lower()


@contextmanager
def open_binary(path: Path, start: int = 0) -> Iterator[BinaryIO]:
    """The file's (decompressed) bytes; `start` seeks in a plain file only."""
    kind = compression(path)
    with path.open("rb") as raw:
        if kind is None:
            raw.seek(start)
            yield raw
            return
        if start:
            raise ValueError("a compressed file is read from its start only")
        yield io.BufferedReader(_Checked(_decompressor(kind, raw), kind), buffer_size=_BUFFER)


def _decompressor(kind: str, raw: BinaryIO) -> BinaryIO:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    return _Zstd(raw)


class _Zstd(io.RawIOBase):
    """Zstandard frames one after another, with truncation detected.

    zstandard's `stream_reader` ends a truncated frame as if the file were complete, which would
    lose the tail of a file silently; a decompression object knows whether its frame ended.
    Input goes in 4 KiB at a time, which bounds the output of one step even for extreme ratios.
    """

    def __init__(self, raw: BinaryIO) -> None:
        import zstandard

        self._raw = raw
        self._new = zstandard.ZstdDecompressor().decompressobj
        self._frame = self._new()
        self._fed = False
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self._pending:
            block = self._raw.read(4096)
            if not block:
                if self._fed and not self._frame.eof:
                    raise EOFError("the file ends inside a zstd frame (truncated)")
                return 0
            self._pending = memoryview(self._feed(block))
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]  # a view: no copy of the rest
        return size

    def _feed(self, block: bytes) -> bytes:
        out = []
        while block:
            if self._frame.eof:
                self._frame, self._fed = self._new(), False
            self._fed = True
            out.append(self._frame.decompress(block))
            block = self._frame.unused_data if self._frame.eof else b""
        return b"".join(out)


class _Checked(io.RawIOBase):
    """A decompressing stream whose errors, of whatever library type, become `FileProblem`s."""

    def __init__(self, inner: BinaryIO, kind: str) -> None:
        self._inner = inner
        self._kind = kind
        # read1, not read: GzipFile.read(n) waits for n bytes and raises at a break, losing what
        # it had already decompressed; read1 hands over each piece as it comes.
        self._read = getattr(inner, "read1", inner.read)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        try:
            data = self._read(len(buffer))
        except Exception as err:  # gzip: OSError, EOFError, zlib.error; zstandard: ZstdError
            raise FileProblem("unreadable_file", f"the {self._kind} stream is broken: {err}") from None
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()
