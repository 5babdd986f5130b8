"""A tiny causal LM built locally, for tests and demos: nothing is downloaded.

Qwen2 architecture (and Llama for methods that need it): hidden 64, 2 layers, 4 heads, random
weights, saved with safetensors beside the given tokenizer, so `from_pretrained` loads it
like any hub model.
"""

from __future__ import annotations

from pathlib import Path


def build_tiny_model(tokenizer_dir: Path, out_dir: Path, architecture: str = "qwen2", seed: int = 0) -> Path:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, Qwen2Config

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    shape = {
        "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "intermediate_size": 128, "vocab_size": len(tokenizer), "max_position_embeddings": 2048,
        "eos_token_id": tokenizer.eos_token_id, "pad_token_id": tokenizer.pad_token_id, "tie_word_embeddings": True,
    }  # fmt: skip
    config = Qwen2Config(**shape) if architecture == "qwen2" else LlamaConfig(**shape)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    return out_dir
