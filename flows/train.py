"""Training, evaluation and tuning flows: thin Prefect wrappers over pipeline/train."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from flows.train_config import load_train_config, load_tune_config
from schemas.train import TrainConfig


def run_dir_for(config: TrainConfig) -> Path:
    name = config.run_name or f"{config.release.replace('@', '-')}-{config.method}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    return Path(config.output_dir) / name


@flow(name="train")
def train_flow(config_path: str, resume_dir: str | None = None, evaluate: bool = True) -> dict:
    """Train on a pinned release (resume a stopped run by passing its folder), then evaluate."""
    from pipeline.train.evaluate import evaluate_run
    from pipeline.train.trainer import MemoryRefused, train

    config = load_train_config(config_path)
    run_dir = Path(resume_dir) if resume_dir else run_dir_for(config)
    _configure_wandb(config, run_dir)
    try:
        result = train(config, run_dir, resume=resume_dir is not None)
    except MemoryRefused as refusal:  # an answer, not a crash: said once, by the caller, with no traceback
        return {"refused": str(refusal), "run_dir": None}
    get_run_logger().info("trained %s in %s", config.method, run_dir)
    training_artifacts(run_dir, result.metrics)
    summary = {"run_dir": str(run_dir), "metrics": result.metrics}
    if evaluate:
        summary["eval"] = evaluate_run(run_dir)
        create_markdown_artifact((run_dir / "eval.md").read_text(encoding="utf-8"), key="sft-eval")
    return summary


def training_artifacts(run_dir: Path, metrics: dict) -> None:
    """The run's figures as a table and its loss curve (the plot, and the points) in the Prefect UI."""
    from prefect.artifacts import create_table_artifact

    key = artifact_key(run_dir.name)
    release = metrics.get("release", {})
    rows = [{"metric": "release", "value": f"{release.get('release')} ({str(release.get('fingerprint'))[:12]})"}]
    rows += [{"metric": name, "value": _figure(value)} for name, value in metrics.items()
             if name != "release" and not isinstance(value, dict)]  # fmt: skip
    rows += [{"metric": f"this session: {k}", "value": _figure(v)} for k, v in metrics.get("this_session", {}).items()]
    create_table_artifact(rows, key=f"{key}-metrics", description=f"training run {run_dir.name}: metrics")
    history_file = run_dir / "log_history.json"
    history = json.loads(history_file.read_text(encoding="utf-8")) if history_file.is_file() else []
    create_markdown_artifact(loss_markdown(run_dir, history), key=f"{key}-loss",
                             description=f"training run {run_dir.name}: loss curve")  # fmt: skip


def artifact_key(name: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    slug = "".join(c if c.isalnum() and c.isascii() else "-" for c in name.lower()).strip("-")
    return "train-" + "-".join(part for part in slug.split("-") if part)[:80]


def _figure(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "none" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


PLOT_INLINE_BYTES = 400_000  # larger plots are linked, not embedded in the artifact


def loss_markdown(run_dir: Path, history: list[dict], rows: int = 20) -> str:
    """loss.png embedded (the UI shows it), a sparkline, and a table of up to `rows` logged points."""
    import base64

    train = [(h["step"], h["loss"]) for h in history if "loss" in h]
    evals = {h["step"]: h["eval_loss"] for h in history if "eval_loss" in h}
    lines = [f"# Loss of {run_dir.name}", ""]
    plot = run_dir / "loss.png"
    if plot.is_file() and plot.stat().st_size <= PLOT_INLINE_BYTES:
        data = base64.b64encode(plot.read_bytes()).decode("ascii")
        lines += [f"![loss curve](data:image/png;base64,{data})", ""]
    elif plot.is_file():
        lines += [f"Plot: `{plot.resolve()}`", ""]
    if train:
        lines += [f"train loss {_sparkline([loss for _, loss in train])} {train[0][1]:.4f} -> {train[-1][1]:.4f}"]
    if evals:
        first, last = evals[min(evals)], evals[max(evals)]
        lines += [f"validation loss {first:.4f} -> {last:.4f} over {len(evals)} evaluations"]
    steps = sorted({step for step, _ in train} | set(evals))
    if steps:
        spaced = {steps[round(i * (len(steps) - 1) / (rows - 1))] for i in range(rows)}
        chosen = steps if len(steps) <= rows else sorted(spaced | set(evals))  # every evaluation, and the ends
        losses = dict(train)
        lines += ["", "| step | train loss | validation loss |", "|---:|---:|---:|"]
        for step in chosen:
            cells = [f"{losses[step]:.4f}" if step in losses else "", f"{evals[step]:.4f}" if step in evals else ""]
            lines.append(f"| {step} | {cells[0]} | {cells[1]} |")
    else:
        lines.append("No loss was logged (a run shorter than its logging interval).")
    return "\n".join(lines) + "\n"


def _sparkline(values: list[float]) -> str:
    bars = "▁▂▃▄▅▆▇█"
    low, high = min(values), max(values)
    step = max(1, len(values) // 40)
    picked = values[::step]
    return "".join(bars[int((v - low) / (high - low) * (len(bars) - 1)) if high > low else 0] for v in picked)


def _configure_wandb(config: TrainConfig, run_dir: Path) -> None:
    """wandb reads its mode and folder from the environment; a user's own settings win."""
    if config.training.report_to == "wandb":
        os.environ.setdefault("WANDB_MODE", config.training.wandb_mode)
        os.environ.setdefault("WANDB_DIR", str(run_dir))  # the trainer creates the folder after its preflight


@flow(name="evaluate")
def eval_flow(run_dir: str) -> dict:
    from pipeline.train.evaluate import evaluate_run

    result = evaluate_run(Path(run_dir))
    create_markdown_artifact((Path(run_dir) / "eval.md").read_text(encoding="utf-8"), key="sft-eval")
    return result


@flow(name="tune")
def tune_flow(config_path: str) -> list[dict]:
    from pipeline.train.trainer import train
    from pipeline.train.tune import tune

    config = load_train_config(config_path)
    out_dir = Path(config.output_dir) / f"tune-{config.release.replace('@', '-')}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    rows = tune(config, load_tune_config(config_path), out_dir, train)
    create_markdown_artifact((out_dir / "results.md").read_text(encoding="utf-8"), key="sft-tune")
    return rows
