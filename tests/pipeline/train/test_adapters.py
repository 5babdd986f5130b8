"""Adapter Tuning (bottleneck, Houlsby and Pfeiffer) and LLaMA-Adapter: train, save, reload, evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM

from pipeline.train.adapters import Adapted, add_adapters, load_adapters
from pipeline.train.evaluate import evaluate_run
from pipeline.train.trainer import train


def losses(run: Path) -> list[float]:
    return [h["loss"] for h in json.loads((run / "log_history.json").read_text()) if "loss" in h]


def test_adapters_start_as_the_identity_and_freeze_the_base(tiny_model: Path) -> None:
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    ids = torch.tensor([[5, 6, 7, 8]])
    before = model(input_ids=ids).logits
    add_adapters(model, "houlsby", reduction=4, activation="relu")
    assert torch.allclose(before, model(input_ids=ids).logits)
    assert all(isinstance(layer.self_attn, Adapted) and isinstance(layer.mlp, Adapted) for layer in model.model.layers)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(".adapter." in n for n in trainable)
    with pytest.raises(ValueError, match="houlsby or pfeiffer"):
        add_adapters(model, "sideways", 4, "relu")


@pytest.mark.parametrize("placement", ["houlsby", "pfeiffer"])
@pytest.mark.parametrize("architecture", ["qwen2", "llama"])
def test_bottleneck_adapters_train_save_reload_evaluate(
    train_config, tiny_llama: Path, tmp_path: Path, placement: str, architecture: str
) -> None:
    config = train_config("adapter", max_steps=20, save_steps=20, eval_steps=20, learning_rate=5e-3)
    config = config.model_copy(
        update={"adapter": config.adapter.model_copy(update={"placement": placement, "reduction_factor": 4})}
    )
    if architecture == "llama":
        config = config.model_copy(update={"model": str(tiny_llama)})
    run = tmp_path / "run"
    result = train(config, run)
    trend = losses(run)
    assert sum(trend[-5:]) / 5 < sum(trend[:5]) / 5
    assert (run / "adapter" / "bottleneck_adapters.safetensors").exists()
    expected = (2 if placement == "houlsby" else 1) * 2 * (2 * 64 * 16 + 16 + 64)  # layers x adapters x params
    assert result.metrics["trainable_parameters"] == expected

    reloaded = load_adapters(AutoModelForCausalLM.from_pretrained(config.model), run / "adapter")
    saved_up = [p for n, p in reloaded.named_parameters() if n.endswith("adapter.up.weight")]
    assert saved_up and any(p.abs().sum() > 0 for p in saved_up)  # trained weights came back, not zeros
    evaluated = evaluate_run(run)
    assert evaluated["held_out"]["tuned_loss"] < evaluated["held_out"]["base_loss"]


def test_llama_adapter_trains_on_llama_and_names_supported_architectures(
    train_config, tiny_llama: Path, tmp_path: Path
) -> None:
    config = train_config("llama_adapter", max_steps=20, save_steps=20, eval_steps=20, learning_rate=1e-2)
    config = config.model_copy(update={"model": str(tiny_llama)})
    run = tmp_path / "llama-adapter"
    result = train(config, run)
    trend = losses(run)
    assert sum(trend[-5:]) / 5 < sum(trend[:5]) / 5
    assert result.metrics["trainable_parameters"] == 2 * 10 * 64 + 2  # 2 layers x 10 prompts x hidden, + gates
    assert any((run / "adapter").glob("*.safetensors"))
    assert evaluate_run(run)["held_out"]["tuned_loss"] is not None
    with pytest.raises(ValueError, match=r"llama_adapter supports the architectures .*llama.*this model is 'qwen2'"):
        train(train_config("llama_adapter"), tmp_path / "qwen")
