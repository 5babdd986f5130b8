"""Every method trains a few steps on CPU on a release built from fixtures, and saves."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pipeline.train.trainer import train
from schemas.train import TrainConfig


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def test_qlora_loss_decreases(train_config, tmp_path: Path) -> None:
    config: TrainConfig = train_config("qlora", max_steps=30, save_steps=30, eval_steps=30)
    result = train(config, tmp_path / "run")
    history = json.loads((tmp_path / "run" / "log_history.json").read_text())
    losses = [h["loss"] for h in history if "loss" in h]
    assert len(losses) == 30
    assert mean(losses[-5:]) < mean(losses[:5]) - 0.1
    assert (tmp_path / "run" / "adapter" / "adapter_model.safetensors").exists()
    assert (tmp_path / "run" / "loss.png").stat().st_size > 0
    assert json.loads((tmp_path / "run" / "release.json").read_text())["release"] == "tiny@v1"
    assert result.metrics["trainable_parameters"] > 0


METHODS = ["qlora", "lora", "adalora", "ia3", "prefix", "prompt", "ptuning", "ptuning_v2", "adapter", "llama_adapter",
           "full"]  # fmt: skip


@pytest.mark.parametrize("method", METHODS)
def test_every_method_trains_saves_reloads_and_evaluates(
    train_config, tiny_llama: Path, tmp_path: Path, method: str
) -> None:
    from pipeline.train.evaluate import evaluate_run

    config = train_config(method, max_steps=2, save_steps=2, eval_steps=2)
    if method == "llama_adapter":  # peft supports it on Llama-family models only
        config = config.model_copy(update={"model": str(tiny_llama)})
    run = tmp_path / method
    result = train(config, run)
    assert any((run / ("model" if method == "full" else "adapter")).glob("*.safetensors"))
    assert result.metrics["steps"] == 2 and result.metrics["trainable_parameters"] > 0
    assert result.metrics["last_eval_loss"] is not None
    evaluated = evaluate_run(run)  # reloads the saved weights beside a fresh base model
    held = evaluated["held_out"]
    assert math.isfinite(held["tuned_loss"]) and held["tuned_loss"] != held["base_loss"]
    assert evaluated["forgetting"]["measured_on"]["path"].endswith("hongloumeng.txt")
    assert "## Did SFT make it dumber?" in (run / "eval.md").read_text(encoding="utf-8")


def test_adalora_really_reallocates_ranks(train_config, tmp_path: Path) -> None:
    train(train_config("adalora", max_steps=8), tmp_path / "ada")
    adapter_config = json.loads((tmp_path / "ada" / "adapter" / "adapter_config.json").read_text())
    pattern = adapter_config["rank_pattern"]
    assert pattern, "update_and_allocate never ran: AdaLoRA stayed fixed-rank"
    kept = [sum(mask) for mask in pattern.values()]
    assert min(kept) < 6  # some matrices lost ranks below init_r


def test_merge_on_request(train_config, tmp_path: Path) -> None:
    config = train_config("lora").model_copy(update={"merge": True})
    train(config, tmp_path / "merged-run")
    assert any((tmp_path / "merged-run" / "merged").glob("*.safetensors"))


def test_resume_continues_a_stopped_run_and_reports_the_whole_run(train_config, tmp_path: Path) -> None:
    run = tmp_path / "resumable"
    first = train(train_config("lora", max_steps=3, save_steps=3, eval_steps=3), run)
    assert (run / "checkpoints" / "checkpoint-3" / "run_clock.json").is_file()
    resumed = train(train_config("lora", max_steps=6, save_steps=3, eval_steps=3), run, resume=True)
    history = json.loads((run / "log_history.json").read_text())
    metrics = resumed.metrics
    assert metrics["steps"] == 6 and metrics["resumed_from"] == "checkpoint-3"
    assert [h["step"] for h in history if "loss" in h] == [1, 2, 3, 4, 5, 6]  # steps 1-3 from the checkpoint's state
    assert metrics["train_loss"] == pytest.approx(mean([h["loss"] for h in history if "loss" in h]))
    assert metrics["this_session"]["steps"] == 3
    assert metrics["seconds"] > metrics["this_session"]["seconds"] and metrics["seconds"] >= first.metrics["seconds"]
    with pytest.raises(ValueError, match="nothing to resume"):
        train(train_config("lora"), tmp_path / "empty", resume=True)


def test_a_wrong_fingerprint_or_missing_release_is_refused(train_config, tmp_path: Path) -> None:
    from pipeline.train.data import ReleaseMismatch

    with pytest.raises(ReleaseMismatch, match="the config pins"):
        train(train_config().model_copy(update={"fingerprint": "f" * 64}), tmp_path / "x")
    with pytest.raises(ReleaseMismatch, match="has no version"):
        train(train_config().model_copy(update={"release": "tiny@v9"}), tmp_path / "y")


def test_packing_paged_optimizer_and_tensorboard(train_config, tmp_path: Path) -> None:
    config = train_config("lora", packing=True, optimizer="paged_adamw_8bit", report_to="tensorboard")
    result = train(config, tmp_path / "packed")
    assert result.metrics["steps"] == 6
    assert list((tmp_path / "packed" / "checkpoints").rglob("events.out.tfevents.*"))


def test_wandb_offline_needs_no_network(train_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    train(train_config("lora", report_to="wandb"), tmp_path / "wandb-run")
    assert list((tmp_path / "wandb").glob("offline-run-*"))
