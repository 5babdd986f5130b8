"""Collect streams: a 1 GB JSONL file and a file with one 50 MB line, read with bounded memory.

Writes the files into a temporary folder (about 1.1 GB of disk), then reads each in a fresh child
process through `pipeline.collect.read`, so the peak RSS printed is collect's alone (the child's
VmHWM, imports included; the peak after imports is printed beside it). The big file is also
read through `chunks` (ranges of `collect.shard_bytes`), as independent workers would read it.

    .venv/bin/python bench/collect_stream_bench.py            # 1 GB; --gb 0.1 for a quick run

Done when the 1 GB file goes through with a peak RSS under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Real Chinese of ordinary lengths (~110 characters an answer); the counter makes every row distinct.
_QUESTIONS = ["如何保持身体健康？", "解释一下什么是监督微调。", "推荐一种学习外语的方法。", "长城大约有多长？"]
_ANSWERS = [
    "规律作息，均衡饮食，每周运动三次以上，并且保持良好的心态，定期体检，少熬夜，多喝水，远离烟酒。",
    "监督微调是在预训练模型的基础上，用人工整理的指令与回答对继续训练，让模型学会按照指令作答的方法。",
    "每天坚持听说读写，积累常用词汇，多看原版影视作品，并找机会和母语者交流，把学到的表达用起来。",
    "明长城东起鸭绿江畔的虎山，西至甘肃的嘉峪关，全长约八千八百五十公里，是世界上最长的军事防御工程。",
]


def write_big(path: Path, target_bytes: int) -> int:
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        while out.tell() < target_bytes:
            batch = []
            for _ in range(1000):
                question = f"{_QUESTIONS[rows % 4]}（第{rows}题）"
                answer = _ANSWERS[(rows // 4) % 4] * 2
                batch.append(json.dumps({"instruction": question, "input": "", "output": answer}, ensure_ascii=False))
                rows += 1
            out.write("\n".join(batch) + "\n")
    return rows


def write_long_line(path: Path, line_bytes: int) -> None:
    filler = "很长的回答。" * (line_bytes // 18)
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"instruction": "短问题一", "output": "短回答一"}, ensure_ascii=False) + "\n")
        out.write(json.dumps({"instruction": "一个很长的回答", "output": filler}, ensure_ascii=False) + "\n")
        out.write(json.dumps({"instruction": "短问题二", "output": "短回答二"}, ensure_ascii=False) + "\n")


def peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM on Linux (reset at exec, unlike ru_maxrss,
    which a child started by fork and exec inherits from its parent), else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / (1 << 20)


def measure(path: str, max_line_bytes: int, chunked: bool) -> dict:
    """Runs in the child: read the file, count what came out, report time and memory."""
    from pipeline import collect
    from schemas import CollectConfig, SftRecord, SourceConfig

    source = SourceConfig(path=path)
    config = CollectConfig(max_line_bytes=max_line_bytes)
    after_imports = peak_rss_mb()
    started = time.perf_counter()
    ranges = collect.chunks(Path(path), source, config) if chunked else [None]
    records = rejections = 0
    reasons: dict[str, int] = {}
    for chunk in ranges:
        for item in collect.read(Path(path), source, config, chunk):
            if isinstance(item, SftRecord):
                records += 1
            else:
                rejections += 1
                reasons[item.reason] = reasons.get(item.reason, 0) + 1
    seconds = time.perf_counter() - started
    return {
        "records": records,
        "rejections": reasons,
        "chunks": len(ranges),
        "seconds": round(seconds, 1),
        "records_per_s": round(records / seconds),
        "mb_per_s": round(Path(path).stat().st_size / seconds / 1e6, 1),
        "rss_after_imports_mb": round(after_imports),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def run_child(path: Path, max_line_bytes: int, chunked: bool = False) -> dict:
    command = [sys.executable, __file__, "--child", str(path), str(max_line_bytes), str(int(chunked))]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=1.0, help="size of the big JSONL file")
    parser.add_argument("--line-mb", type=int, default=50, help="size of the single long line")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        path, max_line_bytes, chunked = args.child
        print(json.dumps(measure(path, int(max_line_bytes), chunked == "1")))
        return
    default_cap = 16 << 20
    with tempfile.TemporaryDirectory(prefix="collect-bench-") as folder:
        big, long_line = Path(folder) / "big.jsonl", Path(folder) / "long-line.jsonl"
        rows = write_big(big, int(args.gb * 1e9))
        write_long_line(long_line, args.line_mb << 20)
        print(f"big.jsonl: {big.stat().st_size / 1e9:.2f} GB, {rows:,} rows")
        print("  read:           ", run_child(big, default_cap))
        print("  read by chunks: ", run_child(big, default_cap, chunked=True))
        print(f"long-line.jsonl: one line of {args.line_mb} MB between two short ones")
        print("  default cap (16 MiB): ", run_child(long_line, default_cap))
        print(f"  cap raised to {args.line_mb + 14} MiB:", run_child(long_line, (args.line_mb + 14) << 20))


if __name__ == "__main__":
    main()
