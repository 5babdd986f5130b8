"""Training, evaluation, tuning and memory-estimate configs (TRAIN.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from schemas.record import Strict

Method = Literal[
    "qlora", "lora", "adalora", "ia3", "prefix", "prompt", "ptuning", "ptuning_v2", "adapter", "llama_adapter", "full"
]
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj"]


class LoraParams(Strict):
    """The classic QLoRA recipe's defaults (r=16, alpha=16, dropout 0.05 on q/k/v/o/gate)."""

    r: int = Field(default=16, ge=1)
    alpha: int = Field(default=16, ge=1)
    dropout: float = Field(default=0.05, ge=0, lt=1)
    target_modules: list[str] = Field(default_factory=lambda: list(LORA_TARGETS))


class AdaLoraParams(Strict):
    init_r: int = Field(default=12, ge=1)
    target_r: int = Field(default=8, ge=1)
    tinit: int = Field(default=0, ge=0, description="steps before rank reallocation starts")
    tfinal: int = Field(default=0, ge=0, description="steps at the end with the final ranks frozen")
    delta_t: int = Field(default=1, ge=1, description="steps between two reallocations")


class PromptParams(Strict):
    """Virtual tokens for prompt tuning, P-tuning, prefix tuning and P-tuning v2."""

    num_virtual_tokens: int = Field(default=20, ge=1)
    encoder_hidden_size: int | None = Field(default=None, ge=1, description="P-tuning/prefix MLP width")


class AdapterParams(Strict):
    """Bottleneck adapters: Houlsby (after attention and feed-forward) or Pfeiffer (feed-forward only)."""

    placement: Literal["houlsby", "pfeiffer"] = "pfeiffer"
    reduction_factor: int = Field(default=16, ge=1, description="hidden size / bottleneck size")
    activation: Literal["relu", "gelu", "silu"] = "relu"


class LlamaAdapterParams(Strict):
    """LLaMA-Adapter (Zhang et al. 2023): gated adaption prompts in the top layers."""

    adapter_len: int = Field(default=10, ge=1)
    adapter_layers: int = Field(default=30, ge=1, description="top layers that get prompts (capped at the model's)")


class QuantParams(Strict):
    bits: Literal[4, 8] = 4
    quant_type: Literal["nf4", "fp4"] = "nf4"
    double_quant: bool = True
    compute_dtype: Literal["bfloat16", "float16", "float32"] = "bfloat16"


class TrainingParams(Strict):
    epochs: float = Field(default=1.0, gt=0)
    max_steps: int = Field(default=-1, description="overrides epochs when positive")
    batch_size: int = Field(default=4, ge=1)
    grad_accum: int = Field(default=1, ge=1)
    learning_rate: float = Field(default=2e-4, gt=0)
    warmup: float = Field(default=0.03, ge=0, description="a ratio below 1, else steps")
    optimizer: Literal["adamw_torch", "paged_adamw_8bit", "adamw_bnb_8bit", "paged_adamw_32bit", "sgd"] = "adamw_torch"
    max_length: int = Field(default=2048, ge=8)
    packing: bool = False
    assistant_only_loss: bool = Field(default=True, description="train on assistant turns only (release masks)")
    gradient_checkpointing: bool = True
    precision: Literal["auto", "bf16", "fp16", "fp32"] = "auto"
    seed: int = 42
    logging_steps: int = Field(default=10, ge=1)
    eval_steps: int | None = Field(default=None, ge=1, description="evaluate every N steps (default: per epoch)")
    save_steps: int | None = Field(default=None, ge=1, description="checkpoint every N steps (default: per epoch)")
    save_total_limit: int = Field(default=2, ge=1)
    report_to: Literal["none", "tensorboard", "wandb"] = "none"
    wandb_mode: Literal["offline", "online"] = Field(
        default="offline", description="offline runs need no network; `wandb sync` uploads them later"
    )


class EvalParams(Strict):
    max_new_tokens: int = Field(default=128, ge=1)
    generation_samples: int = Field(default=32, ge=0, description="test records to generate for (0: none)")
    exact_match_max_chars: int = Field(default=16, ge=1, description="answers this short are scored by exact match")
    choice_csv: str | None = Field(default=None, description="C-Eval/CMMLU-style CSV: Question,A,B,C,D,Answer")
    general_text: str | None = Field(default=None, description="general Chinese text for the forgetting check")
    forgetting_ratio: float = Field(default=1.2, gt=1, description="tuned/base perplexity above this is forgetting")
    overfit_gap: float = Field(default=0.5, gt=0, description="validation minus train loss above this is overfitting")


class TrainConfig(Strict):
    release: str = Field(description="DATASET@VERSION of the release to train on")
    releases_dir: str = "data/releases"
    fingerprint: str | None = Field(default=None, description="the release's fingerprint, checked when given")
    model: str = Field(description="a local model folder or a hub id")
    trust_remote_code: bool = False
    method: Method = "qlora"
    lora: LoraParams = LoraParams()
    adalora: AdaLoraParams = AdaLoraParams()
    prompt: PromptParams = PromptParams()
    adapter: AdapterParams = AdapterParams()
    llama_adapter: LlamaAdapterParams = LlamaAdapterParams()
    quantization: QuantParams = QuantParams()
    training: TrainingParams = TrainingParams()
    eval: EvalParams = EvalParams()
    output_dir: str = Field(default="runs", description="run folders are created inside")
    run_name: str | None = None
    merge: bool = Field(default=False, description="also save the adapter merged into the base model")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    gpu_memory_gb: float | None = Field(default=None, gt=0, description="refuse runs estimated not to fit")

    @model_validator(mode="after")
    def _release_pinned(self) -> TrainConfig:
        if "@" not in self.release:
            raise ValueError("release must be pinned as DATASET@VERSION (for example demo@v1)")
        if self.merge and self.method in (
            "prefix",
            "prompt",
            "ptuning",
            "ptuning_v2",
            "adapter",
            "llama_adapter",
            "full",
        ):
            raise ValueError(f"method {self.method} cannot be merged into the base model")
        return self


class TuneConfig(Strict):
    sampler: Literal["grid", "random", "tpe"] = "tpe"
    trials: int = Field(default=8, ge=1)
    learning_rate: list[float] = Field(default_factory=lambda: [5e-5, 1e-4, 2e-4, 5e-4])
    r: list[int] = Field(default_factory=lambda: [8, 16, 32])
    alpha: list[int] = Field(default_factory=lambda: [16, 32])
    epochs: list[float] = Field(default_factory=lambda: [1.0, 2.0])
    seed: int = 0
