"""Hyperparameter search with Optuna over learning rate, LoRA r and alpha, and epochs.

Each trial is a full training run in its own folder; the objective is the validation loss
(the last one logged). Grid search walks the whole grid (the budget caps it), random and TPE
sample it. The results table lands in the tuning folder as CSV and Markdown.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from pipeline.io import atomic_write_text
from pipeline.train.trainer import TrainResult
from schemas.train import TrainConfig, TuneConfig

COLUMNS = ("trial", "learning_rate", "r", "alpha", "epochs", "validation_loss", "train_loss", "run_dir")


def tune(
    base: TrainConfig, search: TuneConfig, out_dir: Path, train: Callable[[TrainConfig, Path], TrainResult]
) -> list[dict]:
    import optuna

    space = {"learning_rate": search.learning_rate, "r": search.r, "alpha": search.alpha, "epochs": search.epochs}
    samplers = {
        "grid": lambda: optuna.samplers.GridSampler(space, seed=search.seed),
        "random": lambda: optuna.samplers.RandomSampler(seed=search.seed),
        "tpe": lambda: optuna.samplers.TPESampler(seed=search.seed),
    }
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=samplers[search.sampler]())
    rows: list[dict] = []

    def objective(trial: optuna.Trial) -> float:
        chosen = {name: trial.suggest_categorical(name, values) for name, values in space.items()}
        config = base.model_copy(
            update={
                "lora": base.lora.model_copy(update={"r": chosen["r"], "alpha": chosen["alpha"]}),
                "training": base.training.model_copy(
                    update={"learning_rate": chosen["learning_rate"], "epochs": chosen["epochs"]}
                ),
            }
        )
        run_dir = out_dir / f"trial-{trial.number:03d}"
        result = train(config, run_dir)
        loss = result.metrics["last_eval_loss"]
        if loss is None:
            raise ValueError("tuning needs a validation split in the release: the objective is its loss")
        rows.append({"trial": trial.number, **chosen, "validation_loss": loss,
                     "train_loss": result.metrics["train_loss"], "run_dir": str(run_dir)})  # fmt: skip
        return loss

    study.optimize(objective, n_trials=search.trials)
    rows.sort(key=lambda row: row["validation_loss"])
    _write_tables(out_dir, rows)
    return rows


def _write_tables(out_dir: Path, rows: list[dict]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "results.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    header = "| " + " | ".join(COLUMNS[:-1]) + " |\n|" + "---|" * (len(COLUMNS) - 1) + "\n"
    body = "".join("| " + " | ".join(f"{row[c]:.4g}" if isinstance(row[c], float) else str(row[c])
                                    for c in COLUMNS[:-1]) + " |\n" for row in rows)  # fmt: skip
    atomic_write_text(out_dir / "results.md", "# Tuning results (best first)\n\n" + header + body)
