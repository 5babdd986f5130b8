"""`sft eval` on a real (tiny) run: every metric is produced."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.train.evaluate import evaluate_run, overfitting
from pipeline.train.trainer import train


def test_evaluation_produces_every_metric(train_config, tmp_path: Path) -> None:
    choices = tmp_path / "choices.csv"
    choices.write_text("Question,A,B,C,D,Answer\n中国的首都是哪里？,上海,北京,广州,深圳,B\n一周有几天？,五,六,七,八,C\n",
                       encoding="utf-8")  # fmt: skip
    general = tmp_path / "general.txt"
    general.write_text("春眠不觉晓，处处闻啼鸟。\n夜来风雨声，花落知多少。\n", encoding="utf-8")
    config = train_config("lora")
    config = config.model_copy(
        update={"eval": config.eval.model_copy(update={"choice_csv": str(choices), "general_text": str(general)})}
    )
    run = tmp_path / "run"
    train(config, run)
    result = evaluate_run(run)
    held = result["held_out"]
    assert held["records"] == 5 and held["tuned_loss"] < held["base_loss"]
    assert held["tuned_perplexity"] > 1
    assert set(result["generation"]["tuned"]) >= {"rouge_l", "bleu4", "exact_match"}
    assert len(result["generation"]["examples"]) == 2
    assert result["choice"]["tuned"]["questions"] == 2 and 0 <= result["choice"]["tuned"]["accuracy"] <= 1
    assert "forgetting" in result["forgetting"]["verdict"] and result["forgetting"]["base_perplexity"] > 1
    assert "overfitting" in result["overfitting"]["verdict"]
    report = (run / "eval.md").read_text(encoding="utf-8")
    assert "## Did SFT make it dumber?" in report and "| rouge_l" in report
    assert "| 长城在哪个国家？" in report or "| 一天有多少小时？" in report  # sample prompts
    assert json.loads((run / "eval.json").read_text())["held_out"]["records"] == 5


def test_overfitting_verdicts() -> None:
    steady = [
        {"step": 1, "loss": 2.0},
        {"step": 1, "eval_loss": 2.1},
        {"step": 2, "loss": 1.8},
        {"step": 2, "eval_loss": 1.9},
    ]
    assert overfitting(steady, 0.5)["verdict"].startswith("no sign")
    gap = [{"step": 1, "loss": 0.2}, {"step": 1, "eval_loss": 1.5}]
    assert overfitting(gap, 0.5)["verdict"].startswith("overfitting")
    rising = [{"step": s, "loss": 1 / s} for s in (1, 2, 3)]
    rising = [x for s, e in zip(rising, (1.0, 0.9, 1.2), strict=True) for x in (s, {"step": s["step"], "eval_loss": e})]
    assert "rose" in overfitting(rising, 5.0)["verdict"]
    assert overfitting([{"step": 1, "loss": 1.0}], 0.5)["points"] == []
