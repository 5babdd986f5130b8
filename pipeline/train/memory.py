"""How much GPU memory a fine-tune needs, by component.

Parameter counts are exact: the model (and its PEFT wrapper) is built on PyTorch's meta device,
which allocates no memory, so a 72B model is counted in seconds on a laptop. Bytes follow from
the counts:

- weights: fp32 4 B, bf16/fp16 2 B, int8 ~1 B (plus one fp32 scale per row: ~1.01), NF4 0.5 B
  plus one fp32 absmax per 64 weights (0.5625 B), 0.5159 B with double quantization (absmax
  in 8 bits, one fp32 per 256 of them); only the decoder's linear layers are quantized,
  embeddings, norms and the LM head stay in the compute dtype (bitsandbytes' behaviour).
- gradients: one per trainable parameter, in the trainable parameters' dtype (fp32 for
  adapters; the weights' dtype for a full fine-tune).
- optimizer: AdamW keeps two fp32 moments (8 B per trainable parameter); 8-bit AdamW keeps
  two 8-bit moments (2 B) for tensors of 4,096 or more elements and fp32 for smaller ones;
  paged variants have the same size but can spill to CPU memory under pressure.
- activations, per decoder layer (Korthikanti et al. 2022, "Reducing Activation Recomputation
  in Large Transformer Models", eq. 2, with flash attention removing the s^2 score term):
  34 * b * s * h bytes in 16-bit training; with activation checkpointing only each layer's
  input is kept, 2 * b * s * h bytes, plus one layer recomputed at a time (34 * b * s * h).
  Logits add b * s * V * 6 bytes (16-bit logits and their fp32 copy for the loss).
- overhead: the CUDA context and allocator reserve, 1 GiB.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GIB = 1024**3
OVERHEAD_BYTES = GIB

# Configs of common families (from their config.json on the model hubs), for estimates
# without a download.
FAMILIES: dict[str, dict[str, Any]] = {
    "qwen2.5-0.5b": {"model_type": "qwen2", "hidden_size": 896, "num_hidden_layers": 24, "num_attention_heads": 14,
                     "num_key_value_heads": 2, "intermediate_size": 4864, "vocab_size": 151936, "tie_word_embeddings": True},
    "qwen2.5-1.5b": {"model_type": "qwen2", "hidden_size": 1536, "num_hidden_layers": 28, "num_attention_heads": 12,
                     "num_key_value_heads": 2, "intermediate_size": 8960, "vocab_size": 151936, "tie_word_embeddings": True},
    "qwen2.5-3b": {"model_type": "qwen2", "hidden_size": 2048, "num_hidden_layers": 36, "num_attention_heads": 16,
                   "num_key_value_heads": 2, "intermediate_size": 11008, "vocab_size": 151936, "tie_word_embeddings": True},
    "qwen2.5-7b": {"model_type": "qwen2", "hidden_size": 3584, "num_hidden_layers": 28, "num_attention_heads": 28,
                   "num_key_value_heads": 4, "intermediate_size": 18944, "vocab_size": 152064, "tie_word_embeddings": False},
    "qwen2.5-14b": {"model_type": "qwen2", "hidden_size": 5120, "num_hidden_layers": 48, "num_attention_heads": 40,
                    "num_key_value_heads": 8, "intermediate_size": 13824, "vocab_size": 152064, "tie_word_embeddings": False},
    "qwen2.5-32b": {"model_type": "qwen2", "hidden_size": 5120, "num_hidden_layers": 64, "num_attention_heads": 40,
                    "num_key_value_heads": 8, "intermediate_size": 27648, "vocab_size": 152064, "tie_word_embeddings": False},
    "qwen2.5-72b": {"model_type": "qwen2", "hidden_size": 8192, "num_hidden_layers": 80, "num_attention_heads": 64,
                    "num_key_value_heads": 8, "intermediate_size": 29568, "vocab_size": 152064, "tie_word_embeddings": False},
    "llama-3-8b": {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
                   "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256, "tie_word_embeddings": False},
    "llama-3-70b": {"model_type": "llama", "hidden_size": 8192, "num_hidden_layers": 80, "num_attention_heads": 64,
                    "num_key_value_heads": 8, "intermediate_size": 28672, "vocab_size": 128256, "tie_word_embeddings": False},
    "mistral-7b": {"model_type": "mistral", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
                   "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 32000, "tie_word_embeddings": False},
}  # fmt: skip

WEIGHT_BYTES = {
    "fp32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "int8": 1.0 + 4 / 4096,
    "nf4": 0.5 + 4 / 64,
    "nf4-dq": 0.5 + 1 / 64 + 4 / (64 * 256),
}


@dataclass(frozen=True)
class Counts:
    """Exact parameter counts of a model and of what a method trains."""

    total: int
    quantizable: int  # parameters of the decoder's linear layers
    trainable: int
    trainable_tensors_small: int  # trainable parameters in tensors below 4,096 elements
    hidden: int
    layers: int
    vocab: int


@dataclass(frozen=True)
class Estimate:
    components: dict[str, float]  # bytes
    formulas: dict[str, str]
    counts: Counts

    @property
    def total(self) -> float:
        return sum(self.components.values())

    def fits(self, gpu_gib: float) -> bool:
        return self.total <= gpu_gib * GIB


def load_model_config(model: str) -> dict[str, Any]:
    """A family name from FAMILIES, a folder with config.json, or a config.json path."""
    if model.lower() in FAMILIES:
        return dict(FAMILIES[model.lower()])
    path = Path(model)
    path = path / "config.json" if path.is_dir() else path
    if not path.is_file():
        known = ", ".join(FAMILIES)
        raise ValueError(f"{model!r} is neither a known family ({known}) nor a folder with config.json")
    return json.loads(path.read_text(encoding="utf-8"))


def count_parameters(model_config: dict[str, Any], wrap: Callable[[Any], Any] | None = None) -> Counts:
    """Build the model on the meta device, let `wrap` add a method's parameters, and count.

    Without `wrap` every parameter is trainable (full fine-tuning).
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.for_model(**model_config)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    quantizable = sum(
        module.weight.numel()
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and "lm_head" not in name
    )
    total = sum(p.numel() for p in model.parameters())
    wrapped = wrap(model) if wrap is not None else model
    trainable = [p for p in wrapped.parameters() if p.requires_grad]
    return Counts(
        total=total,
        quantizable=quantizable,
        trainable=sum(p.numel() for p in trainable),
        trainable_tensors_small=sum(p.numel() for p in trainable if p.numel() < 4096),
        hidden=config.hidden_size,
        layers=config.num_hidden_layers,
        vocab=config.vocab_size,
    )


