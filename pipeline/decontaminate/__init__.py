"""decontaminate: refuse training records that contain an evaluation benchmark's questions.

A model evaluated on questions it was tuned on scores what it memorised. Text is folded first
with dedup's fold (Kangxi radicals and compatibility ideographs to unified ideographs,
simplified, half-width, lower case, letters and digits only), so "拼⾳" and a traditional copy
match. Three rules, any one makes a record contaminated:

- exact span: the record shares a `ngram`-character span with a question, or with a question
  followed by its options (the way a multiple-choice item is pasted), after GPT-3's 13-gram
  rule (Brown et al. 2020, appendix C) with characters for words;
- short question: a question shorter than the n-gram (and at least `min_short_chars`) is found
  inside a line of a user turn, not only as the whole turn ("请回答：短题？" counts);
- overlap: one user turn holds at least `min_overlap` of a question's distinct `overlap_ngram`-grams
  (a lightly reworded copy: a word changed, a particle dropped, a prefix added), for questions
  with at least `min_overlap_grams` of them. Only user turns: a long answer holds many n-grams
  and would cover short questions by chance.

bench/quality/decontaminate_bench.py measures recall on CMMLU questions pasted and reworded,
and false positives on the gold records.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.collect.encoding import UndecodableError, decode
from pipeline.dedup.sketch import fold
from schemas import DecontaminateConfig, RecordResult, Rejection, SftRecord

STAGE = "decontaminate"


@dataclass
class BenchmarkIndex:
    """Where each span of the benchmark comes from (`path:line`); built once, read by every shard."""

    ngram: int
    overlap_ngram: int = 4
    grams: dict[str, str] = field(default_factory=dict)
    short: dict[str, str] = field(default_factory=dict)
    short_lengths: set[int] = field(default_factory=set)
    overlap: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    overlap_sizes: list[int] = field(default_factory=list)
    overlap_where: list[str] = field(default_factory=list)
    questions: int = 0


def load_index(config: DecontaminateConfig) -> BenchmarkIndex:
    """Index every benchmark question; a missing file or column is a configuration error."""
    index = BenchmarkIndex(config.ngram, config.overlap_ngram)
    for benchmark in config.benchmarks:
        path = Path(benchmark.path)
        try:
            text = decode(path.read_bytes()).text
        except (OSError, UndecodableError) as err:
            raise ValueError(f"decontaminate.benchmarks: cannot read {path}: {err}") from None
        reader = csv.DictReader(io.StringIO(text))
        columns = reader.fieldnames or []
        if benchmark.column not in columns:
            raise ValueError(f"decontaminate.benchmarks: {path} has no column {benchmark.column!r}")
        options = [c for c in benchmark.option_columns if c in columns]
        for number, row in enumerate(reader, start=2):
            question = fold(row[benchmark.column] or "")
            choices = "".join(fold(row[c] or "") for c in options)
            add_question(index, config, question, choices, f"{path.as_posix()}:{number}")
    return index


def add_question(index: BenchmarkIndex, config: DecontaminateConfig, question: str, choices: str, where: str) -> None:
    """Index one folded question (and its folded options) under the rules of the module docstring."""
    if not question:
        return
    index.questions += 1
    n = config.ngram
    if config.min_short_chars <= len(question) < n:
        index.short.setdefault(question, where)
        index.short_lengths.add(len(question))
    for text in (question, question + choices) if choices else (question,):
        for start in range(len(text) - n + 1):
            index.grams.setdefault(text[start : start + n], where)
    grams = {question[i : i + config.overlap_ngram] for i in range(len(question) - config.overlap_ngram + 1)}
    if len(grams) >= config.min_overlap_grams:
        number = len(index.overlap_sizes)
        index.overlap_sizes.append(len(grams))
        index.overlap_where.append(where)
        for gram in grams:
            index.overlap[gram].append(number)


def run(records: Iterable[SftRecord], config: DecontaminateConfig, index: BenchmarkIndex) -> RecordResult:
    kept: list[SftRecord] = []
    rejections: list[Rejection] = []
    count = 0
    for record in records:
        count += 1
        hit = find_overlap(record, index, config) if index.questions else None
        if hit is None:
            kept.append(record)
        else:
            where, detail = hit
            rejections.append(
                Rejection(
                    record_id=record.id,
                    stage=STAGE,
                    reason="contaminated",
                    detail=f"{detail} (benchmark question at {where})",
                    source=record.meta.source,
                )
            )
    return RecordResult(stage=STAGE, input=count, kept=kept, rejections=rejections)


def find_overlap(record: SftRecord, index: BenchmarkIndex, config: DecontaminateConfig) -> tuple[str, str] | None:
    """(where the benchmark question is, what was shared), or None for a clean record."""
    texts = [m.content for m in record.messages if m.role in ("user", "assistant")]
    for message in record.messages:
        if message.role == "user" and index.short:
            for line in message.content.splitlines():
                hit = _short_question_in(fold(line), index)
                if hit:
                    return index.short[hit], f"contains the short question {hit!r}"
    folded = [fold(text) for text in texts]
    n = index.ngram
    for text in folded:
        for start in range(len(text) - n + 1):
            gram = text[start : start + n]
            if gram in index.grams:
                return index.grams[gram], f"shares {gram!r}"
    users = [fold(m.content) for m in record.messages if m.role == "user"]
    return next((hit for text in users if (hit := _reworded(text, index, config))), None)


def _short_question_in(line: str, index: BenchmarkIndex) -> str | None:
    for length in index.short_lengths:
        for start in range(len(line) - length + 1):
            if line[start : start + length] in index.short:
                return line[start : start + length]
    return None


def _reworded(text: str, index: BenchmarkIndex, config: DecontaminateConfig) -> tuple[str, str] | None:
    if not index.overlap_sizes:
        return None
    n = index.overlap_ngram
    present = {text[i : i + n] for i in range(len(text) - n + 1)}
    shared: dict[int, int] = defaultdict(int)
    for gram in present:
        for number in index.overlap.get(gram, ()):
            shared[number] += 1
    for number, hits in shared.items():
        share = hits / index.overlap_sizes[number]
        if share >= config.min_overlap:
            return index.overlap_where[number], f"holds {share:.0%} of a question's {n}-grams"
    return None
