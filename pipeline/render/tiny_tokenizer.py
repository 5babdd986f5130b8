"""A small byte-level BPE tokenizer, trained offline, for the demo and the tests.

Nothing can be downloaded at run time, so the project trains its own. It uses Qwen2's
pre-tokenizer and ChatML's special tokens, so a tiny Qwen2-architecture model can use it too.
It has no chat template on purpose: it plays a Base model's tokenizer.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

QWEN2_SPLIT = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def build_tiny_tokenizer(texts: Iterable[str], out_dir: Path, vocab_size: int = 4000) -> Path:
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        bos_token=None,
        model_max_length=32768,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    wrapped.save_pretrained(out_dir)
    return out_dir


def main(argv: list[str] | None = None) -> None:
    """`python -m pipeline.render.tiny_tokenizer SAMPLES_DIR OUT_DIR`: train on every sample text."""
    import sys

    from pipeline.collect import expand_source, run
    from schemas import SourceConfig

    samples, out_dir = (argv or sys.argv[1:])[:2]
    texts = []
    for path in expand_source(SourceConfig(path=samples)):
        texts += [m.content for record in run(path, SourceConfig(path=str(path))).kept for m in record.messages]
    build_tiny_tokenizer(texts, Path(out_dir))
    print(f"tokenizer trained on {len(texts)} texts, saved to {out_dir}")


if __name__ == "__main__":
    main()
