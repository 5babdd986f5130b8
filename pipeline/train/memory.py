"""How much GPU memory a fine-tune needs, by component, for what the trainer really does.

Parameter counts are exact: the model (and its PEFT wrapper) is built on PyTorch's meta device,
which allocates no memory, so a 72B model is counted in seconds on a laptop. Bytes follow from the
counts and from the precision plan the trainer trains by (precision.py):

- weights: by the plan's dtype (bf16 2 B, fp32 4 B). Quantized (QLoRA): only the decoder's linear
  layers are quantized, int8 ~1 B (plus one fp32 scale per row: ~1.01), NF4 0.5 B plus one fp32
  absmax per 64 weights (0.5625 B), 0.5159 B with double quantization; the other parameters
  (embeddings, norms, the LM head) are upcast to fp32 by `prepare_model_for_kbit_training`, 4 B.
  A full fine-tune under amp also holds the 16-bit copies autocast makes for the backward pass, 2 B.
- gradients: one per trainable parameter, in its dtype (fp32 for adapters, which peft upcasts).
- optimizer: AdamW keeps two moments in the parameters' dtype (8 B per fp32 parameter, 4 B per bf16
  one); 8-bit AdamW keeps two 8-bit moments (2 B) for tensors of 4,096 or more elements and fp32
  for smaller ones; paged variants have the same size but can spill to CPU memory under pressure.
- activations, per decoder layer, for a Llama/Qwen-style layer (RMSNorm, GQA attention, SwiGLU
  MLP with intermediate size i, no dropout), after Korthikanti et al. 2022 ("Reducing Activation
  Recomputation in Large Transformer Models", section 4) redone for that layer: each RMSNorm keeps
  an fp32 copy of its input (4 B) and its normalised output; attention keeps Q, K, V and its output;
  the MLP keeps gate, SiLU(gate), up and their product. With a bytes per activation:
  b*s*((8 + 6a)*h + 2a*h_kv + 4a*i); with a = 2 that is b*s*(20h + 4h_kv + 8i). SDPA and flash
  attention keep no s^2 scores; eager attention adds b*heads*s^2*(4 + a) (the fp32 softmax and its
  cast). With activation checkpointing only each layer's input is kept (L*a*b*s*h) plus one layer
  recomputed at a time.
- LM head and loss: TRL's SFTTrainer never materialises the (b, s, V) logits: it scores tiles of
  4,096 tokens x 32,768 vocabulary entries and keeps per-token statistics, plus the gathered hidden
  states of the trained tokens and their fp32 gradient (N*h*(a + 4) for N trained tokens, at most
  b*s), and for a full fine-tune an fp32 gradient accumulator for the head (V*h*4). A trainer that
  materialises the logits (`lm_head="full"`) needs b*s*V*(a + 4 + 4): the logits, their fp32 upcast
  for the loss and the log-softmax kept for the backward pass.
- overhead: the CUDA context and allocator reserve, 1 GiB.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.train.precision import BYTES, Precision

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
    "qwen3-8b": {"model_type": "qwen3", "hidden_size": 4096, "num_hidden_layers": 36, "num_attention_heads": 32,
                 "num_key_value_heads": 8, "head_dim": 128, "intermediate_size": 12288, "vocab_size": 151936,
                 "tie_word_embeddings": False},
    # LLaMA (1), the models of the QLoRA paper's memory figures
    "llama-7b": {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
                 "num_key_value_heads": 32, "intermediate_size": 11008, "vocab_size": 32000, "tie_word_embeddings": False},
    "llama-65b": {"model_type": "llama", "hidden_size": 8192, "num_hidden_layers": 80, "num_attention_heads": 64,
                  "num_key_value_heads": 64, "intermediate_size": 22016, "vocab_size": 32000, "tie_word_embeddings": False},
}  # fmt: skip
QUANTIZED = ("int8", "nf4", "nf4-dq")
LOGIT_TILE = (4096, 32768)  # tokens x vocabulary entries per tile of TRL's fused LM head (trl/kernels)

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
    """Exact parameter counts of a model and of what a method trains, and the shapes activations need."""

    total: int
    quantizable: int  # parameters of the decoder's linear layers
    trainable: int
    trainable_tensors_small: int  # trainable parameters in tensors below 4,096 elements
    hidden: int
    layers: int
    vocab: int
    intermediate: int = 0
    heads: int = 0
    kv_hidden: int = 0  # key/value heads x head dimension


@dataclass(frozen=True)
class Estimate:
    components: dict[str, float]  # bytes
    formulas: dict[str, str]
    counts: Counts
    assumptions: dict[str, str]

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
    heads = config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    return Counts(
        total=total,
        quantizable=quantizable,
        trainable=sum(p.numel() for p in trainable),
        trainable_tensors_small=sum(p.numel() for p in trainable if p.numel() < 4096),
        hidden=config.hidden_size,
        layers=config.num_hidden_layers,
        vocab=config.vocab_size,
        intermediate=config.intermediate_size,
        heads=heads,
        kv_hidden=(getattr(config, "num_key_value_heads", None) or heads) * head_dim,
    )


def estimate(
    counts: Counts,
    method: str,
    *,
    batch_size: int,
    seq_len: int,
    precision: Precision,
    quantization: str | None = None,
    optimizer: str = "adamw_torch",
    checkpointing: bool = True,
    attention: str = "sdpa",
    lm_head: str = "fused",
) -> Estimate:
    """Bytes per component; `quantization` is int8, nf4 or nf4-dq for QLoRA, None otherwise."""
    b, s, h, layers, vocab = batch_size, seq_len, counts.hidden, counts.layers, counts.vocab
    a = precision.activation_bytes
    full = method == "full"
    weights, weights_formula = _weights(counts, precision, quantization)
    copies = counts.total * 2.0 if full and precision.weights == "fp32" and precision.autocast else 0.0
    grad_bytes = BYTES[precision.weights] if full else 4
    optimizer_bytes, optimizer_formula = _optimizer(counts, optimizer, BYTES[precision.weights] if full else 4)
    per_layer = b * s * ((8 + 6 * a) * h + 2 * a * counts.kv_hidden + 4 * a * counts.intermediate)
    scores = b * counts.heads * s * s * (4 + a) if attention == "eager" else 0
    layer_formula = f"b*s*((8+6a)*h + 2a*h_kv + 4a*i) = {b}*{s}*({8 + 6 * a}*{h} + {2 * a}*{counts.kv_hidden} + {4 * a}*{counts.intermediate})"
    if scores:
        layer_formula += f" + b*heads*s^2*(4+a) = {b}*{counts.heads}*{s}^2*{4 + a}"
    if checkpointing:
        activations = layers * a * b * s * h + per_layer + scores
        activation_formula = f"L*a*b*s*h + one layer: {layers}*{a}*{b}*{s}*{h} + {layer_formula} (checkpointing)"
    else:
        activations = layers * (per_layer + scores)
        activation_formula = f"L x ({layer_formula})"
    head, head_formula = _lm_head(b * s, h, vocab, a, full, lm_head)
    components = {
        "weights": weights,
        "autocast weight copies": copies,
        "adapter weights": 0.0 if full else counts.trainable * 4.0,
        "gradients": counts.trainable * float(grad_bytes),
        "optimizer states": optimizer_bytes,
        "activations": float(activations),
        "lm head and loss": head,
        "overhead": float(OVERHEAD_BYTES),
    }
    formulas = {
        "weights": weights_formula,
        "autocast weight copies": f"{counts.total:,} x 2 B (16-bit copies of fp32 weights)" if copies else "-",
        "adapter weights": "-" if full else f"{counts.trainable:,} trainable x 4 B (fp32)",
        "gradients": f"{counts.trainable:,} trainable x {grad_bytes} B",
        "optimizer states": optimizer_formula,
        "activations": activation_formula,
        "lm head and loss": head_formula,
        "overhead": "CUDA context and allocator, 1 GiB",
    }
    assumptions = {
        "precision": precision.label,
        "weights": quantization or precision.weights,
        "activations": f"{a} B ({'16-bit' if a == 2 else 'fp32'})",
        "attention": attention + (" (no s^2 scores kept)" if attention != "eager" else " (s^2 scores kept)"),
        "lm head": "fused tiles (TRL SFTTrainer)" if lm_head == "fused" else "full logits",
        "checkpointing": "on" if checkpointing else "off",
    }
    return Estimate(components, formulas, counts, assumptions)


def _weights(counts: Counts, precision: Precision, quantization: str | None) -> tuple[float, str]:
    if quantization in QUANTIZED:
        kept = counts.total - counts.quantizable
        per = WEIGHT_BYTES[quantization]
        formula = f"{counts.quantizable:,} quantized x {per:.4f} B + {kept:,} others x 4 B (upcast to fp32)"
        return counts.quantizable * per + kept * 4.0, formula
    per = BYTES[precision.weights]
    return counts.total * float(per), f"{counts.total:,} x {per} B ({precision.weights})"


def _optimizer(counts: Counts, optimizer: str, moment_bytes: int) -> tuple[float, str]:
    if optimizer == "sgd":
        return 0.0, "-"
    if optimizer in ("paged_adamw_8bit", "adamw_bnb_8bit"):
        big, small = counts.trainable - counts.trainable_tensors_small, counts.trainable_tensors_small
        return big * 2.0 + small * 8.0, f"{big:,} x 2 B + {small:,} x 8 B (8-bit AdamW)"
    moments = 8 if optimizer == "paged_adamw_32bit" else 2 * moment_bytes
    return counts.trainable * float(moments), f"{counts.trainable:,} x {moments} B (AdamW, two moments)"


def _lm_head(tokens: int, h: int, vocab: int, a: int, full: bool, mode: str) -> tuple[float, str]:
    if mode == "full":
        return float(tokens * vocab * (a + 8)), f"b*s*V*(a+4+4) = {tokens}*{vocab}*{a + 8} B (full logits)"
    tile = min(tokens, LOGIT_TILE[0]) * min(vocab, LOGIT_TILE[1]) * a
    head_grad = vocab * h * 4 if full else 0
    formula = (
        f"tile {min(tokens, LOGIT_TILE[0])}x{min(vocab, LOGIT_TILE[1])}x{a} B + N*h*(a+4) = {tokens}*{h}*{a + 4} B"
    )
    if head_grad:
        formula += f" + V*h*4 = {vocab}*{h}*4 B (fp32 head gradient)"
    return float(tile + tokens * h * (a + 4) + head_grad), formula


def step_lengths(tokens: list[int], max_length: int, packing: bool) -> dict[str, int]:
    """The sequence length of a typical step (p95 of the records) and of the longest (max), after
    truncation to `max_length`; packed batches are always `max_length` long once there is enough text."""
    if not tokens:
        raise ValueError("the release has no token counts in its train split")
    ordered = sorted(min(t, max_length) for t in tokens)
    if packing:
        packed = min(max_length, sum(tokens))
        return {"p95": packed, "max": packed}
    return {"p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], "max": ordered[-1]}


def advice(result: Estimate, gpu_gib: float, method: str, checkpointing: bool, batch_size: int) -> list[str]:
    """What to change when an estimate does not fit."""
    if result.fits(gpu_gib):
        return []
    tips = []
    if batch_size > 1:
        tips.append("lower training.batch_size (raise grad_accum to keep the effective batch)")
    if not checkpointing:
        tips.append("turn on training.gradient_checkpointing")
    if method == "full" and result.components["autocast weight copies"]:
        tips.append("use training.precision: bf16 (pure bf16: 8 B per parameter instead of 18)")
    if method in ("full", "lora"):
        tips.append("use method: qlora (4-bit NF4 weights)")
    tips.append("shorten training.max_length, or use a GPU with more memory")
    return tips
