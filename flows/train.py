"""Training, evaluation and tuning flows: thin Prefect wrappers over pipeline/train."""

from __future__ import annotations

import difflib
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
    summary = {"run_dir": str(run_dir), "metrics": result.metrics}
    if evaluate:
        summary["eval"] = evaluate_run(run_dir)
        create_markdown_artifact((run_dir / "eval.md").read_text(encoding="utf-8"), key="sft-eval")
    return summary


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
