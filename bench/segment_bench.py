"""Segmentation throughput: the segment stage against its raw backend, and clean's records/s.

    .venv/bin/python bench/segment_bench.py [TEXT_FILE] [--mb 2]

TEXT_FILE defaults to 红楼梦 from ../shared/data when present (the development machines have it), else
to the project's sample texts repeated. The same lines go through raw jieba, raw rjieba (and THULAC
and pkuseg when installed) and the segment stage with each backend; raw is, for jieba and rjieba,
the library's own call (`rjieba.Jieba().cut` bound to its HMM flag, nothing of ours between); the
target is stage >= 0.8x raw throughput (CPU time; rjieba's best of nine runs of each, raw and stage
taking turns; the slow backends one run). The last columns compare each backend with jieba: the
share of jieba's word spans it also produces, and of messages segmented identically.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import clean, segment  # noqa: E402
from pipeline.collect import expand_source  # noqa: E402
from pipeline.collect import run as collect  # noqa: E402
from pipeline.ids import record_id  # noqa: E402
from schemas import CleanConfig, Message, RecordMeta, SegmentConfig, SftRecord, SourceConfig, SourcePointer  # noqa: E402

NOVEL = ROOT.parent / "shared" / "data" / "FAQ_Of_LLM_Interview" / "pytorch" / "data" / "books" / "hongLouMeng.txt"


def load_lines(path: Path | None, megabytes: float) -> list[str]:
    if path is not None:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        samples = expand_source(SourceConfig(path=str(ROOT / "data" / "samples")))
        lines = [m.content for p in samples for r in collect(p, SourceConfig(path=str(p))).kept for m in r.messages]
    budget, picked, size = int(megabytes * 1_000_000), [], 0
    while size < budget:
        for line in lines:
            picked.append(line)
            size += len(line.encode("utf-8"))
            if size >= budget:
                break
    return picked


def as_records(lines: list[str]) -> list[SftRecord]:
    records = []
    for number, line in enumerate(lines, start=1):
        messages = (Message(role="user", content="请续写下文。"), Message(role="assistant", content=line))
        meta = RecordMeta(source=SourcePointer(file="bench", line=number), group=str(number))
        records.append(SftRecord(id=record_id(messages), messages=messages, meta=meta))
    return records


def agreement(reference: list[SftRecord], other: list[SftRecord]) -> tuple[float, float]:
    """Share of jieba's word spans the other backend also produces, and of identical messages."""
    same_spans = total_spans = same_lines = lines = 0
    for a, b in zip(reference, other, strict=True):
        for seg_a, seg_b in zip(a.segments, b.segments, strict=True):
            spans_a, spans_b = _spans(seg_a.words), _spans(seg_b.words)
            same_spans += len(spans_a & spans_b)
            total_spans += len(spans_a)
            same_lines += seg_a.words == seg_b.words
            lines += 1
    return same_spans / total_spans, same_lines / lines


def _spans(words: tuple[str, ...]) -> set[tuple[int, int]]:
    spans, position = set(), 0
    for word in words:
        if word.strip():
            spans.add((position, position + len(word)))
        position += len(word)
    return spans


def timed(*works, repeats: int = 5) -> list[float]:
    """The best of `repeats` runs of each work in CPU seconds of this process, the works taking
    turns: a 2 MB pass takes a tenth of a second with rjieba, where one wall-clock run moves by a
    quarter with the machine's load, and a drift of the machine's state over the runs (another
    process's burst, the CPU's clock) weighs on each work alike."""
    best = [float("inf")] * len(works)
    for _ in range(repeats):
        for index, work in enumerate(works):
            start = time.process_time()
            work()
            best[index] = min(best[index], time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("text", nargs="?", type=Path, default=NOVEL if NOVEL.exists() else None)
    parser.add_argument("--mb", type=float, default=2.0, help="megabytes of text to segment")
    args = parser.parse_args()
    lines = load_lines(args.text, args.mb)
    records = as_records(lines)
    megabytes = sum(len(m.content.encode("utf-8")) for r in records for m in r.messages) / 1e6
    print(f"text: {args.text or 'data/samples (repeated)'}; {len(records)} records, {megabytes:.2f} MB")
    header = ("backend", "raw MB/s", "stage MB/s", "stage/raw", "spans = jieba", "lines = jieba")
    print(f"{header[0]:8} {header[1]:>9} {header[2]:>11} {header[3]:>10} {header[4]:>14} {header[5]:>14}")
    segmented = {}
    texts = [m.content for r in records for m in r.messages]
    for backend in ("jieba", "rjieba", "thulac", "pkuseg"):
        if backend in ("thulac", "pkuseg") and importlib.util.find_spec(backend) is None:
            print(f"{backend:8} not installed (optional extra)")
            continue
        config = SegmentConfig(backend=backend)
        segmenter = segment.load_segmenter(config, mark_stop_words=False)  # as a default build runs it
        raw, stage = timed(
            lambda: [segmenter.backend.raw(t) for t in texts],  # noqa: B023
            lambda: segmented.__setitem__(backend, segment.run(records, config, segmenter).kept),  # noqa: B023
            repeats=9 if backend == "rjieba" else 1,
        )
        spans, lines = agreement(segmented["jieba"], segmented[backend])
        speeds = f"{megabytes / raw:9.2f} {megabytes / stage:11.2f} {raw / stage:10.2f}x"
        print(f"{backend:8} {speeds} {spans:14.1%} {lines:14.1%}")
    segmenter = segment.load_segmenter(SegmentConfig())
    (seconds,) = timed(lambda: clean.run(segmented["jieba"], CleanConfig(), segmenter))
    print(f"clean: {len(records) / seconds:,.0f} records/s ({len(records)} records, {seconds:.2f} s)")


if __name__ == "__main__":
    main()