def estimate(
    counts: Counts,
    method: str,
    *,
    batch_size: int,
    seq_len: int,
    weights: str = "bf16",
    optimizer: str = "adamw_torch",
    checkpointing: bool = True,
    activation_bytes: int = 2,
) -> Estimate:
    """Bytes per component; `weights` is fp32, bf16, fp16, int8, nf4 or nf4-dq."""
    b, s, h, layers, vocab = batch_size, seq_len, counts.hidden, counts.layers, counts.vocab
    quantized = weights in ("int8", "nf4", "nf4-dq")
    kept = counts.total - counts.quantizable if quantized else 0
    weight_bytes = (
        counts.quantizable * WEIGHT_BYTES[weights] + kept * 2.0 if quantized else counts.total * WEIGHT_BYTES[weights]
    )
    grad_dtype_bytes = WEIGHT_BYTES[weights] if method == "full" else 4.0
    big = counts.trainable - counts.trainable_tensors_small
    eight_bit = optimizer in ("paged_adamw_8bit", "adamw_bnb_8bit")
    optimizer_bytes = (
        0.0
        if optimizer == "sgd"
        else (big * 2.0 + counts.trainable_tensors_small * 8.0 if eight_bit else counts.trainable * 8.0)
    )
    per_layer = 34 * b * s * h * activation_bytes / 2
    activations = (layers * 2 * b * s * h * activation_bytes / 2 + per_layer) if checkpointing else layers * per_layer
    logits = b * s * vocab * 6
    adapter = 0.0 if method == "full" else counts.trainable * 4.0
    components = {
        "weights": weight_bytes,
        "adapter weights": adapter,
        "gradients": counts.trainable * grad_dtype_bytes,
        "optimizer states": optimizer_bytes,
        "activations": activations,
        "logits": logits,
        "overhead": float(OVERHEAD_BYTES),
    }
    formulas = {
        "weights": f"{counts.quantizable:,} quantizable x {WEIGHT_BYTES[weights]:.4f} B + {kept:,} x 2 B"
        if quantized
        else f"{counts.total:,} x {WEIGHT_BYTES[weights]:.0f} B ({weights})",
        "adapter weights": f"{counts.trainable:,} trainable x 4 B (fp32)" if method != "full" else "-",
        "gradients": f"{counts.trainable:,} trainable x {grad_dtype_bytes:.0f} B",
        "optimizer states": "-" if optimizer == "sgd" else (
            f"{big:,} x 2 B + {counts.trainable_tensors_small:,} x 8 B (8-bit AdamW)" if eight_bit
            else f"{counts.trainable:,} x 8 B (AdamW, two fp32 moments)"
        ),
        "activations": (f"L*2*b*s*h + 34*b*s*h = {layers}*2*{b}*{s}*{h} + 34*{b}*{s}*{h} B (checkpointing)"
                        if checkpointing else f"L*34*b*s*h = {layers}*34*{b}*{s}*{h} B"),
        "logits": f"b*s*V*6 = {b}*{s}*{vocab}*6 B",
        "overhead": "CUDA context and allocator, 1 GiB",
    }  # fmt: skip
    return Estimate(components, formulas, counts)


def advice(result: Estimate, gpu_gib: float, method: str, checkpointing: bool, batch_size: int) -> list[str]:
    """What to change when an estimate does not fit."""
    if result.fits(gpu_gib):
        return []
    tips = []
    if batch_size > 1:
        tips.append("lower training.batch_size (raise grad_accum to keep the effective batch)")
    if not checkpointing:
        tips.append("turn on training.gradient_checkpointing")
    if method in ("full", "lora"):
        tips.append("use method: qlora (4-bit NF4 weights)")
    tips.append("shorten training.max_length, or use a GPU with more memory")
    return tips
