"""Fuzz target: mutated files through every row reader, collect and normalize, for a bounded time.

Seeds are the bad-input corpus's JSONL, JSON, CSV/TSV, gzip and zstd files; each round mutates
one (byte flips, inserted structural characters and escapes, cut or repeated ranges, splices of
two seeds), reads it with collect and normalizes the records. Any exception that escapes is a
bug: the input is saved beside the test's tmp folder and named in the failure. The budget is
SFT_FUZZ_SECONDS (default 60) and the rounds follow SFT_FUZZ_SEED (default 0), so a failure
found on one machine replays on another (up to how many rounds its budget allowed).

Markdown is left to its own tests; Parquet is not mutated (pyarrow parses it, and a damaged
Parquet file is a corpus class).
"""

from __future__ import annotations

import gzip
import os
import random
import time
from pathlib import Path

import pytest

from pipeline import collect, normalize
from schemas import CollectConfig, NormalizeConfig, SftRecord, SourceConfig

from .test_bad_inputs import CORPUS

_KINDS = (".jsonl", ".json", ".csv", ".tsv", ".jsonl.gz", ".json.gz", ".csv.zst", ".jsonl.zst")
_TOKENS = [
    *(b'"', b"\n", b"\r\n", b"[", b"]", b"{", b"}", b",", b":", b"\\", b"\\u", b"\\ud800", b"\x00", b"\xff"),
    *(b"NaN", b"1e999", b"\xe2\x80\xa8", b"\xc2\x85", b"\t", b'""', "中文".encode(), "中文".encode("gbk")),
    *(b'"instruction"', b'"output"', b'"messages"', b'"conversations"', b'"tool_calls"', b"[[[[[[[[[["),
]


def seeds(folder: Path) -> dict[str, list[bytes]]:
    CORPUS.write_corpus(folder)
    found: dict[str, list[bytes]] = {kind: [] for kind in _KINDS}
    for path in sorted(folder.rglob("*")):
        kind = next((k for k in sorted(_KINDS, key=len, reverse=True) if path.name.lower().endswith(k)), None)
        if kind and path.is_file() and not path.is_symlink() and path.stat().st_size < 1 << 16:
            found[kind].append(path.read_bytes())
    return {kind: data for kind, data in found.items() if data}


def mutate(data: bytes, other: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        where = rng.randint(0, len(data))
        choice = rng.random()
        if choice < 0.3 and data:
            data[min(where, len(data) - 1)] = rng.randrange(256)
        elif choice < 0.6:
            data[where:where] = rng.choice(_TOKENS)
        elif choice < 0.75:
            del data[where : where + rng.randint(1, 64)]
        elif choice < 0.85:
            data[where:where] = data[where : where + rng.randint(1, 64)] * rng.randint(2, 20)
        elif choice < 0.95:
            start = rng.randint(0, len(other))
            data[where:] = other[start:]
        else:
            del data[where:]
    return bytes(data)


def _inflated(data: bytes) -> bytes:
    """The content of a gzip seed, mutated inside the compression (a valid stream of broken rows)."""
    try:
        return gzip.decompress(data)
    except (OSError, EOFError):
        return data  # the truncated-gzip seed


def one_round(path: Path, config: CollectConfig) -> None:
    source = SourceConfig(path=str(path))
    items = list(collect.read(path, source, config))
    records = [item for item in items if isinstance(item, SftRecord)]
    assert normalize.run(records, NormalizeConfig()).counts.balanced


@pytest.mark.fuzz
def test_fuzz_readers_and_normalize(tmp_path: Path) -> None:
    budget = float(os.environ.get("SFT_FUZZ_SECONDS", "60"))
    rng = random.Random(int(os.environ.get("SFT_FUZZ_SEED", "0")))
    by_kind = seeds(tmp_path / "corpus")
    config = CollectConfig(max_line_bytes=4096)
    deadline = time.monotonic() + budget
    rounds = 0
    while time.monotonic() < deadline:
        kind = rng.choice(sorted(by_kind))
        data = mutate(rng.choice(by_kind[kind]), rng.choice(by_kind[rng.choice(sorted(by_kind))]), rng)
        if kind.endswith(".gz") and rng.random() < 0.5:
            data = gzip.compress(mutate(_inflated(rng.choice(by_kind[kind])), b"", rng), mtime=0)
        path = tmp_path / f"case{kind}"
        path.write_bytes(data)
        try:
            one_round(path, config)
        except Exception as err:
            kept = tmp_path / f"failing-round-{rounds}{kind}"
            kept.write_bytes(data)
            raise AssertionError(
                f"round {rounds} ({kind}) raised {type(err).__name__}: {err}; input at {kept}"
            ) from err
        rounds += 1
    assert rounds > 0
