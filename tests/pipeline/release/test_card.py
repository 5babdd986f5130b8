"""The dataset card: explicit features, a cache-safe config name, and the sections a trainer reads."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.release import load_manifest
from pipeline.release.card import config_name, record_features, source_licences
from pipeline.release.stats import ReleaseStats
from schemas import SftRecord

MIT_TEXT = "MIT License\n\nCopyright (c) 2024 someone\n\nPermission is hereby granted, free of charge, ...\n"


def test_features_cover_every_field_and_encode_a_full_record(make_sample) -> None:
    import datasets

    features = datasets.Features._from_yaml_list(record_features())
    assert list(features) == list(SftRecord.model_fields)
    assert features["messages"] == datasets.List(datasets.Json())
    assert features["meta"]["assistant_spans"] == datasets.List(datasets.List(datasets.Value("int64")))
    tool_record = next(r for r in make_sample("s.jsonl") if r.tools)
    encoded = features.encode_example(tool_record.model_dump(mode="json"))
    assert json.loads(encoded["messages"][1])["tool_calls"][0]["function"]["arguments"] == {"city": "北京", "days": [1]}


def load(folder: Path, cache: Path) -> dict[str, list[dict]]:
    import datasets

    loaded = datasets.load_dataset(str(folder), cache_dir=str(cache))
    return {split: list(rows) for split, rows in loaded.items()}


def test_load_dataset_with_a_fresh_cache_and_a_warm_one_holding_another_v1(
    tmp_path: Path, publish_release, make_sample
) -> None:
    """Tool calls in one split only used to break the schema; a warm cache used to return another `v1`'s rows."""
    ours = publish_release(tmp_path / "a", "demo", make_sample("a.jsonl", "北京")).path
    other = publish_release(tmp_path / "b", "toy", make_sample("b.jsonl", "上海")).path
    assert ours.name == other.name == "v1"
    assert config_name(load_manifest(ours)) != config_name(load_manifest(other))

    fresh = load(ours, tmp_path / "fresh-cache")
    assert {split: len(rows) for split, rows in fresh.items()} == {"train": 3, "validation": 1, "test": 2}
    call = fresh["test"][0]["messages"][1]
    assert call["tool_calls"][0]["function"]["arguments"] == {"city": "北京", "days": [1]}
    assert "tool_calls" not in fresh["train"][0]["messages"][1]  # messages come back as written
    assert fresh["test"][0]["tools"][0]["function"]["name"] == "get_weather" and fresh["train"][0]["tools"] is None

    warm = tmp_path / "warm-cache"
    assert load(other, warm)["train"][0]["messages"][0]["content"] == "上海是哪个国家的城市？"
    assert load(ours, warm) == fresh


def test_card_sections(tmp_path: Path, publish_release, make_sample) -> None:
    data = tmp_path / "corpus"
    data.mkdir()
    (data / "LICENSE").write_text(MIT_TEXT, encoding="utf-8")
    source = str(data / "qa.jsonl")
    config = {"dataset": "demo", "clean": {"chars": {"enabled": True, "min": 2, "max": 16000},
              "symbols": {"enabled": False, "max_ratio": 0.4}, "pii": {"enabled": True, "kinds": ["mobile"]}},
              "dedup": {"exact": True, "near": {"enabled": True, "threshold": 0.6}}}  # fmt: skip
    published = publish_release(tmp_path / "releases", "demo", make_sample(source), config=config)
    card = (published.path / "README.md").read_text(encoding="utf-8")

    assert f'datasets.load_dataset("{published.path.as_posix()}")' in card
    assert "6 input records + 1 augmented children = 7 = 6 released + 1 rejected" in card
    assert f"| `{source}` | MIT (LICENSE) | 6 | 1 | 1 |" in card
    assert "| `clean.chars` | min 2; max 16000 |" in card and "| `clean.symbols` | off |" in card
    assert "| `dedup.near` | threshold 0.6 |" in card
    assert card.count("```json") == 3 and '"get_weather"' in card and "长城远吗？" in card
    assert "PII masking covers mobile" in card and "1 train records are augmented children" in card
    assert "license: mit" in card.split("---")[1]


def examples_of(records) -> list:
    stats = ReleaseStats()
    for record in records:
        stats.add_record(record)
    return stats.examples


def test_examples_prefer_a_tool_call_and_a_multi_turn_record(make_sample) -> None:
    records = make_sample("s.jsonl")
    assert [r.meta.source.line for r in examples_of(records)] == [4, 2, 1]
    assert examples_of(records[:1]) == records[:1]


def test_licences_found_beside_or_above_a_source(tmp_path: Path) -> None:
    (tmp_path / "repo" / "data" / "sub").mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    (tmp_path / "repo" / "LICENSE").write_text("Apache License\nVersion 2.0, January 2004\n", encoding="utf-8")
    (tmp_path / "cc" / "x").mkdir(parents=True)
    (tmp_path / "cc" / "LICENSE.md").write_text("Attribution-NonCommercial-ShareAlike 4.0 International\n")
    (tmp_path / "none" / ".git").mkdir(parents=True)
    found = source_licences([str(tmp_path / "repo/data/sub/a.json"), str(tmp_path / "cc/x/b.csv"),
                             str(tmp_path / "none/c.md")])  # fmt: skip
    assert [spdx for spdx, _ in found.values()] == ["Apache-2.0", "CC-BY-NC-SA-4.0", None]
