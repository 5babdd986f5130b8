"""Sketches: what dedup, split and the leakage check need to know of a record, without the record.

A sketch row holds a record's id, group, exact key, the character n-gram hashes of its prompt (the
user turns), of its answers (the assistant turns) and of its final answer when it has several, and
the MinHash signature of the prompt.
Sketches are computed per shard, in parallel, and kept in numpy arrays, so the global steps hold
hashes and ids, never records.

Folding makes trivially different texts equal before hashing: traditional to simplified
(OpenCC), Kangxi radicals and compatibility ideographs to their unified characters, full width
to ASCII, lower case, punctuation and spaces removed. Long texts are compared by character
bigrams; texts shorter than `near.short_chars` by single characters, because one changed
character of a ten-character question changes a third of its bigrams ("谁制作了你" / "谁训练了你").
These choices were measured on labelled real pairs (bench/quality/neardup).

Text shared by many records of a shard (an instruction template, a scraped footer) says
nothing about whether two records are alike, so lines that recur in a shard are left out
before hashing ("compare what varies"): otherwise one shared instruction chains unrelated
short reviews into one cluster. Hashes are computed from code points, so they are the same in
every process and on every machine.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import regex

from pipeline.ids import content_key, digest
from schemas import NearDupConfig, SftRecord

_KEEP = regex.compile(r"[\p{L}\p{N}]+")
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_SPACE = re.compile(r"\s+")
# Kangxi radicals (U+2F00-2FD5), CJK radicals supplement (U+2E80-2EF3) and compatibility
# ideographs (U+F900-FAFF, U+2F800-2FA1F) look like common characters but are other code points.
_LOOKALIKES = re.compile("[\u2e80-\u2ef3\u2f00-\u2fd5\uf900-\ufaff\U0002f800-\U0002fa1f]")
_MIX = np.uint64(0x9E3779B97F4A7C15)
_PRIME_BASE = np.uint64(0x110000)

BOILERPLATE_MIN_RECORDS = 3
BOILERPLATE_SHARE = 0.02
BOILERPLATE_MIN_CHARS = 6


@cache
def _to_simplified() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert


def unify_lookalikes(text: str) -> str:
    """Kangxi radicals and compatibility ideographs to the characters they look like (NFKC on those only)."""
    import unicodedata

    return _LOOKALIKES.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def fold(text: str) -> str:
    """Letters and digits only, simplified, unified, half-width, lower case."""
    return "".join(_KEEP.findall(_to_simplified()(unify_lookalikes(text).translate(_WIDTH)).lower()))


def exact_key(record: SftRecord) -> str:
    """Content with runs of whitespace folded: formatting differences do not make new data."""
    messages = [m.model_copy(update={"content": _SPACE.sub(" ", m.content)}) for m in record.messages]
    return digest(content_key(messages, record.tools), length=32)


def folded_lines(record: SftRecord, roles: tuple[str, ...] = ("user", "assistant")) -> list[str]:
    """Folded non-empty lines of the turns of these roles (system prompts are configuration)."""
    return [line for turn in folded_turns(record, roles) for line in turn]


def folded_turns(record: SftRecord, roles: tuple[str, ...]) -> list[list[str]]:
    """Folded non-empty lines of each turn of these roles, turn by turn."""
    return [[f for line in m.content.splitlines() if (f := fold(line))] for m in record.messages if m.role in roles]


def shingles(text: str, config: NearDupConfig) -> np.ndarray:
    """Hashes of the text's bigrams (`near.ngram`), or of its characters when it is short."""
    return shingle_hashes(text, 1 if len(text) < config.short_chars else config.ngram)


def shingle_hashes(text: str, n: int) -> np.ndarray:
    """Sorted unique 64-bit hashes of the text's character n-grams (the whole text when shorter)."""
    if not text:
        return np.zeros(0, dtype=np.uint64)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = min(n, len(points))
    count = len(points) - n + 1
    value = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            value = value * _PRIME_BASE + points[k : k + count]
        return np.unique(value * _MIX)


@dataclass(frozen=True)
class Permutations:
    a: np.ndarray
    b: np.ndarray


@cache
def permutations(num_perm: int, seed: int) -> Permutations:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return Permutations(a[:, None], b[:, None])


def minhash(hashes: np.ndarray, perms: Permutations) -> np.ndarray:
    """A MinHash signature by multiply-shift hashing: one row of uint32 per permutation."""
    if not len(hashes):
        return np.full(len(perms.a), np.iinfo(np.uint32).max, dtype=np.uint32)
    with np.errstate(over="ignore"):
        values = (perms.a * hashes[None, :] + perms.b) >> np.uint64(32)
    return values.min(axis=1).astype(np.uint32)


def boilerplate(lines_of_records: Sequence[Sequence[str]]) -> frozenset[str]:
    """Folded lines that recur in a share of the shard's records (given each record's folded
    lines): templates and footers."""
    counts: Counter[str] = Counter()
    for lines in lines_of_records:
        counts.update({line for line in lines if len(line) >= BOILERPLATE_MIN_CHARS})
    floor = max(BOILERPLATE_MIN_RECORDS, BOILERPLATE_SHARE * len(lines_of_records))
    return frozenset(line for line, n in counts.items() if n >= floor)


