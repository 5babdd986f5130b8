"""The dataset card: README.md of a release, with the `configs` block `datasets` reads."""

from __future__ import annotations

from schemas import Manifest

SPLIT_FILES = ("train", "validation", "test")


def dataset_card(manifest: Manifest) -> str:
    counts = manifest.counts
    splits = [s for s in SPLIT_FILES if counts.by_split.get(s)]
    data_files = "".join(f"  - split: {s}\n    path: {s}.jsonl\n" for s in splits)
    reasons = "".join(f"| `{reason}` | {n} |\n" for reason, n in counts.rejected_by_reason.items()) or "| none | 0 |\n"
    split_rows = "".join(f"| {s} | {counts.by_split.get(s, 0)} |\n" for s in SPLIT_FILES)
    tokens = manifest.token_stats
    token_line = (
        f"{tokens['total']:.0f} tokens in all; per record min {tokens['min']:.0f}, "
        f"median {tokens['p50']:.0f}, p95 {tokens['p95']:.0f}, max {tokens['max']:.0f}."
        if tokens
        else "No tokens counted."
    )
    return f"""---
configs:
- config_name: default
  data_files:
{data_files}language:
- zh
task_categories:
- text-generation
---

# {manifest.dataset} {manifest.version}

Supervised fine-tuning data, one conversation per line, rendered with the
`{manifest.chat_template}` chat template of tokenizer `{manifest.tokenizer}`.

- fingerprint: `{manifest.fingerprint}`
- parent version: {manifest.parent or "none"}
- built: {manifest.created_at} by code {manifest.code_version}

## Splits

| split | records |
|---|---|
{split_rows}
{counts.input} input records: {counts.released} released, {counts.rejected} rejected
(every rejection is in `rejections.jsonl` with its stage, reason and source line).

## Rejections by stage and reason

| reason | records |
|---|---|
{reasons}
## Tokens

{token_line}

## Loading

```python
import datasets
release = datasets.load_dataset("path/to/{manifest.dataset}/{manifest.version}")
```

Each record: `id`, `messages` (role, content, tool_calls), `tools` (JSON text or null),
`text` (the rendered training text) and `meta` (source file and line, group, category, split,
lineage of every change, token count).
"""
