"""Training, evaluation and tuning flows: thin Prefect wrappers over pipeline/train."""

from __future__ import annotations

import difflib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import yaml
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from pydantic import ValidationError

from pipeline.config import ConfigError, _line_of
from schemas.train import BUNDLED_GENERAL_TEXT, TrainConfig, TuneConfig

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _read_yaml(path: Path) -> tuple[dict, yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
        node, data = yaml.compose(text), yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: {err}") from None
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{path}: a training config is a mapping with at least 'release' and 'model'")
    return data or {}, node


def load_train_config(path: str | Path) -> TrainConfig:
    """TRAIN.yaml, with errors that name the file, the line and the field (an unknown key is an error)."""
    path = Path(path)
    data, node = _read_yaml(path)
    try:
        config = TrainConfig.model_validate({k: v for k, v in data.items() if k != "tune"})
    except ValidationError as err:
        raise ConfigError(_problems(path, node, err, TrainConfig, ())) from None
    return _with_bundled_text(config)


def load_tune_config(path: str | Path) -> TuneConfig:
    path = Path(path)
    data, node = _read_yaml(path)
    try:
        return TuneConfig.model_validate(data.get("tune") or {})
    except ValidationError as err:
        raise ConfigError(_problems(path, node, err, TuneConfig, ("tune",))) from None


def _problems(path: Path, node: yaml.Node | None, err: ValidationError, model: type, prefix: tuple) -> str:
    lines = [f"{path}: {err.error_count()} problem(s) in the training config:"]
    for problem in err.errors():
        loc = (*prefix, *problem["loc"])
        line = _line_of(node, loc)
        where = f"line {line}, " if line else ""
        message = problem["msg"]
        if problem["type"] == "extra_forbidden":
            message = _unknown_key(model, problem["loc"])
        lines.append(f"  {where}{'.'.join(map(str, loc))}: {message}")
    return "\n".join(lines)


def _unknown_key(model: type, loc: tuple) -> str:
    """Why a key is refused: a typo (with the nearest known key), or a second name for a key already given."""
    section = model
    for part in loc[:-1]:
        field = section.model_fields.get(part) if isinstance(part, str) else None
        if field is None or not isinstance(field.annotation, type):
            break
        section = field.annotation
    key = str(loc[-1])
    names: dict[str, str] = {}
    for name, field in getattr(section, "model_fields", {}).items():
        choices = getattr(field.validation_alias, "choices", [name])
        names |= {str(choice): name for choice in choices}
    if key in names:
        return f"the same setting as {names[key]!r}, which is also given: keep one"
    close = difflib.get_close_matches(key, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(sorted(names))})"
    return f"unknown key {key!r}{hint}"


def _with_bundled_text(config: TrainConfig) -> TrainConfig:
    """The bundled general-text sample is found from any working folder, not only the project's."""
    text = config.eval.general_text
    if text == BUNDLED_GENERAL_TEXT and not Path(text).exists():
        bundled = str(PROJECT_ROOT / BUNDLED_GENERAL_TEXT)
        return config.model_copy(update={"eval": config.eval.model_copy(update={"general_text": bundled})})
    return config


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
