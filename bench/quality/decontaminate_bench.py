"""Decontamination scored: recall on CMMLU questions pasted and lightly reworded, false positives
on the gold records.

    python bench/quality/decontaminate_bench.py [--cmmlu DIR] [--part tuned|untuned|both]

Test cases are made on the fly from ../shared/data/CMMLU/data/dev/*.csv (CMMLU is CC BY-NC-SA:
nothing of it is copied into the project). The index holds every dev question with its options;
each question then becomes training-like records: pasted as it is (the question alone, and the
question with its lettered options), and lightly reworded (a prefix such as "请问：", one common
exam-wording substitution such as 下列→以下 or 哪个→哪一个, one particle dropped, or the whole
question in traditional script), seeded per question. Recall is the share of those records the
stage rejects. False positives are the gold cleaning records (bench/quality/records.jsonl, real
SFT data of other sources) it rejects, per part. Targets: exact recall 100%, reworded recall
>= 90%, false positives <= 1% on the untuned part.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline import decontaminate  # noqa: E402
from pipeline.ids import record_id  # noqa: E402
from schemas import BenchmarkFile, DecontaminateConfig, Message, RecordMeta, SftRecord, SourcePointer  # noqa: E402

HERE = Path(__file__).parent
CMMLU = ROOT.parent / "shared" / "data" / "CMMLU" / "data" / "dev"
SUBSTITUTIONS = [
    ("下列", "以下"), ("哪个", "哪一个"), ("哪一项", "哪项"), ("什么", "哪些"), ("属于", "是"),
    ("正确的是", "对的是"), ("不正确", "错误"), ("主要", "最主要"), ("可以", "能"), ("以下", "下面"),
]  # fmt: skip
PREFIXES = ["请问：", "问题：", "考考你，", "帮我看看这道题：", "请回答："]
PARTICLES = "的了是在"


def record(text: str, number: int) -> SftRecord:
    messages = (Message(role="user", content=text), Message(role="assistant", content="答案是 A，理由如下。"))
    meta = RecordMeta(source=SourcePointer(file="decontaminate_bench", line=number), group=str(number))
    return SftRecord(id=record_id(messages), messages=messages, meta=meta)


def reworded(question: str, rng: random.Random, to_traditional) -> str:
    """One light rewording: a prefix, plus one substitution or dropped particle, or traditional script."""
    kind = rng.choice(["substitute", "drop", "traditional"])
    text = question
    if kind == "substitute":
        found = [(a, b) for a, b in SUBSTITUTIONS if a in text]
        if found:
            a, b = rng.choice(found)
            text = text.replace(a, b, 1)
    elif kind == "drop":
        places = [i for i, char in enumerate(text) if char in PARTICLES]
        if places:
            i = rng.choice(places)
            text = text[:i] + text[i + 1 :]
    else:
        text = to_traditional(text)
    return rng.choice(PREFIXES) + text


def cases(folder: Path) -> tuple[list[Path], list[SftRecord], list[SftRecord]]:
    import opencc

    to_traditional = opencc.OpenCC("s2t").convert
    paths = sorted(folder.glob("*.csv"))
    exact, light = [], []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                question = row["Question"]
                rng = random.Random(f"decontaminate:{path.name}:{question}")
                options = "\n".join(f"{c}. {row[c]}" for c in "ABCD")
                exact += [record(question, len(exact)), record(f"{question}\n{options}", len(exact) + 1)]
                light.append(record(reworded(question, rng, to_traditional), len(light)))
    return paths, exact, light


def gold(part: str) -> list[SftRecord]:
    records = []
    for line in (HERE / "records.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["part"] == part:
            messages = tuple(Message(role=t["role"], content=t["content"]) for t in row["messages"])
            meta = RecordMeta(source=SourcePointer(file=row["source"], line=row["line"]), group=row["id"])
            records.append(SftRecord(id=row["id"], messages=messages, meta=meta))
    return records


def run(parts: list[str], show: int, folder: Path = CMMLU) -> bool:
    if not folder.is_dir():
        print(f"CMMLU dev files not found under {folder}")
        return False
    paths, exact, light = cases(folder)
    config = DecontaminateConfig(benchmarks=[BenchmarkFile(path=str(p)) for p in paths])
    index = decontaminate.load_index(config)

    def caught(records: list[SftRecord]) -> set[str]:
        return {r.record_id for r in decontaminate.run(records, config, index).rejections}

    hit_exact, hit_light = caught(exact), caught(light)
    print(f"index: {index.questions} CMMLU dev questions from {len(paths)} files")
    print(f"recall, pasted:   {len(hit_exact) / len(exact):6.1%} ({len(hit_exact)}/{len(exact)})")
    print(f"recall, reworded: {len(hit_light) / len(light):6.1%} ({len(hit_light)}/{len(light)})")
    for r in [r for r in light if r.id not in hit_light][:show]:
        print(f"   missed: {r.messages[0].content[:80]}")
    ok = len(hit_exact) == len(exact) and len(hit_light) >= 0.9 * len(light)
    for part in parts:
        records = gold(part)
        result = decontaminate.run(records, config, index)
        print(f"false positives on the gold records, {part}: {len(result.rejections)}/{len(records)}")
        if part == "tuned":
            for rejection in result.rejections[:show]:
                print(f"   {rejection.record_id}: {rejection.detail[:100]}")
        if part == "untuned":
            ok = ok and len(result.rejections) <= 0.01 * len(records)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cmmlu", type=Path, default=CMMLU, help="folder of CMMLU dev CSV files")
    parser.add_argument("--part", choices=["tuned", "untuned", "both"], default="both")
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()
    parts = ["tuned", "untuned"] if args.part == "both" else [args.part]
    return 0 if run(parts, args.show, args.cmmlu) else 1


if __name__ == "__main__":
    sys.exit(main())
