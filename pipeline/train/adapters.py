"""Bottleneck adapters (Adapter Tuning), in the Houlsby and Pfeiffer placements.

An adapter is a small residual bottleneck, h + up(act(down(h))), inserted after a sublayer of
each decoder layer while the base weights stay frozen. Houlsby et al. (2019, "Parameter-
Efficient Transfer Learning for NLP") put one after the attention block and one after the
feed-forward block of every layer; Pfeiffer et al. (2021, "AdapterFusion") keep only the one
after the feed-forward block, with about the same quality at half the parameters. The
up-projection starts at zero, so training starts from exactly the base model.

Implemented here rather than with AdapterHub's `adapters` (it pins transformers ~=4.57 and has
no Qwen2 support) or peft's custom-module mechanism (which maps LoRA-style layers onto custom
base layers; a bottleneck after a sublayer is not such a mapping): wrapping the sublayers
takes a few dozen lines and works for every decoder with `model.layers[i].self_attn/.mlp`
(Qwen2, Llama, Mistral and their relatives). Adapters are saved alone, as safetensors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "silu": nn.SiLU}
CONFIG_FILE = "bottleneck_config.json"
WEIGHTS_FILE = "bottleneck_adapters.safetensors"


class Bottleneck(nn.Module):
    def __init__(self, hidden: int, reduction: int, activation: str, device: Any = None) -> None:
        super().__init__()
        inner = max(1, hidden // reduction)
        self.down = nn.Linear(hidden, inner, device=device)
        self.act = ACTIVATIONS[activation]()
        self.up = nn.Linear(inner, hidden, device=device)
        if self.up.weight.device.type != "meta":
            nn.init.zeros_(self.up.weight)
            nn.init.zeros_(self.up.bias)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return hidden + self.up(self.act(self.down(hidden.to(self.down.weight.dtype)))).to(hidden.dtype)


class Adapted(nn.Module):
    """A sublayer followed by an adapter; a tuple output (attention) is adapted in its first item."""

    def __init__(self, inner: nn.Module, adapter: Bottleneck) -> None:
        super().__init__()
        self.inner = inner
        self.adapter = adapter

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        output = self.inner(*args, **kwargs)
        if isinstance(output, tuple):
            return (self.adapter(output[0]), *output[1:])
        return self.adapter(output)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(super().__getattr__("inner"), name)  # the decoder reads attributes of its sublayers


def decoder_layers(model: nn.Module) -> nn.ModuleList:
    base = getattr(model, "model", model)
    layers = getattr(base, "layers", None)
    if not isinstance(layers, nn.ModuleList):
        raise ValueError(
            f"{type(model).__name__} has no model.layers: bottleneck adapters need a Qwen2/Llama-style decoder"
        )
    return layers


def add_adapters(model: nn.Module, placement: str, reduction: int, activation: str) -> nn.Module:
    """Insert adapters into every decoder layer and freeze everything else."""
    if placement not in ("houlsby", "pfeiffer"):
        raise ValueError(f"adapter placement must be houlsby or pfeiffer, not {placement!r}")
    hidden = model.config.hidden_size
    for layer in decoder_layers(model):
        device = next(layer.parameters()).device
        if placement == "houlsby":
            layer.self_attn = Adapted(layer.self_attn, Bottleneck(hidden, reduction, activation, device))
        layer.mlp = Adapted(layer.mlp, Bottleneck(hidden, reduction, activation, device))
    for name, parameter in model.named_parameters():
        parameter.requires_grad = ".adapter." in name
    model.bottleneck_config = {"placement": placement, "reduction": reduction, "activation": activation}
    return model


def save_adapters(model: nn.Module, folder: Path) -> None:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    weights = {name: p.detach().cpu().contiguous() for name, p in model.named_parameters() if ".adapter." in name}
    save_file(weights, str(folder / WEIGHTS_FILE))
    (folder / CONFIG_FILE).write_text(json.dumps(model.bottleneck_config, indent=2) + "\n", encoding="utf-8")


def load_adapters(model: nn.Module, folder: Path) -> nn.Module:
    """Insert adapters as saved and load their weights; every saved tensor must find its place."""
    from safetensors.torch import load_file

    settings = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    add_adapters(model, settings["placement"], settings["reduction"], settings["activation"])
    weights = load_file(str(folder / WEIGHTS_FILE))
    missing, unexpected = model.load_state_dict(weights, strict=False)
    absent = [name for name in missing if ".adapter." in name]
    if absent or unexpected:
        raise ValueError(f"{folder} does not fit this model: missing {absent[:3]}, unexpected {unexpected[:3]}")
    return model
