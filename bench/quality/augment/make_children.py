"""Make the augmentation children to label (run once; its output is committed as children.jsonl).

    python bench/quality/augment/make_children.py [--shared ../shared/data] [--per-operation 30]

Parents are real records of the gold cleaning set's single-turn sources, drawn at random from
the source files but never a gold record (bench/quality/records.jsonl), passed through normalize,
segment and clean as the build does. Each operation of pipeline/augment (all five, including
those off by default) makes children with the stage's own function, `make_child`, one operation
at a time, until it has `--per-operation` children; each operation starts at another place in
the shuffled parents, so the children of different operations mostly have different parents.
A child's part is a hash of its parent's id (a third untuned), as in the cleaning set.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from pipeline import augment, clean, segment  # noqa: E402
from pipeline.augment.synonyms import load_thesaurus  # noqa: E402
from schemas import AugmentConfig, CleanConfig, SegmentConfig  # noqa: E402

HERE = Path(__file__).parent
SOURCES = [  # gold-set source name, file under --shared, draw_sample's reader
    ("LLaMA-Factory/alpaca_zh_demo", "LLaMA-Factory/data/alpaca_zh_demo.json", "alpaca"),
    ("MedicalGPT/medical_sft_1K", "MedicalGPT/data/sft/medical_sft_1K_format.jsonl", "sharegpt"),
    ("BELLE/zh_seed_tasks", "BELLE/data/1.5M/zh_seed_tasks.json", "seed"),
    ("data-juicer/alpaca-cot", "data-juicer/demos/process_cft_zh_data/data/alpaca-cot.jsonl", "alpaca"),
    ("Chinese-Vicuna/instruct", "Chinese-Vicuna/sample/instruct/data_sample.jsonl", "alpaca"),
]


def part_of(parent_id: str) -> str:
    return "untuned" if int(hashlib.sha256(parent_id.encode()).hexdigest()[:8], 16) % 3 == 0 else "tuned"


def load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def parents(shared: Path, rng: random.Random) -> list:
    draw = load_module("draw_sample", HERE.parent / "draw_sample.py")
    bench = load_module("clean_bench", HERE.parent / "clean_bench.py")
    gold = {g["id"] for g in bench.load_gold()[0]}
    pool = []
    for name, relative, kind in SOURCES:
        rows = [r for r in draw.records(name, shared / relative, kind) if r["id"] not in gold]
        rows = [r for r in rows if sum(m["role"] == "user" for m in r["messages"]) == 1]
        pool += [bench.to_record(r) for r in rng.sample(rows, min(120, len(rows)))]
    kept, _, segmenter = bench.segmented(pool)
    return clean.run(kept, CleanConfig(), segmenter).kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--per-operation", type=int, default=30)
    parser.add_argument("--out", type=Path, default=HERE / "children.jsonl")
    args = parser.parse_args()
    rng = random.Random(20261202)
    records = parents(args.shared, rng)
    rng.shuffle(records)
    tagger = segment.load_segmenter(SegmentConfig(pos=True))
    thesaurus = load_thesaurus()
    rows: list[dict] = []
    for number, operation in enumerate(["synonym", "insert", "delete", "swap", "reorder"]):
        config = AugmentConfig(enabled=True, operations=[operation])
        made = 0
        start = number * len(records) // 5  # each operation starts elsewhere: different parents
        for parent in records[start:] + records[:start]:
            if made >= args.per_operation:
                break
            child = augment.make_child(parent, config, random.Random(f"{operation}:{parent.id}"), thesaurus, tagger)
            if child is None:
                continue
            turn = next(i for i, m in enumerate(parent.messages) if m.role == "user")
            answer = next(m.content for m in parent.messages if m.role == "assistant")
            rows.append({
                "id": child.id, "parent_id": parent.id, "part": part_of(parent.id), "source": parent.meta.source.file,
                "operation": operation, "parent": parent.messages[turn].content, "child": child.messages[turn].content,
                "answer": answer[:600],
            })  # fmt: skip
            made += 1
    with args.out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    untuned = sum(r["part"] == "untuned" for r in rows)
    print(f"{len(rows)} children ({untuned} untuned) -> {args.out}")


if __name__ == "__main__":
    main()
