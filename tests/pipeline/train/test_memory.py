"""Memory estimates: counts equal a model built on the meta device, bytes follow the stated formulas."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.train.memory import (
    FAMILIES,
    GIB,
    WEIGHT_BYTES,
    count_parameters,
    estimate,
    load_model_config,
    step_lengths,
)
from pipeline.train.methods import wrap
from pipeline.train.precision import resolve
from schemas.train import TrainConfig

BF16 = resolve("full", "bf16", "cuda")


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


def test_full_fine_tune_in_pure_bf16_and_in_mixed_precision() -> None:
    """Pure bf16 (the trainer's default on a GPU): 8 B per parameter; amp with fp32 masters: 18 B."""
    counts = count_parameters(load_model_config("qwen2.5-7b"))
    pure = estimate(counts, "full", batch_size=8, seq_len=2048, precision=BF16)
    assert pure.components["weights"] == counts.total * 2 and pure.components["gradients"] == counts.total * 2
    assert pure.components["optimizer states"] == counts.total * 4 and pure.components["autocast weight copies"] == 0
    amp = estimate(counts, "full", batch_size=8, seq_len=2048, precision=resolve("full", "amp", "cuda"))
    per_parameter = sum(amp.components[k] for k in ("weights", "autocast weight copies", "gradients",
                                                    "optimizer states")) / counts.total  # fmt: skip
    assert per_parameter == 18
    assert amp.assumptions["precision"] == "amp (fp32 weights, bf16 autocast)"


def test_activations_use_the_swiglu_intermediate_size_and_attention_kind() -> None:
    counts = count_parameters(load_model_config("qwen2.5-7b"))
    b, s, h, kv, i, layers = 8, 2048, 3584, 512, 18944, 28
    assert (counts.intermediate, counts.kv_hidden, counts.heads) == (i, kv, 28)
    per_layer = b * s * (20 * h + 4 * kv + 8 * i)
    checkpointed = estimate(counts, "full", batch_size=b, seq_len=s, precision=BF16)
    assert checkpointed.components["activations"] == layers * 2 * b * s * h + per_layer
    every_layer = estimate(counts, "full", batch_size=b, seq_len=s, precision=BF16, checkpointing=False)
    assert every_layer.components["activations"] == layers * per_layer
    eager = estimate(counts, "full", batch_size=b, seq_len=s, precision=BF16, checkpointing=False, attention="eager")
    assert eager.components["activations"] - every_layer.components["activations"] == layers * b * 28 * s * s * 6
    assert checkpointed.assumptions["attention"] == "sdpa (no s^2 scores kept)"


def test_lm_head_fused_in_tiles_or_full_logits() -> None:
    counts = count_parameters(load_model_config("qwen2.5-7b"))
    lora = count_parameters(load_model_config("qwen2.5-7b"), lambda m: wrap(m, TrainConfig(release="x@v1", model="m")))
    fused = estimate(lora, "qlora", batch_size=8, seq_len=2048, precision=BF16, quantization="nf4-dq")
    assert fused.components["lm head and loss"] == 4096 * 32768 * 2 + 8 * 2048 * 3584 * 6
    full = estimate(lora, "qlora", batch_size=8, seq_len=2048, precision=BF16, quantization="nf4-dq", lm_head="full")
    assert full.components["lm head and loss"] == 8 * 2048 * 152064 * 10
    whole = estimate(counts, "full", batch_size=8, seq_len=2048, precision=BF16)
    assert whole.components["lm head and loss"] - fused.components["lm head and loss"] == 152064 * 3584 * 4


def test_qlora_counts_the_fp32_upcast_of_the_parameters_it_does_not_quantize() -> None:
    config = TrainConfig(release="x@v1", model="qwen2.5-7b", method="qlora")
    counts = count_parameters(load_model_config("qwen2.5-7b"), lambda model: wrap(model, config))
    result = estimate(counts, "qlora", batch_size=8, seq_len=2048, precision=BF16, quantization="nf4-dq")
    kept = counts.total - counts.quantizable
    assert result.components["weights"] == pytest.approx(counts.quantizable * WEIGHT_BYTES["nf4-dq"] + kept * 4)
    assert kept * 2 / GIB == pytest.approx(2.03, abs=0.01)  # what the 2-byte count left out on a 7B model
    assert result.components["optimizer states"] == counts.trainable * 8
    assert result.fits(24)


def test_step_lengths_from_a_release() -> None:
    tokens = [10] * 19 + [500]
    assert step_lengths(tokens, 2048, packing=False) == {"p95": 500, "max": 500}
    assert step_lengths(list(range(1, 101)), 64, packing=False) == {"p95": 64, "max": 64}
    assert step_lengths(list(range(1, 101)), 4096, packing=False) == {"p95": 96, "max": 100}
    assert step_lengths([300] * 20, 2048, packing=True) == {"p95": 2048, "max": 2048}
    assert step_lengths([30, 40], 2048, packing=True) == {"p95": 70, "max": 70}
    with pytest.raises(ValueError, match="no token counts"):
        step_lengths([], 2048, packing=False)


def test_eight_bit_adam_keeps_small_tensors_in_fp32(tiny_model: Path) -> None:
    counts = count_parameters(load_model_config(str(tiny_model)))
    result = estimate(counts, "full", batch_size=1, seq_len=8, precision=BF16, optimizer="paged_adamw_8bit")
    small = counts.trainable_tensors_small
    assert 0 < small < counts.trainable
    assert result.components["optimizer states"] == (counts.trainable - small) * 2 + small * 8


def test_families_and_errors() -> None:
    assert {"qwen2.5-0.5b", "qwen2.5-72b", "llama-3-8b", "llama-3-70b", "mistral-7b"} <= set(FAMILIES)
    totals = {name: count_parameters(load_model_config(name)).total for name in ("llama-7b", "llama-65b", "qwen3-8b")}
    assert totals == {"llama-7b": 6_738_415_616, "llama-65b": 65_285_660_672, "qwen3-8b": 8_190_735_360}
    with pytest.raises(ValueError, match="neither a known family"):
        load_model_config("gpt-9")


def test_train_refuses_a_run_that_cannot_fit(train_config, tmp_path: Path) -> None:
    from pipeline.train.trainer import MemoryRefused, train

    config = train_config("lora").model_copy(update={"gpu_memory_gb": 0.5})
    with pytest.raises(MemoryRefused, match=r"needs about .* GiB but the GPU has 0.5 GiB \(fp32 .*\):\n  weights"):
        train(config, tmp_path / "refused")
    assert not (tmp_path / "refused").exists()  # the preflight runs before the run folder is made


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