@dataclass
class Sketches:
    """Sketches of a run of records, in order; arrays so they pickle and save compactly."""

    ids: list[str]
    groups: list[str]
    exact: list[str]
    sources: list[str]
    signatures: np.ndarray
    prompt_offsets: np.ndarray
    prompt_hashes: np.ndarray
    answer_offsets: np.ndarray
    answer_hashes: np.ndarray
    final_offsets: np.ndarray
    final_hashes: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def prompt(self, row: int) -> np.ndarray:
        return self.prompt_hashes[self.prompt_offsets[row] : self.prompt_offsets[row + 1]]

    def answer(self, row: int) -> np.ndarray:
        return self.answer_hashes[self.answer_offsets[row] : self.answer_offsets[row + 1]]

    def final(self, row: int) -> np.ndarray:
        """The last assistant turn's hashes (the answers' when there is only one turn)."""
        own = self.own_final(row)
        return own if len(own) else self.answer(row)

    def own_final(self, row: int) -> np.ndarray:
        """The last assistant turn's hashes as stored: none for a record with one answer."""
        return self.final_hashes[self.final_offsets[row] : self.final_offsets[row + 1]]

    def save(self, folder: Path) -> None:
        """One .npy file per array (so a reader can map them without loading) and the ids as JSON."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in _ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))
        rows = {"ids": self.ids, "groups": self.groups, "exact": self.exact, "sources": self.sources}
        text = json.dumps(rows, ensure_ascii=False)
        (folder / "rows.json").write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Sketches:
        rows = json.loads((folder / "rows.json").read_text(encoding="utf-8"))
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        return cls(**rows, **arrays)

    @classmethod
    def gather(cls, rows: Sequence[tuple[Sketches, int]], num_perm: int) -> Sketches:
        """A table of the given rows of other tables, in order."""
        prompts = [table.prompt(i) for table, i in rows]
        answers = [table.answer(i) for table, i in rows]
        finals = [table.own_final(i) for table, i in rows]
        signatures = [table.signatures[i] for table, i in rows]
        return cls(
            ids=[table.ids[i] for table, i in rows],
            groups=[table.groups[i] for table, i in rows],
            exact=[table.exact[i] for table, i in rows],
            sources=[table.sources[i] for table, i in rows],
            signatures=np.stack(signatures) if signatures else np.zeros((0, num_perm), dtype=np.uint32),
            prompt_offsets=_offsets(prompts),
            prompt_hashes=_joined(prompts),
            answer_offsets=_offsets(answers),
            answer_hashes=_joined(answers),
            final_offsets=_offsets(finals),
            final_hashes=_joined(finals),
        )


_ARRAYS = (
    "signatures", "prompt_offsets", "prompt_hashes", "answer_offsets", "answer_hashes", "final_offsets", "final_hashes"
)  # fmt: skip


def sketch(records: Sequence[SftRecord], config: NearDupConfig, common: frozenset[str] | None = None) -> Sketches:
    """Sketches of records; `common` lines are left out (by default the records' own boilerplate).
    Each line is folded once: folding it again for the boilerplate count cost 30% of a sketch's time."""
    folded = []
    for record in records:
        turns = folded_turns(record, ("assistant",))
        final = turns[-1] if len(turns) > 1 else []  # a single answer is its own final answer
        folded.append((folded_lines(record, ("user",)), [line for turn in turns for line in turn], final))
    if common is None:
        common = boilerplate([user + assistant for user, assistant, _ in folded])
    perms = permutations(config.num_perm, config.seed)
    prompts, answers, finals, signatures = [], [], [], []
    for user, assistant, final in folded:
        prompt = shingles(_varying(user, common), config)
        prompts.append(prompt)
        answers.append(shingles(_varying(assistant, common), config))
        finals.append(shingles(_varying(final, common), config) if final else np.zeros(0, dtype=np.uint64))
        signatures.append(minhash(prompt, perms))
    return Sketches(
        ids=[r.id for r in records],
        groups=[r.meta.group for r in records],
        exact=[exact_key(r) for r in records],
        sources=[str(r.meta.source) for r in records],
        signatures=np.stack(signatures) if signatures else np.zeros((0, config.num_perm), dtype=np.uint32),
        prompt_offsets=_offsets(prompts),
        prompt_hashes=_joined(prompts),
        answer_offsets=_offsets(answers),
        answer_hashes=_joined(answers),
        final_offsets=_offsets(finals),
        final_hashes=_joined(finals),
    )


def _varying(lines: list[str], common: frozenset[str]) -> str:
    """The lines that are not boilerplate (all of them when nothing else is left)."""
    return "".join([line for line in lines if line not in common] or lines)


def _joined(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint64)


def _offsets(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum([len(a) for a in arrays])]).astype(np.int64)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique hash arrays."""
    if not len(a) and not len(b):
        return 1.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)
