"""`sft train`, `sft eval`, `sft tune` and `sft estimate-memory` as a trainer types them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()


def test_train_eval_tune_on_a_built_release(collection: Path, tiny_tokenizer: Path, tmp_path: Path) -> None:
    from pipeline.train.tiny_model import build_tiny_model

    built = runner.invoke(app, ["run", str(collection)])
    assert built.exit_code == 0, built.output
    model = build_tiny_model(tiny_tokenizer, tmp_path / "tiny-model")
    config = tmp_path / "train.yaml"
    config.write_text(
        f"""release: toy@v1
releases_dir: {tmp_path / "releases"}
model: {model}
method: qlora
output_dir: {tmp_path / "runs"}
run_name: first
lora: {{r: 4, alpha: 8}}
training: {{max_steps: 4, batch_size: 4, learning_rate: 0.01, max_length: 128, logging_steps: 1, warmup: 0}}
eval: {{generation_samples: 1, max_new_tokens: 4}}
tune: {{sampler: random, trials: 2, learning_rate: [0.001, 0.01], r: [2, 4], alpha: [4], epochs: [1.0]}}
""",
        encoding="utf-8",
    )
    trained = runner.invoke(app, ["train", str(config)])
    assert trained.exit_code == 0, trained.output
    run = tmp_path / "runs" / "first"
    assert "qlora: 4 steps" in trained.output and (run / "eval.md").exists()
    pin = json.loads((run / "release.json").read_text())
    assert pin["release"] == "toy@v1" and len(pin["fingerprint"]) == 64

    evaluated = runner.invoke(app, ["eval", str(run)])
    assert evaluated.exit_code == 0 and "overfitting:" in evaluated.output

    tuned = runner.invoke(app, ["tune", str(config)])
    assert tuned.exit_code == 0, tuned.output
    [tune_dir] = (tmp_path / "runs").glob("tune-*")
    assert len((tune_dir / "results.csv").read_text().splitlines()) == 3

    estimated = runner.invoke(app, ["estimate-memory", str(model), "--method", "lora", "--release", "toy@v1",
                                    "--releases-dir", str(tmp_path / "releases"), "--seq-len", "128"])  # fmt: skip
    assert estimated.exit_code == 0, estimated.output
    assert "toy@v1: train-split tokens per step, p95" in estimated.output and "(max)" in estimated.output

    too_big = config.read_text().replace("run_name: first", "run_name: refused\ngpu_memory_gb: 0.01")
    config.write_text(too_big, encoding="utf-8")
    refused = runner.invoke(app, ["train", str(config)])
    assert refused.exit_code == 2 and refused.output.count("the run needs about") == 1, refused.output
    assert "Traceback" not in refused.output and not (tmp_path / "runs" / "refused").exists()

    wrong = config.read_text().replace("release: toy@v1", "release: toy@v9")
    config.write_text(wrong, encoding="utf-8")
    refused = runner.invoke(app, ["train", str(config)])
    assert refused.exit_code == 2 and "has no version 'v9'" in refused.output


def test_unknown_train_keys_name_the_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(
        "release: toy@v1\nmodel: qwen2.5-0.5b\nlora: {r: 8, lora_alpha: 16}\ntraining:\n  batch_size: 8\n"
        "  grad_acum: 2\n  warmup_ratio: 0.1\n  warmup: 0.2\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["train", str(config)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    output = " ".join(result.output.split())  # the console wraps long lines
    assert f"{config}: 2 problem(s) in the training config" in output
    assert "line 6, training.grad_acum: unknown key 'grad_acum' (did you mean 'grad_accum'?)" in output
    assert "line 7, training.warmup_ratio: the same setting as 'warmup', which is also given" in output


def test_estimate_memory_prints_components_assumptions_and_advice() -> None:
    result = runner.invoke(app, ["estimate-memory", "qwen2.5-7b", "--method", "full", "--gpu", "24"])
    assert result.exit_code == 0, result.output
    assert "7,615,616,512 parameters" in result.output and "optimizer states" in result.output
    assert "does NOT fit in 24 GiB" in result.output and "qlora" in result.output
    assert "precision bf16 (bf16 weights, bf16 autocast)" in result.output and "attention sdpa" in result.output
    amp = runner.invoke(app, ["estimate-memory", "qwen2.5-7b", "--method", "full", "--precision", "amp", "--gpu", "80"])
    assert amp.exit_code == 0 and "autocast weight copies │ 14.19" in amp.output
    assert "use training.precision: bf16" in amp.output
