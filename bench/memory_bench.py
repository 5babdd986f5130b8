"""The real peak GPU memory of a few training steps beside `sft estimate-memory`'s estimate.

    .venv/bin/python bench/memory_bench.py qwen2.5-0.5b --method qlora --batch-size 8 --seq-len 2048 [--steps 3]

Builds the model from its config with random weights (a family name or a folder with config.json;
nothing is downloaded), saves it to a temporary folder, then loads, prepares and trains it exactly as
`sft train` does (pipeline.train.trainer: same quantization, precision plan, PEFT wrapper and TRL
SFTTrainer arguments) on synthetic batches of --seq-len tokens, every token trained. It prints the
estimate by component and `torch.cuda.max_memory_allocated()` / `max_memory_reserved()` after the
steps. Needs a CUDA GPU; on a machine without one it prints the estimate and says that nothing was
measured. A 7B model needs about 15 GB of disk for the temporary bf16 copy.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="a family (qwen2.5-0.5b, llama-3-8b, ...) or a folder with config.json")
    parser.add_argument("--method", default="qlora")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seq-len", type=int, default=2048)
    parser.add_argument("--precision", default="bf16", choices=["bf16", "amp", "fp16", "fp32"])
    parser.add_argument("--optimizer", default="adamw_torch")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--no-checkpointing", action="store_true")
    parser.add_argument("--cpu-smoke", action="store_true", help="run the steps on the CPU (nothing is measured)")
    args = parser.parse_args()

    import torch

    from pipeline.train.memory import GIB, count_parameters, estimate, load_model_config
    from pipeline.train.methods import PROMPT_METHODS, wrap
    from pipeline.train.trainer import precision_of, quantization_of
    from schemas.train import TrainConfig

    training = {"batch_size": args.batch_size, "max_length": args.seq_len, "precision": args.precision,
                "optimizer": args.optimizer, "gradient_checkpointing": not args.no_checkpointing,
                "max_steps": args.steps, "logging_steps": 1, "warmup": 0}  # fmt: skip
    config = TrainConfig(release="bench@v1", model=args.model, method=args.method, training=training)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model_config = load_model_config(args.model)
    counts = count_parameters(model_config, lambda model: wrap(model, config, args.steps))
    result = estimate(
        counts, args.method, batch_size=args.batch_size, seq_len=args.seq_len,
        precision=precision_of(config, "cuda"), quantization=quantization_of(config), optimizer=args.optimizer,
        checkpointing=not args.no_checkpointing and args.method not in PROMPT_METHODS,
    )  # fmt: skip
    print(f"{args.model} {args.method}, batch {args.batch_size} x {args.seq_len} tokens, {result.assumptions}")
    for name, value in result.components.items():
        print(f"  estimate {name:24} {value / GIB:8.2f} GiB")
    print(f"  estimate {'total':24} {result.total / GIB:8.2f} GiB")
    if device != "cuda":
        if args.cpu_smoke:
            measure(config, model_config, args.steps, "cpu")
            print(f"ran {args.steps} steps on the CPU as a smoke test")
        print("no CUDA device: the real peak was not measured (run this on a GPU machine)")
        return
    peak, reserved = measure(config, model_config, args.steps, "cuda")
    print(f"  measured max_memory_allocated {peak / GIB:8.2f} GiB, max_memory_reserved {reserved / GIB:8.2f} GiB")
    print(f"  estimate / measured allocated: {result.total / peak:.2f}")


def measure(config, model_config: dict, steps: int, device: str) -> tuple[int, int]:
    """Peak bytes of `steps` training steps of a random-weight copy of the model, as `sft train` runs them."""
    import datasets
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM
    from trl import SFTConfig, SFTTrainer

    from pipeline.render.tiny_tokenizer import build_tiny_tokenizer
    from pipeline.train.trainer import load_model, prepare, sft_arguments

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "model"
        with torch.device("cpu"):
            model = AutoModelForCausalLM.from_config(AutoConfig.for_model(**model_config), dtype=torch.bfloat16)
        model.save_pretrained(folder, safe_serialization=True)
        del model
        tokenizer_dir = build_tiny_tokenizer(["监督微调的显存测量。"] * 20, Path(tmp) / "tokenizer", vocab_size=300)
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
        tokenizer.pad_token = tokenizer.pad_token or tokenizer.eos_token
        config = config.model_copy(update={"model": str(folder)})
        length, vocab = config.training.max_length, model_config["vocab_size"]
        generator = torch.Generator().manual_seed(0)
        rows = [{"input_ids": torch.randint(0, vocab, (length,), generator=generator).tolist(),
                 "assistant_masks": [1] * length} for _ in range(config.training.batch_size * steps)]  # fmt: skip
        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        model = prepare(load_model(config, device), config, steps)
        arguments = sft_arguments(config, Path(tmp) / "run", device, has_eval=False) | {"save_strategy": "no"}
        trainer = SFTTrainer(model=model, args=SFTConfig(**arguments), train_dataset=datasets.Dataset.from_list(rows),
                             processing_class=tokenizer)  # fmt: skip
        trainer.train()
        if device != "cuda":
            return 0, 0
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated(), torch.cuda.max_memory_reserved()


if __name__ == "__main__":
    main()
