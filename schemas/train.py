"""Training, evaluation, tuning and memory-estimate configs (TRAIN.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, model_validator

from schemas.record import Strict

Method = Literal[
    "qlora", "lora", "adalora", "ia3", "prefix", "prompt", "ptuning", "ptuning_v2", "adapter", "llama_adapter", "full"
]
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj"]
SCHEDULERS = Literal[
    "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup",
    "inverse_sqrt", "reduce_lr_on_plateau", "cosine_with_min_lr", "warmup_stable_decay",
]  # fmt: skip
BUNDLED_GENERAL_TEXT = "data/general_text/hongloumeng.txt"


def also(*names: str) -> AliasChoices:
    """The field's own name first, then the names other trainers use for it (peft, transformers, TRL)."""
    return AliasChoices(*names)


class LoraParams(Strict):
    """The classic QLoRA recipe's defaults (r=16, alpha=16, dropout 0.05, bias none on q/k/v/o/gate)."""

    r: int = Field(default=16, ge=1, validation_alias=also("r", "lora_r"))
    alpha: int = Field(default=16, ge=1, validation_alias=also("alpha", "lora_alpha"))
    dropout: float = Field(default=0.05, ge=0, lt=1, validation_alias=also("dropout", "lora_dropout"))
    bias: Literal["none", "all", "lora_only"] = Field(default="none", description="which biases train (peft)")
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
    """Training arguments; each also accepts the name transformers' TrainingArguments gives it."""

    epochs: float = Field(default=1.0, gt=0, validation_alias=also("epochs", "num_train_epochs"))
    max_steps: int = Field(default=-1, description="overrides epochs when positive")
    batch_size: int = Field(default=4, ge=1, validation_alias=also("batch_size", "per_device_train_batch_size"))
    grad_accum: int = Field(default=1, ge=1, validation_alias=also("grad_accum", "gradient_accumulation_steps"))
    learning_rate: float = Field(default=2e-4, gt=0)
    weight_decay: float = Field(default=0.0, ge=0)
    max_grad_norm: float = Field(default=1.0, ge=0, description="gradient clipping (0: none)")
    lr_scheduler_type: SCHEDULERS = "linear"
    warmup: float = Field(
        default=0.03, ge=0, description="a ratio below 1, else steps", validation_alias=also("warmup", "warmup_ratio")
    )
    optimizer: Literal["adamw_torch", "paged_adamw_8bit", "adamw_bnb_8bit", "paged_adamw_32bit", "sgd"] = Field(
        default="adamw_torch", validation_alias=also("optimizer", "optim")
    )
    max_length: int = Field(default=2048, ge=8, validation_alias=also("max_length", "max_seq_length"))
    packing: bool = False
    group_by_length: bool = Field(default=False, description="batch records of similar length (less padding)")
    assistant_only_loss: bool = Field(default=True, description="train on assistant turns only (release masks)")
    gradient_checkpointing: bool = True
    precision: Literal["auto", "bf16", "amp", "fp16", "fp32"] = Field(
        default="auto",
        description="bf16: bf16 weights and optimizer states; amp: fp32 weights with bf16 autocast; fp16: fp32 "
        "weights with fp16 autocast; fp32: no autocast; auto: bf16 on a GPU, fp32 on the CPU",
    )
    attn_implementation: Literal["sdpa", "eager", "flash_attention_2"] = "sdpa"
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
    general_text: str | None = Field(
        default=BUNDLED_GENERAL_TEXT, description="general Chinese text for the forgetting check (null: skip it)"
    )
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
