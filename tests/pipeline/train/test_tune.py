from __future__ import annotations

import csv
from pathlib import Path

from pipeline.train.trainer import train
from pipeline.train.tune import tune
from schemas.train import TuneConfig


def test_random_search_writes_a_sorted_results_table(train_config, tmp_path: Path) -> None:
    search = TuneConfig(sampler="random", trials=2, learning_rate=[1e-3, 1e-2], r=[2, 4], alpha=[4], epochs=[1.0])
    rows = tune(train_config("lora", max_steps=3), search, tmp_path / "tune", train)
    assert len(rows) == 2
    assert rows[0]["validation_loss"] <= rows[1]["validation_loss"]
    with (tmp_path / "tune" / "results.csv").open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert [float(r["validation_loss"]) for r in table] == [r["validation_loss"] for r in rows]
    assert "# Tuning results" in (tmp_path / "tune" / "results.md").read_text(encoding="utf-8")


def test_grid_search_walks_the_grid(train_config, tmp_path: Path) -> None:
    search = TuneConfig(sampler="grid", trials=4, learning_rate=[1e-3, 1e-2], r=[2, 4], alpha=[4], epochs=[1.0])
    rows = tune(train_config("lora", max_steps=2), search, tmp_path / "grid", train)
    assert sorted((r["learning_rate"], r["r"]) for r in rows) == [(1e-3, 2), (1e-3, 4), (1e-2, 2), (1e-2, 4)]
