"""The seed's QLoRA recipe, as shipped in recipes/qlora-seed.yaml, reaches the arguments the trainer ran with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.train_config import load_train_config
from pipeline.train.trainer import train

RECIPE = Path(__file__).parents[3] / "recipes" / "qlora-seed.yaml"
TRAINING_ARGUMENTS = {
    "num_train_epochs": 2.0, "per_device_train_batch_size": 8, "gradient_accumulation_steps": 2,
    "optim": "paged_adamw_8bit", "save_steps": 1000, "logging_steps": 30, "learning_rate": 2e-4,
    "weight_decay": 0.001, "fp16": False, "bf16": False, "max_grad_norm": 0.3, "warmup_steps": 0.3,
    "train_sampling_strategy": "group_by_length", "lr_scheduler_type": "constant", "report_to": ["wandb"],
}  # fmt: skip


def test_every_value_of_the_seed_recipe_reaches_the_recorded_arguments(
    tiny_release, tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    releases, ref = tiny_release
    recipe = load_train_config(RECIPE)
    config = recipe.model_copy(update={"release": ref, "releases_dir": str(releases), "model": str(tiny_model)})
    train(config, tmp_path / "seed")

    args = json.loads((tmp_path / "seed" / "training_args.json").read_text(encoding="utf-8"))
    assert {key: args[key] for key in TRAINING_ARGUMENTS} == TRAINING_ARGUMENTS
    adapter = json.loads((tmp_path / "seed" / "adapter" / "adapter_config.json").read_text(encoding="utf-8"))
    assert (adapter["r"], adapter["lora_alpha"], adapter["lora_dropout"], adapter["bias"]) == (16, 16, 0.05, "none")
    assert sorted(adapter["target_modules"]) == ["gate_proj", "k_proj", "o_proj", "q_proj", "v_proj"]
    memory = json.loads((tmp_path / "seed" / "memory.json").read_text(encoding="utf-8"))
    assert memory["assumptions"]["weights"] == "nf4-dq" and memory["assumptions"]["precision"].startswith("fp32")
