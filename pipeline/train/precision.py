"""What `training.precision` means for the weights' dtype and for autocast, in one place.

The trainer loads and trains by this plan and the memory estimate counts by it, so the two cannot
disagree:

- bf16: pure bf16 training. Weights, gradients and AdamW's moments are all bf16 (torch's AdamW keeps
  its states in the parameters' dtype): 8 B per trainable parameter. The default on a GPU.
- amp: mixed precision with fp32 master weights. A full fine-tune keeps fp32 weights, gradients and
  moments and autocasts the matmuls to bf16 (16 B per parameter, plus the bf16 copies autocast
  holds for the backward pass, 2 B). A frozen base gains nothing from fp32 copies, so PEFT methods
  keep bf16 base weights and only autocast.
- fp16: as amp with fp16 autocast (GPUs without bf16); PEFT methods keep fp16 base weights.
- fp32: no autocast; fp32 everywhere. The default on the CPU.

Adapters are fp32 in every mode (peft upcasts them: `autocast_adapter_dtype`). QLoRA's base is
4-bit whatever the mode; `prepare_model_for_kbit_training` upcasts its other parameters to fp32.
"""

from __future__ import annotations

from dataclasses import dataclass

BYTES = {"bf16": 2, "fp16": 2, "fp32": 4}


@dataclass(frozen=True)
class Precision:
    mode: str  # bf16 | amp | fp16 | fp32
    weights: str  # dtype of the weights that are not quantized: bf16 | fp16 | fp32
    autocast: str | None  # bf16 | fp16 | None

    @property
    def activation_bytes(self) -> int:
        """Activations follow the compute dtype: autocast's when on, else the weights'."""
        return 2 if self.autocast else BYTES[self.weights]

    @property
    def label(self) -> str:
        cast = f", {self.autocast} autocast" if self.autocast else ", no autocast"
        return f"{self.mode} ({self.weights} weights{cast})"


def resolve(method: str, precision: str, device: str) -> Precision:
    mode = precision if precision != "auto" else ("bf16" if device == "cuda" else "fp32")
    full = method == "full"
    if mode == "bf16":
        return Precision("bf16", "bf16", "bf16")
    if mode == "amp":
        return Precision("amp", "fp32" if full else "bf16", "bf16")
    if mode == "fp16":
        return Precision("fp16", "fp32" if full else "fp16", "fp16")
    if mode == "fp32":
        return Precision("fp32", "fp32", None)
    raise ValueError(f"unknown precision {precision!r}: auto, bf16, amp, fp16 or fp32")
