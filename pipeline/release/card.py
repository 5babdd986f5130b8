"""The dataset card: README.md of a release, the page a trainer reads first, and the metadata
`datasets.load_dataset(<folder>)` reads.

Two choices in the front matter make `load_dataset` on a release folder reliable:

- explicit `features`, derived from the `SftRecord` model so they cannot drift from the files.
  Without them `datasets` infers a schema per split file, and splits whose records differ (tool
  calls in one split only) fail with "Couldn't cast array of type struct<...> to null".
  `messages` and `tools` are `List(Json)`: each message comes back exactly as written. A typed
  struct would add `tool_calls: None` to every message, and chat templates that test
  `'tool_calls' in message` (Llama 3.1) then refuse every record.
- a config name unique to the dataset and its fingerprint. `datasets` keys its cache of a local
  folder on the folder's name and the config name, so with a shared name every `.../v1` would
  return the rows of whichever `v1` was loaded first.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import yaml
from pydantic import BaseModel, JsonValue

from pipeline.release.stats import ReleaseStats
from schemas import Manifest, SftRecord

SPLIT_FILES = ("train", "validation", "test")
AS_JSON = ("messages", "tools")  # handed to chat templates as they are (see the module docstring)
CONFIG_SECTIONS = ("normalize", "dedup", "decontaminate", "clean", "augment", "render")
EXAMPLE_CHARS = 240
LICENCE_FILES = ("LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE", "LICENCE.txt", "COPYING")
LICENCE_PATTERNS = (  # (SPDX id, pattern in the licence text), most specific first
    ("CC-BY-NC-SA-4.0", r"Attribution-NonCommercial-ShareAlike 4\.0"),
    ("CC-BY-SA-4.0", r"Attribution-ShareAlike 4\.0"),
    ("CC-BY-4.0", r"Creative Commons Attribution 4\.0"),
    ("CC0-1.0", r"CC0 1\.0"),
    ("Apache-2.0", r"Apache License,?\s+Version 2\.0"),
    ("MIT", r"MIT License|Permission is hereby granted, free of charge"),
    ("GPL-3.0", r"GNU GENERAL PUBLIC LICENSE\s+Version 3"),
    ("BSD", r"Redistribution and use in source and binary forms"),
)


def config_name(manifest: Manifest) -> str:
    """Unique per dataset and bytes, so no two releases share a `datasets` cache entry."""
    return f"{manifest.dataset}-{manifest.fingerprint[:12]}"


def record_features() -> list[dict]:
    """`dataset_info.features` (the YAML form `datasets` writes) of a released line."""
    features = []
    for name, field in SftRecord.model_fields.items():
        spec = {"list": "json"} if name in AS_JSON else _spec(field.annotation)
        features.append({"name": name, **spec})
    return features


def _spec(annotation: Any) -> dict:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"no dataset feature for the union {annotation}")
        return _spec(inner[0])
    if annotation is JsonValue or annotation is dict or origin is dict:
        return {"dtype": "json"}
    if origin is Literal or annotation is str:
        return {"dtype": "string"}
    if annotation is bool:
        return {"dtype": "bool"}
    if annotation is int:
        return {"dtype": "int64"}
    if annotation is float:
        return {"dtype": "float64"}
    if origin is tuple:
        item = _spec(args[0])
        return {"list": item.get("dtype") or item.get("struct") or item}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"struct": [{"name": n, **_spec(f.annotation)} for n, f in annotation.model_fields.items()]}
    if dataclasses.is_dataclass(annotation):
        hints = get_type_hints(annotation)
        return {"struct": [{"name": f.name, **_spec(hints[f.name])} for f in dataclasses.fields(annotation)]}
    raise TypeError(f"no dataset feature for {annotation}")


def front_matter(manifest: Manifest, licence: str | None) -> str:
    splits = [s for s in SPLIT_FILES if manifest.counts.by_split.get(s)]
    name = config_name(manifest)
    meta: dict[str, Any] = {
        "configs": [
            {
                "config_name": name,
                "default": True,
                "data_files": [{"split": s, "path": f"{s}.jsonl"} for s in splits],
            }
        ],
        "dataset_info": {"config_name": name, "features": record_features()},
        "language": ["zh"],
        "task_categories": ["text-generation"],
        "pretty_name": f"{manifest.dataset} {manifest.version}",
    }
    if licence:
        meta["license"] = licence.lower()
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"


def dataset_card(manifest: Manifest, stats: ReleaseStats, location: Path) -> str:
    """The card of a release, from its manifest and the stats of its records, to be published at `location`."""
    licences = source_licences(manifest.counts.by_source)
    known = {spdx for spdx, _ in licences.values() if spdx}
    licence = known.pop() if len(known) == 1 and all(spdx for spdx, _ in licences.values()) else None
    counts = manifest.counts
    sections = [
        f"# {manifest.dataset} {manifest.version}\n\n"
        f"Supervised fine-tuning data, one conversation per line, rendered with the `{manifest.chat_template}` "
        f"chat template of tokenizer `{manifest.tokenizer}`.\n\n"
        f"- fingerprint: `{manifest.fingerprint}` (config `{config_name(manifest)}`)\n"
        f"- parent version: {manifest.parent or 'none'}\n"
        f"- built: {manifest.created_at} by code {manifest.code_version}\n",
        _counts(manifest),
        _sources(manifest, stats, licences),
        _filters(manifest.config),
        _rejections(counts.rejected_by_reason),
        _tokens(manifest.token_stats),
        _examples(stats.examples),
        _exports(manifest),
        _loading(manifest, location),
        _limitations(manifest, stats, licences),
    ]
    return front_matter(manifest, licence) + "\n" + "\n".join(sections)


def _counts(manifest: Manifest) -> str:
    counts = manifest.counts
    rows = "".join(f"| {s} | {counts.by_split.get(s, 0)} |\n" for s in SPLIT_FILES)
    return (
        "## Counts\n\n| split | records |\n|---|---|\n"
        f"{rows}| **released** | **{counts.released}** |\n\n"
        f"{counts.input} input records + {counts.augmented} augmented children = {counts.input + counts.augmented} = "
        f"{counts.released} released + {counts.rejected} rejected. Every rejection is in `rejections.jsonl` with "
        "its stage, reason and source line; augmented children are in the train split only, each with "
        "`meta.parent`.\n"
    )


def source_licences(by_source: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """Source file -> (SPDX id, where it was found); (None, None) when no licence was found.

    Looks for a licence file beside the source and in the folders above it, up to the root of
    its repository, then for the licence a `pyproject.toml` declares there.
    """
    return {name: _licence_of(Path(name)) for name in by_source}


def _licence_of(path: Path) -> tuple[str | None, str | None]:
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        for name in LICENCE_FILES:
            if (candidate / name).is_file():
                text = (candidate / name).read_text(encoding="utf-8", errors="replace")[:4000]
                spdx = next((s for s, pattern in LICENCE_PATTERNS if re.search(pattern, text)), None)
                return spdx or f"see {candidate / name}", str(candidate / name)
        project = candidate / "pyproject.toml"
        if project.is_file():
            found = re.search(r'^license\s*=\s*"([^"]+)"', project.read_text(encoding="utf-8"), re.MULTILINE)
            if found:
                return found.group(1), str(project)
        if (candidate / ".git").exists():
            break
    return None, None


def _sources(manifest: Manifest, stats: ReleaseStats, licences: dict) -> str:
    children = stats.children
    rows, totals = [], Counter()
    for name, tally in manifest.counts.by_source.items():
        spdx, where = licences.get(name, (None, None))
        licence = f"{spdx} ({Path(where).name})" if spdx and where else "unknown"
        rows.append(f"| `{name}` | {licence} | {tally.released} | {children[name]} | {tally.rejected} |\n")
        totals.update(released=tally.released, children=children[name], rejected=tally.rejected)
    return (
        "## Sources\n\n| source | licence | released | of which augmented | rejected |\n|---|---|---|---|---|\n"
        + "".join(rows)
        + f"| **all** | | **{totals['released']}** | **{totals['children']}** | **{totals['rejected']}** |\n\n"
        "Licences are read from a licence file beside each source or above it in its repository; check "
        "the terms of every source before redistributing.\n"
    )


def _filters(config: dict) -> str:
    rows = [
        f"| `{section}.{key}` | {_value_text(value)} |\n"
        for section in CONFIG_SECTIONS
        for key, value in (config.get(section) or {}).items()
    ]
    if not rows:
        return "## Filters and thresholds\n\nThe build config was not recorded.\n"
    return (
        "## Filters and thresholds\n\nAs configured for this build (`manifest.json` holds the whole config).\n\n"
        "| setting | value |\n|---|---|\n" + "".join(rows)
    )


def _value_text(value: object) -> str:
    if isinstance(value, dict):
        if value.get("enabled") is False:
            return "off"
        return "; ".join(f"{k} {_value_text(v)}" for k, v in value.items() if k != "enabled") or "on"
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value) or "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return "-" if value is None else str(value).replace("|", "\\|")


def _rejections(by_reason: dict[str, int]) -> str:
    rows = "".join(f"| `{reason}` | {n} |\n" for reason, n in by_reason.items()) or "| none | 0 |\n"
    return f"## Rejections by stage and reason\n\n| reason | records |\n|---|---|\n{rows}"


def _tokens(stats: dict[str, float]) -> str:
    if not stats:
        return "## Tokens\n\nNo tokens counted.\n"
    return (
        f"## Tokens\n\n{stats['total']:.0f} tokens in all; per record min {stats['min']:.0f}, "
        f"median {stats['p50']:.0f}, p95 {stats['p95']:.0f}, max {stats['max']:.0f}.\n"
    )


def _examples(examples: list[SftRecord]) -> str:
    blocks = []
    for record in examples:
        messages = [_shortened(m.model_dump(mode="json")) for m in record.messages]
        shown = {"id": record.id, "split": record.meta.split, "messages": messages}
        if record.tools:
            shown["tools"] = list(record.tools)
        blocks.append("```json\n" + json.dumps(shown, ensure_ascii=False, indent=1) + "\n```\n")
    return "## Examples\n\n" + ("\n".join(blocks) if blocks else "No records.\n")


def _shortened(message: dict) -> dict:
    content = message["content"]
    if len(content) > EXAMPLE_CHARS:
        message["content"] = content[:EXAMPLE_CHARS] + f"… ({len(content)} characters)"
    return message


def _exports(manifest: Manifest) -> str:
    data = [f for f in manifest.files if f.path not in ("rejections.jsonl", "report.html")]
    rows = "".join(f"| `{f.path}` | {f.records} |\n" for f in data)
    notes = manifest.checks.get("exports", {})
    lines = [f"- {note}\n" for note in notes.get("notes", [])]
    return "## Files\n\n| file | records |\n|---|---|\n" + rows + ("\n" + "".join(lines) if lines else "")


def _loading(manifest: Manifest, location: Path) -> str:
    path = location.as_posix()
    where = "" if location.is_absolute() else " (the path is relative to the folder the release was built from)"
    return f"""## Loading{where}

