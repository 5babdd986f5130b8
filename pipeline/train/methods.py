"""The PEFT methods and their configurations, one place for training and memory estimates.

- qlora / lora: LoRA adapters (Hu et al. 2021) on the attention and gate projections; QLoRA
  (Dettmers et al. 2023) loads the base model in 4-bit NF4 with double quantization first.
- adalora: LoRA whose ranks are reallocated during training by importance (Zhang et al. 2023);
  the reallocation only happens when `update_and_allocate` is called every step (the trainer's
  callback does it).
- ia3: learned rescaling vectors on keys, values and the feed-forward (Liu et al. 2022).
- prompt: soft prompt tuning, virtual tokens on the input only (Lester et al. 2021).
- ptuning: P-tuning, virtual tokens produced by an MLP prompt encoder (Liu et al. 2021).
- prefix: prefix tuning, trained key/value prefixes in every layer through an MLP
  reparameterisation (Li and Liang 2021).
- ptuning_v2: deep prompt tuning, per-layer prefixes trained directly, no reparameterisation
  (Liu et al. 2022) - peft's prefix tuning with `prefix_projection=False`.
- adapter: bottleneck adapters, Houlsby or Pfeiffer placement (adapters.py).
- llama_adapter: LLaMA-Adapter's gated adaption prompts (Zhang et al. 2023), peft's
  AdaptionPromptConfig; peft supports it for Llama-family and Mistral models only.
- full: every weight trains.
"""

from __future__ import annotations

from typing import Any

from schemas.train import TrainConfig

PROMPT_METHODS = ("prefix", "prompt", "ptuning", "ptuning_v2")
MERGEABLE = ("qlora", "lora", "adalora", "ia3")
PEFT_SAVED = ("qlora", "lora", "adalora", "ia3", "prefix", "prompt", "ptuning", "ptuning_v2", "llama_adapter")
IA3_TARGETS = ["k_proj", "v_proj", "down_proj"]


def wrap(model: Any, config: TrainConfig, total_steps: int = 1000) -> Any:
    """The model as `config.method` trains it: frozen base with adapters, or all of it."""
    if config.method == "full":
        return model
    if config.method == "adapter":
        from pipeline.train.adapters import add_adapters

        adapter = config.adapter
        return add_adapters(model, adapter.placement, adapter.reduction_factor, adapter.activation)
    from peft import get_peft_model

    if config.method == "llama_adapter":
        _check_llama_adapter(model.config.model_type)
        _fuse_lm_head_before_peft(model)
    return get_peft_model(model, peft_config(config, total_steps, model.config.num_hidden_layers))


def _fuse_lm_head_before_peft(model: Any) -> None:
    """TRL's SFTTrainer patches the base model's forward with a fused LM head, but peft's
    adaption-prompt wrapper keeps the forward it saw when it was built, so the patch would be
    bypassed and the loss would find no log-probabilities. TRL's own advice is to add the head
    before wrapping with PEFT; doing so here makes the wrapper keep the patched forward."""
    from trl.trainer.utils import add_fused_lm_head

    add_fused_lm_head(model, outputs=("log_probs", "entropy", "is_top1"))


def _check_llama_adapter(model_type: str) -> None:
    from peft.tuners.adaption_prompt.config import TRANSFORMERS_MODEL_CONFIG

    if model_type not in TRANSFORMERS_MODEL_CONFIG:
        supported = ", ".join(sorted(TRANSFORMERS_MODEL_CONFIG))
        raise ValueError(f"llama_adapter supports the architectures {supported}; this model is {model_type!r}")


def peft_config(config: TrainConfig, total_steps: int = 1000, num_layers: int | None = None) -> Any:
    """The peft config for `config.method` (None for full fine-tuning)."""
    from peft import (
        AdaLoraConfig,
        IA3Config,
        LoraConfig,
        PrefixTuningConfig,
        PromptEncoderConfig,
        PromptTuningConfig,
        TaskType,
    )

    method, lora, prompt = config.method, config.lora, config.prompt
    if method in ("qlora", "lora"):
        return LoraConfig(
            r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules=lora.target_modules,
            bias=lora.bias, task_type=TaskType.CAUSAL_LM,
        )  # fmt: skip
    if method == "adalora":
        ada = config.adalora
        return AdaLoraConfig(
            init_r=ada.init_r, target_r=ada.target_r, tinit=ada.tinit, tfinal=ada.tfinal, deltaT=ada.delta_t,
            total_step=max(total_steps, ada.tinit + ada.tfinal + 1), lora_alpha=lora.alpha,
            lora_dropout=lora.dropout, target_modules=lora.target_modules, bias=lora.bias, task_type=TaskType.CAUSAL_LM,
        )  # fmt: skip
    if method == "ia3":
        return IA3Config(target_modules=IA3_TARGETS, feedforward_modules=["down_proj"], task_type=TaskType.CAUSAL_LM)
    if method == "prompt":
        return PromptTuningConfig(num_virtual_tokens=prompt.num_virtual_tokens, task_type=TaskType.CAUSAL_LM)
    if method == "ptuning":
        return PromptEncoderConfig(
            num_virtual_tokens=prompt.num_virtual_tokens,
            encoder_hidden_size=prompt.encoder_hidden_size or 128,
            task_type=TaskType.CAUSAL_LM,
        )
    if method == "prefix":
        return PrefixTuningConfig(
            num_virtual_tokens=prompt.num_virtual_tokens,
            prefix_projection=True,
            encoder_hidden_size=prompt.encoder_hidden_size or 128,
            task_type=TaskType.CAUSAL_LM,
        )
    if method == "ptuning_v2":
        return PrefixTuningConfig(
            num_virtual_tokens=prompt.num_virtual_tokens, prefix_projection=False, task_type=TaskType.CAUSAL_LM
        )
    if method == "llama_adapter":
        from peft import AdaptionPromptConfig

        layers = config.llama_adapter.adapter_layers
        return AdaptionPromptConfig(
            adapter_len=config.llama_adapter.adapter_len,
            adapter_layers=min(layers, num_layers) if num_layers else layers,
            task_type=TaskType.CAUSAL_LM,
        )
    if method in ("full", "adapter"):
        return None
    raise ValueError(f"unknown method {method!r}")
