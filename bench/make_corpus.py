"""A large Chinese alpaca corpus for engine benchmarks, made from real text in ../shared/data.

Real instructions (alpaca_zh_demo, MedicalGPT) get a passage of 红楼梦 as the `input` and another
passage as the `output`, so every record is distinct and no two are near-duplicates by accident
(a real answer reused would make thousands of near-duplicates), while the text stays real Chinese
of ordinary lengths (about 190 characters a record). The same seed gives the same bytes.

    python bench/make_corpus.py --records 20000 --out /tmp/corpus/zh-20k.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path


def sources(shared: Path) -> tuple[list[str], list[str]]:
    alpaca = json.loads((shared / "LLaMA-Factory/data/alpaca_zh_demo.json").read_text(encoding="utf-8"))
    questions = [r["instruction"] for r in alpaca]
    for line in (shared / "MedicalGPT/data/sft/medical_sft_1K_format.jsonl").read_text(encoding="utf-8").splitlines():
        questions.append(json.loads(line)["conversations"][0]["value"])
    book = (shared / "FAQ_Of_LLM_Interview/pytorch/data/books/hongLouMeng.txt").read_text(encoding="utf-8")
    passages = [p.strip() for p in book.split("\n") if len(p.strip()) >= 40]
    return [q[:120] for q in questions if q.strip()], passages


def excerpt(passages: list[str], rng: random.Random, low: int, high: int) -> str:
    passage = rng.choice(passages)
    start = rng.randrange(max(1, len(passage) - low))
    return passage[start : start + rng.randint(low, high)]


def make(records: int, shared: Path, seed: int) -> list[dict]:
    questions, passages = sources(shared)
    rng = random.Random(seed)
    return [
        {"instruction": rng.choice(questions), "input": excerpt(passages, rng, 15, 50),
         "output": excerpt(passages, rng, 60, 200)}
        for _ in range(records)
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for row in make(args.records, args.shared, args.seed):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{args.records} records -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
