"""decontaminate: refuse training records that contain an evaluation benchmark's questions.

A model evaluated on questions it was tuned on scores what it memorised. Overlap is measured
on character n-grams of folded text (simplified, half-width, lower case, letters and digits
only), after GPT-3's 13-gram rule (Brown et al. 2020, appendix C) with characters for words;
a question shorter than the n-gram must match a whole user turn.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.collect.encoding import UndecodableError, decode
from pipeline.dedup.sketch import fold
from schemas import DecontaminateConfig, RecordResult, Rejection, SftRecord

STAGE = "decontaminate"


@dataclass
class BenchmarkIndex:
    ngram: int
    grams: dict[str, str] = field(default_factory=dict)
    whole: dict[str, str] = field(default_factory=dict)
    questions: int = 0


def load_index(config: DecontaminateConfig) -> BenchmarkIndex:
    """Index every benchmark question; a missing file or column is a configuration error."""
    index = BenchmarkIndex(config.ngram)
    for benchmark in config.benchmarks:
        path = Path(benchmark.path)
        try:
            text = decode(path.read_bytes()).text
        except (OSError, UndecodableError) as err:
            raise ValueError(f"decontaminate.benchmarks: cannot read {path}: {err}") from None
        reader = csv.DictReader(io.StringIO(text))
        if benchmark.column not in (reader.fieldnames or []):
            raise ValueError(f"decontaminate.benchmarks: {path} has no column {benchmark.column!r}")
        for number, row in enumerate(reader, start=2):
            question = fold(row[benchmark.column] or "")
            where = f"{path.as_posix()}:{number}"
            index.questions += 1
            if len(question) < config.ngram:
                index.whole.setdefault(question, where)
            for start in range(len(question) - config.ngram + 1):
                index.grams.setdefault(question[start : start + config.ngram], where)
    return index


def run(records: Iterable[SftRecord], config: DecontaminateConfig, index: BenchmarkIndex) -> RecordResult:
    kept: list[SftRecord] = []
    rejections: list[Rejection] = []
    count = 0
    for record in records:
        count += 1
        hit = _overlap(record, index, fold) if index.questions else None
        if hit is None:
            kept.append(record)
        else:
            detail = f"shares {hit[1]!r} with the benchmark question at {hit[0]}"
            rejections.append(
                Rejection(
                    record_id=record.id, stage=STAGE, reason="contaminated", detail=detail, source=record.meta.source
                )
            )
    return RecordResult(stage=STAGE, input=count, kept=kept, rejections=rejections)


def _overlap(record: SftRecord, index: BenchmarkIndex, fold) -> tuple[str, str] | None:
    for message in record.messages:
        if message.role not in ("user", "assistant"):
            continue
        text = fold(message.content)
        if message.role == "user" and text in index.whole:
            return index.whole[text], text
        for start in range(len(text) - index.ngram + 1):
            gram = text[start : start + index.ngram]
            if gram in index.grams:
                return index.grams[gram], gram
    return None
