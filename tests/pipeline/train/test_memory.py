"""Memory estimates: counts equal a model built on the meta device, bytes follow the stated formulas."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.train.memory import FAMILIES, GIB, WEIGHT_BYTES, count_parameters, estimate, load_model_config
from pipeline.train.methods import wrap
from schemas.train import TrainConfig


def analytic_qwen2(config: dict) -> tuple[int, int]:
    """(total, LoRA r=16 trainable) from the architecture's shapes, by hand."""
    h, layers, inter, vocab = (
        config["hidden_size"],
        config["num_hidden_layers"],
        config["intermediate_size"],
        config["vocab_size"],
    )
    kv = h // config["num_attention_heads"] * config["num_key_value_heads"]
    attention = (h * h + h) + 2 * (h * kv + kv) + h * h  # q, k, v with bias; o without
    per_layer = attention + 3 * h * inter + 2 * h
    total = layers * per_layer + vocab * h * (1 if config["tie_word_embeddings"] else 2) + h
    lora = layers * 16 * ((h + h) + 2 * (h + kv) + (h + h) + (h + inter))  # q, k, v, o, gate
    return total, lora


@pytest.mark.parametrize("family", ["qwen2.5-0.5b", "qwen2.5-7b"])
def test_counts_match_the_meta_device_and_the_architecture(family: str) -> None:
    config = load_model_config(family)
    lora = TrainConfig(release="x@v1", model=family, method="lora")
    counts = count_parameters(config, lambda model: wrap(model, lora))
    assert (counts.total, counts.trainable) == analytic_qwen2(config)
    if family == "qwen2.5-7b":
        assert counts.total == 7_615_616_512 and counts.trainable == 20_185_088


def test_tiny_model_counts(tiny_model: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    config = load_model_config(str(tiny_model))
    counts = count_parameters(config)
    assert counts.total == sum(p.numel() for p in model.parameters()) == counts.trainable
    linear = sum(
        m.weight.numel() for n, m in model.named_modules() if isinstance(m, torch.nn.Linear) and "lm_head" not in n
    )
    assert counts.quantizable == linear


def test_bytes_follow_the_formulas() -> None:
    counts = count_parameters(load_model_config("qwen2.5-7b"))
    full = estimate(counts, "full", batch_size=8, seq_len=2048, weights="bf16")
    assert full.components["weights"] == counts.total * 2
    assert full.components["optimizer states"] == counts.total * 8
    assert full.components["logits"] == 8 * 2048 * 152064 * 6
    assert full.components["activations"] == 28 * 2 * 8 * 2048 * 3584 + 34 * 8 * 2048 * 3584
    no_ckpt = estimate(counts, "full", batch_size=8, seq_len=2048, checkpointing=False)
    assert no_ckpt.components["activations"] == 28 * 34 * 8 * 2048 * 3584
    qlora = TrainConfig(release="x@v1", model="qwen2.5-7b", method="qlora")
    adapters = count_parameters(load_model_config("qwen2.5-7b"), lambda model: wrap(model, qlora))
    qlora = estimate(adapters, "qlora", batch_size=8, seq_len=2048, weights="nf4-dq")
    assert qlora.components["weights"] == pytest.approx(
        counts.quantizable * WEIGHT_BYTES["nf4-dq"] + (counts.total - counts.quantizable) * 2
    )
    assert qlora.components["optimizer states"] == adapters.trainable * 8
    assert qlora.total < full.total and not full.fits(80) and qlora.fits(80)
    assert full.total / GIB == pytest.approx(104.95, abs=0.01)


def test_eight_bit_adam_keeps_small_tensors_in_fp32(tiny_model: Path) -> None:
    counts = count_parameters(load_model_config(str(tiny_model)))
    result = estimate(counts, "full", batch_size=1, seq_len=8, optimizer="paged_adamw_8bit")
    small = counts.trainable_tensors_small
    assert 0 < small < counts.trainable
    assert result.components["optimizer states"] == (counts.trainable - small) * 2 + small * 8


def test_families_and_errors() -> None:
    assert {"qwen2.5-0.5b", "qwen2.5-72b", "llama-3-8b", "llama-3-70b", "mistral-7b"} <= set(FAMILIES)
    with pytest.raises(ValueError, match="neither a known family"):
        load_model_config("gpt-9")


def test_train_refuses_a_run_that_cannot_fit(train_config, tmp_path: Path) -> None:
    from pipeline.train.trainer import MemoryRefused, train

    config = train_config("lora").model_copy(update={"gpu_memory_gb": 0.5})
    with pytest.raises(MemoryRefused, match=r"needs about .* GiB but the GPU has 0.5 GiB:\n  weights"):
        train(config, tmp_path / "refused")


def test_adapter_methods_count_exactly() -> None:
    """Pfeiffer: one bottleneck per layer, 2*h*(h/16) + h/16 + h parameters; Houlsby: two."""
    config = load_model_config("qwen2.5-7b")
    h, layers = config["hidden_size"], config["num_hidden_layers"]
    per_adapter = 2 * h * (h // 16) + h // 16 + h
    for placement, per_layer in (("pfeiffer", 1), ("houlsby", 2)):
        method = TrainConfig(release="x@v1", model="qwen2.5-7b", method="adapter", adapter={"placement": placement})
        counts = count_parameters(config, lambda model, m=method: wrap(model, m))
        assert counts.trainable == layers * per_layer * per_adapter
    llama = load_model_config("llama-3-8b")
    method = TrainConfig(release="x@v1", model="llama-3-8b", method="llama_adapter")
    counts = count_parameters(llama, lambda model: wrap(model, method))
    assert counts.trainable == 30 * 10 * llama["hidden_size"] + 30  # prompts and one gate per adapted layer
