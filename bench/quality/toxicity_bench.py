"""The toxicity filter's lexicon scored on COLD (Chinese offensive language, human-labelled).

    python bench/quality/toxicity_bench.py [--cold DIR] [--part tuned|untuned|both]

COLD (thu-coai/COLDataset @ a0c55a9, Apache-2.0) is 37k Chinese social-media comments on race,
gender and region, each labelled offensive or safe. Its train and dev files are the tuned part
(the lexicon's terms were checked there; they live outside the project: `fetch` or clone the
repository and pass its COLDataset/ folder, renamed cold_{train,dev}.csv, with --cold); its test
file, the untuned part, is committed in bench/quality/toxicity/. A comment counts as flagged when
the filter's pattern (pipeline/clean/filters/toxic.py) finds a term in it. Target: precision >=
85% on the untuned part; recall is reported, not a target (most offensive comments in COLD are
implicit stereotypes).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.clean.filters.toxic import pattern  # noqa: E402

HERE = Path(__file__).parent / "toxicity"
COLD = Path("/tmp/extra")
PRECISION_TARGET = 0.85
FILES = {"tuned": ["cold_train.csv", "cold_dev.csv"]}


def rows(path: Path) -> list[tuple[str, int]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [(row["TEXT"], int(row["label"])) for row in csv.DictReader(handle)]


def load(part: str, cold: Path) -> tuple[str, list[tuple[str, int]]] | None:
    if part == "untuned":
        return "cold_test.csv", rows(HERE / "cold_test.csv")
    paths = [cold / name for name in FILES[part]]
    if all(p.is_file() for p in paths):
        return ", ".join(p.name for p in paths), [r for p in paths for r in rows(p)]
    return None


def run(parts: list[str], show: int, cold: Path = COLD) -> bool:
    found = pattern()
    ok = True
    for part in parts:
        loaded = load(part, cold)
        if loaded is None:
            print(f"-- part {part}: COLD files not found under {cold}")
            continue
        name, data = loaded
        flagged = [(text, label) for text, label in data if found.search(text)]
        right = sum(label for _, label in flagged)
        offensive = sum(label for _, label in data)
        precision = right / len(flagged) if flagged else 0.0
        print(f"-- part {part} ({name}): {len(data)} comments, {offensive} offensive; flagged {len(flagged)}: "
              f"precision {precision:.1%}, recall {right / offensive:.1%}")  # fmt: skip
        for text, _ in [f for f in flagged if not f[1]][: show if part == "tuned" else 0]:  # untuned: figures only
            print(f"   safe but flagged ({found.search(text).group(0)}): {text[:80]}")
        if part == "untuned":
            ok = precision >= PRECISION_TARGET
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", type=Path, default=COLD, help="folder with cold_{train,dev}.csv")
    parser.add_argument("--part", choices=["tuned", "untuned", "both"], default="both")
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()
    parts = ["tuned", "untuned"] if args.part == "both" else [args.part]
    return 0 if run(parts, args.show, args.cold) else 1


if __name__ == "__main__":
    sys.exit(main())
