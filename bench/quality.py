"""The quality benchmark in one command: every judgement the pipeline makes, scored against gold labels.

    python bench/quality.py [--part tuned|untuned|both] [--show N] [--only NAME ...]

Each part lives in its own module under bench/quality/ and exposes `run(parts, show) -> bool`
(True when its targets hold on the untuned part). Tune on the tuned part only; the untuned part
is for the closing figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).parent / "quality"
# The checkout this file is in, before an installed copy: a `git worktree` of an older commit
# scores that commit's code.
sys.path.insert(0, str(HERE.parents[1]))
BENCHES = ["clean_bench", "toxicity_bench", "decontaminate_bench", "markdown_bench", "neardup_bench", "augment_bench"]


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["tuned", "untuned", "both"], default="both")
    parser.add_argument("--show", type=int, default=20, help="disagreements listed per part")
    parser.add_argument("--only", nargs="*", choices=BENCHES, help="run only these benchmarks")
    args = parser.parse_args()
    parts = ["tuned", "untuned"] if args.part == "both" else [args.part]
    ok = True
    for name in args.only or BENCHES:
        if not (HERE / f"{name}.py").exists():
            print(f"== {name}: not written yet")
            ok = False
            continue
        print(f"== {name}")
        ok = load(name).run(parts, args.show) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
