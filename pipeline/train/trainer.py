"""Fine-tune a model on a pinned release with TRL's SFTTrainer, and leave a complete run folder.

Run folder: config.json (the resolved config), release.json (the pin), memory.json (the
preflight estimate), training_args.json (every argument the trainer ran with), adapter/ or
model/ (safetensors), merged/ on request, checkpoints/, log_history.json, metrics.json and
loss.png. The memory preflight runs before the folder is made: a refused run leaves nothing.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from pipeline.io import write_json
from pipeline.train.adapters import save_adapters
from pipeline.train.data import PinnedRelease, pin_release, to_dataset
from pipeline.train.memory import GIB, advice, count_parameters, estimate, load_model_config
from pipeline.train.methods import MERGEABLE, PROMPT_METHODS, wrap
from pipeline.train.precision import Precision, resolve
from pipeline.train.run_figures import RunClock, whole_run_figures
from schemas.train import TrainConfig

log = logging.getLogger(__name__)


class MemoryRefused(RuntimeError):
    """The preflight estimate says the run cannot fit the GPU."""


@dataclass(frozen=True)
class TrainResult:
    run_dir: Path
    metrics: dict


def device_of(config: TrainConfig) -> str:
    import torch

    if config.device != "auto":
        return config.device
    return "cuda" if torch.cuda.is_available() else "cpu"


def precision_of(config: TrainConfig, device: str) -> Precision:
    return resolve(config.method, config.training.precision, device)


def quantization_of(config: TrainConfig) -> str | None:
    if config.method != "qlora":
        return None
    if config.quantization.bits == 8:
        return "int8"
    return "nf4-dq" if config.quantization.double_quant else "nf4"


def preflight(config: TrainConfig, device: str, total_steps: int, seq_len: int) -> dict:
    """The memory estimate for this run (its longest batch); refuses when it cannot fit the GPU."""
    import torch

    counts = count_parameters(load_model_config(config.model), lambda model: wrap(model, config, total_steps))
    training = config.training
    checkpointing = training.gradient_checkpointing and config.method not in PROMPT_METHODS
    result = estimate(
        counts, config.method, batch_size=training.batch_size, seq_len=seq_len,
        precision=precision_of(config, device), quantization=quantization_of(config),
        optimizer=training.optimizer, checkpointing=checkpointing, attention=training.attn_implementation,
    )  # fmt: skip
    gpu_gib = config.gpu_memory_gb
    if gpu_gib is None and device == "cuda":
        gpu_gib = torch.cuda.get_device_properties(0).total_memory / GIB
    table = {name: round(value / GIB, 3) for name, value in result.components.items()}
    summary = {"gib": table, "total_gib": round(result.total / GIB, 3), "gpu_gib": gpu_gib, "seq_len": seq_len,
               "assumptions": result.assumptions, "trainable_parameters": counts.trainable,
               "total_parameters": counts.total}  # fmt: skip
    if gpu_gib is not None and not result.fits(gpu_gib):
        lines = "\n".join(f"  {name:22} {gib:8.2f} GiB" for name, gib in table.items())
        tips = "; ".join(advice(result, gpu_gib, config.method, checkpointing, training.batch_size))
        raise MemoryRefused(
            f"the run needs about {result.total / GIB:.1f} GiB but the GPU has {gpu_gib:.1f} GiB "
            f"({result.assumptions['precision']}, batch {training.batch_size} x {seq_len} tokens):\n"
            f"{lines}\nTry: {tips}"
        )
    return summary


def load_model(config: TrainConfig, device: str) -> Any:
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    kwargs: dict[str, Any] = {
        "trust_remote_code": config.trust_remote_code,
        "use_safetensors": True,
        "attn_implementation": config.training.attn_implementation,
    }
    if config.method == "qlora":
        quant = config.quantization
        compute = getattr(torch, quant.compute_dtype) if device == "cuda" else torch.float32
        kwargs["quantization_config"] = (
            BitsAndBytesConfig(load_in_8bit=True)
            if quant.bits == 8
            else BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type=quant.quant_type,
                bnb_4bit_use_double_quant=quant.double_quant,
                bnb_4bit_compute_dtype=compute,
            )
        )
        kwargs["device_map"] = {"": 0} if device == "cuda" else {"": "cpu"}
    else:
        kwargs["dtype"] = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[
            precision_of(config, device).weights
        ]
    model = AutoModelForCausalLM.from_pretrained(config.model, **kwargs)
    if config.method == "qlora":
        _cpu_safe_4bit(model, device)
    return model


def _cpu_safe_4bit(model: Any, device: str) -> None:
    """On CPUs with AVX512-BF16 an eval pass repacks Linear4bit weights and later training steps
    fail (../shared/NOTES.md); turning the repacking off keeps train/eval interleaving safe."""
    if device != "cpu":
        return
    import bitsandbytes as bnb

    for module in model.modules():
        if isinstance(module, bnb.nn.Linear4bit):
            module.support_avx512bf16_for_cpu = False


def prepare(model: Any, config: TrainConfig, total_steps: int) -> Any:
    from peft import prepare_model_for_kbit_training

    checkpointing = config.training.gradient_checkpointing and config.method not in PROMPT_METHODS
    if config.method == "qlora":
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=checkpointing)
    return wrap(model, config, total_steps)


def _planned_steps(config: TrainConfig, examples: int) -> int:
    training = config.training
    if training.max_steps > 0:
        return training.max_steps
    per_epoch = math.ceil(examples / (training.batch_size * training.grad_accum))
    return max(1, math.ceil(per_epoch * training.epochs))


def train(config: TrainConfig, run_dir: Path, resume: bool = False) -> TrainResult:
    from transformers import AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    release = pin_release(Path(config.releases_dir), config.release, config.fingerprint)
    device = device_of(config)
    tokenizer = AutoTokenizer.from_pretrained(config.model, trust_remote_code=config.trust_remote_code)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    training = config.training
    train_set = to_dataset(release.records("train"), tokenizer, training.max_length, training.assistant_only_loss)
    eval_set = to_dataset(release.records("validation"), tokenizer, training.max_length, training.assistant_only_loss)
    if train_set is None:
        raise ValueError(f"{config.release} has no trainable records in its train split")
    steps = _planned_steps(config, len(train_set))
    longest = training.max_length if training.packing else max(len(row) for row in train_set["input_ids"])
    memory = preflight(config, device, steps, longest)
    run_dir.mkdir(parents=True, exist_ok=True)
    write_json(run_dir / "config.json", config.model_dump(mode="json"))
    write_json(run_dir / "release.json", release.pin)
    write_json(run_dir / "memory.json", memory)

    checkpoint = last_checkpoint(run_dir / "checkpoints") if resume else None
    if resume and checkpoint is None:
        raise ValueError(f"nothing to resume: {run_dir / 'checkpoints'} holds no checkpoint")
    model = prepare(load_model(config, device), config, steps)
    clock = RunClock(checkpoint)
    callbacks: list[TrainerCallback] = [clock, *([_AdaLoraAllocator()] if config.method == "adalora" else [])]
    args = SFTConfig(**sft_arguments(config, run_dir, device, eval_set is not None))
    write_json(run_dir / "training_args.json", args.to_dict())
    trainer = SFTTrainer(
        model=model, args=args, train_dataset=train_set, eval_dataset=eval_set,
        processing_class=tokenizer, callbacks=callbacks,
    )  # fmt: skip
    outcome = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    if eval_set is not None and not any("eval_loss" in h and h["step"] == trainer.state.global_step
                                        for h in trainer.state.log_history):  # fmt: skip
        trainer.evaluate()  # the final model's validation loss, whatever the evaluation schedule
    metrics = _save_run(trainer, model, config, run_dir, release, outcome, tokenizer, checkpoint, clock)
    return TrainResult(run_dir, metrics)


def last_checkpoint(folder: Path) -> Path | None:
    found = [p for p in folder.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()]
    return max(found, key=lambda p: int(p.name.split("-")[-1])) if found else None


def sft_arguments(config: TrainConfig, run_dir: Path, device: str, has_eval: bool) -> dict:
    training = config.training
    cast = precision_of(config, device).autocast
    every = {"eval": training.eval_steps, "save": training.save_steps}
    if training.lr_scheduler_type == "constant" and training.warmup:
        log.warning("lr_scheduler_type constant ignores warmup (%s); constant_with_warmup uses it", training.warmup)
    return {
        "output_dir": str(run_dir / "checkpoints"),
        "num_train_epochs": training.epochs,
        "max_steps": training.max_steps,
        "per_device_train_batch_size": training.batch_size,
        "per_device_eval_batch_size": training.batch_size,
        "gradient_accumulation_steps": training.grad_accum,
        "learning_rate": training.learning_rate,
        "weight_decay": training.weight_decay,
        "max_grad_norm": training.max_grad_norm,
        "lr_scheduler_type": training.lr_scheduler_type,
        "warmup_steps": training.warmup,  # below 1 transformers reads it as a ratio
        "optim": training.optimizer,
        "train_sampling_strategy": "group_by_length" if training.group_by_length else "random",
        "max_length": training.max_length,
        "packing": training.packing,
        "gradient_checkpointing": training.gradient_checkpointing and config.method not in PROMPT_METHODS,
        "bf16": cast == "bf16",
        "fp16": cast == "fp16",
        "use_cpu": device == "cpu",
        "seed": training.seed,
        "logging_steps": training.logging_steps,
        "eval_strategy": ("steps" if every["eval"] else "epoch") if has_eval else "no",
        "eval_steps": every["eval"],
        "save_strategy": "steps" if every["save"] else "epoch",
        "save_steps": every["save"],
        "save_total_limit": training.save_total_limit,
        "report_to": [] if training.report_to == "none" else [training.report_to],
        "dataloader_pin_memory": device == "cuda",
    }


class _AdaLoraAllocator(TrainerCallback):
    """AdaLoRA reallocates ranks only when asked after each optimizer step (peft's contract);
    gradients are still there at `on_optimizer_step`, before they are zeroed."""

    def on_optimizer_step(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        model.base_model.update_and_allocate(state.global_step)


def _save_run(trainer: Any, model: Any, config: TrainConfig, run_dir: Path, release: PinnedRelease,
              outcome: Any, tokenizer: Any, resumed_from: Path | None, clock: RunClock) -> dict:  # fmt: skip
    target = run_dir / ("model" if config.method == "full" else "adapter")
    if config.method == "adapter":
        save_adapters(model, target)
    else:
        model.save_pretrained(target, safe_serialization=True)
    tokenizer.save_pretrained(target)
    if config.merge and config.method in MERGEABLE:
        model.merge_and_unload().save_pretrained(run_dir / "merged", safe_serialization=True)
        tokenizer.save_pretrained(run_dir / "merged")
    history = trainer.state.log_history
    write_json(run_dir / "log_history.json", history)
    losses = [h["loss"] for h in history if "loss" in h]
    evals = [h["eval_loss"] for h in history if "eval_loss" in h]
    steps = trainer.state.global_step
    whole = whole_run_figures(history, clock.seconds(), steps)
    metrics = {
        "method": config.method,
        "release": release.pin,
        "steps": steps,
        "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        **whole,
        "first_logged_loss": losses[0] if losses else None,
        "last_logged_loss": losses[-1] if losses else None,
        "last_eval_loss": evals[-1] if evals else None,
        "resumed_from": resumed_from.name if resumed_from else None,
        "this_session": {
            "train_loss": outcome.training_loss,
            "seconds": outcome.metrics.get("train_runtime"),
            "steps": steps - clock.start_step,
        },
    }
    write_json(run_dir / "metrics.json", metrics)
    plot_losses(history, run_dir / "loss.png")
    return metrics


def plot_losses(history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 3.5))
    train = [(h["step"], h["loss"]) for h in history if "loss" in h]
    evals = [(h["step"], h["eval_loss"]) for h in history if "eval_loss" in h]
    if train:
        axis.plot(*zip(*train, strict=True), label="train loss")
    if evals:
        axis.plot(*zip(*evals, strict=True), marker="o", label="validation loss")
    axis.set_xlabel("step")
    axis.set_ylabel("loss")
    axis.legend()
    figure.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(figure)
