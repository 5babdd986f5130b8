"""Trainable parameters and step time of every method on this machine.

    .venv/bin/python bench/train_methods_bench.py [--steps 20] [--hidden 64] [--layers 2]

Builds a tiny tokenizer, tiny Qwen2 and Llama models and a small release in a temporary folder, trains
each method for --steps steps (batch 8, up to 128 tokens) and prints trainable parameters and
the trainer's runtime divided by the steps.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "pipeline" / "train"))

# (label, method, placement, architecture): LLaMA-Adapter runs on the llama build (peft supports no Qwen2)
RUNS = [
    (m, m, "pfeiffer", "qwen2")
    for m in ("qlora", "lora", "adalora", "ia3", "prefix", "prompt", "ptuning", "ptuning_v2")
]
RUNS += [("adapter-houlsby", "adapter", "houlsby", "qwen2"), ("adapter-pfeiffer", "adapter", "pfeiffer", "qwen2"),
         ("llama_adapter", "llama_adapter", "pfeiffer", "llama"), ("full", "full", "pfeiffer", "qwen2")]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()

    from conftest import build_release  # the training tests' release builder

    from pipeline.render.tiny_tokenizer import build_tiny_tokenizer
    from pipeline.train.tiny_model import build_tiny_model
    from pipeline.train.trainer import train
    from schemas.train import TrainConfig

    work = Path(tempfile.mkdtemp(prefix="train-bench-"))
    texts = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.strip()]
    tokenizer = build_tiny_tokenizer(texts * 5, work / "tokenizer", vocab_size=800)
    models = {arch: build_tiny_model(tokenizer, work / arch, architecture=arch) for arch in ("qwen2", "llama")}
    ref = build_release(work / "releases", tokenizer)
    print(f"{'method':17} {'trainable':>10} {'s/step':>8}")
    for label, method, placement, arch in RUNS:
        config = TrainConfig(
            release=ref, releases_dir=str(work / "releases"), model=str(models[arch]), method=method,
            training={"max_steps": args.steps, "batch_size": 8, "max_length": 128, "logging_steps": 1,
                      "save_steps": 10_000, "eval_steps": 10_000},
            lora={"r": 4, "alpha": 8}, prompt={"num_virtual_tokens": 4, "encoder_hidden_size": 16},
            adapter={"placement": placement, "reduction_factor": 4}, llama_adapter={"adapter_len": 10},
        )  # fmt: skip
        result = train(config, work / f"run-{label}")
        print(f"{label:17} {result.metrics['trainable_parameters']:>10,} {result.metrics['seconds_per_step']:8.4f}")


if __name__ == "__main__":
    main()