```python
import datasets

release = datasets.load_dataset("{path}")  # config "{config_name(manifest)}"
messages, tools = release["train"][0]["messages"], release["train"][0]["tools"]
```

Each record: `id`, `messages` (role, content and, on assistant turns that call tools, `tool_calls` in
the OpenAI shape with JSON `arguments`), `tools` (JSON tool schemas or null), `text` (the training text
rendered with the template above) and `meta` (source file and line, group, category, split, lineage of
every change, token counts, the character spans of `text` that training learns). `messages` and `tools`
go to any model's `tokenizer.apply_chat_template(messages, tools=tools)` as they are.
"""


def _limitations(manifest: Manifest, stats: ReleaseStats, licences: dict) -> str:
    counts = manifest.counts
    items = [
        f"`text` and the loss spans are rendered for tokenizer `{manifest.tokenizer}` with the "
        f"`{manifest.chat_template}` template; a model with another template should render `messages` itself.",
        "The quality filters are heuristics with the thresholds above: they reject some good records and "
        "keep some bad ones (`rejections.jsonl` lists every rejection with its reason).",
    ]
    config = manifest.config
    pii = (config.get("clean") or {}).get("pii") or {}
    if pii.get("enabled"):
        items.append(f"PII masking covers {', '.join(pii.get('kinds', []))} by pattern; names and addresses "
                     "are not masked.")  # fmt: skip
    if counts.augmented:
        items.append(f"{counts.augmented} train records are augmented children (word-level edits of a parent "
                     "record): they add variety, not new knowledge.")  # fmt: skip
    unknown = [name for name, (spdx, _) in licences.items() if not spdx]
    if unknown:
        items.append(f"No licence was found for {len(unknown)} of {len(licences)} sources.")
    small = [s for s in ("validation", "test") if 0 < counts.by_split.get(s, 0) < 100]
    if small:
        items.append(f"The {' and '.join(small)} split(s) hold fewer than 100 records: metrics on them are noisy.")
    if stats.calls_tools:
        items.append("Tool calls are kept as data: the tools were not executed again when the release was built.")
    items.extend(manifest.checks.get("exports", {}).get("limitations", []))
    return "## Known limitations\n\n" + "".join(f"- {item}\n" for item in items)
