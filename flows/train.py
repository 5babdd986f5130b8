"""Training, evaluation and tuning flows: thin Prefect wrappers over pipeline/train."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import yaml
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from pydantic import ValidationError

from pipeline.config import ConfigError
from schemas.train import TrainConfig, TuneConfig


def load_train_config(path: str | Path) -> TrainConfig:
    """TRAIN.yaml, with errors that name the file and the field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: {err}") from None
    try:
        return TrainConfig.model_validate({k: v for k, v in (data or {}).items() if k != "tune"})
    except ValidationError as err:
        problems = "\n".join(f"  {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise ConfigError(f"{path}: {err.error_count()} problem(s) in the training config:\n{problems}") from None


def load_tune_config(path: str | Path) -> TuneConfig:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return TuneConfig.model_validate(data.get("tune") or {})


def run_dir_for(config: TrainConfig) -> Path:
    name = config.run_name or f"{config.release.replace('@', '-')}-{config.method}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    return Path(config.output_dir) / name


@flow(name="train")
def train_flow(config_path: str, resume_dir: str | None = None, evaluate: bool = True) -> dict:
    """Train on a pinned release (resume a stopped run by passing its folder), then evaluate."""
    from pipeline.train.evaluate import evaluate_run
    from pipeline.train.trainer import train

    config = load_train_config(config_path)
    run_dir = Path(resume_dir) if resume_dir else run_dir_for(config)
    _configure_wandb(config, run_dir)
    result = train(config, run_dir, resume=resume_dir is not None)
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
        os.environ.setdefault("WANDB_DIR", str(run_dir))
        run_dir.mkdir(parents=True, exist_ok=True)


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
