"""The nightly flow: pull annotations, then build, then apply retention, in that order, as one run.

A scheduled deployment (`sft serve`, `sft deploy`, prefect.yaml) runs this flow, so the build
of a night always sees the annotations pulled that night: the pull is a subflow that finishes
before the build subflow starts. With annotation off in the config there is no pull at all.

A failed pull does not stop the build: it builds from the annotations already stored (the
append-only store keeps every earlier pull), and the nightly run then ends Failed with the
pull's error, so the night's release exists and the problem is still in plain sight.

After a new release, `release.keep` removes the oldest releases beyond that many, never one
that a training run under `training_runs` pins.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.states import Failed

from flows.annotate import annotate_pull_flow
from flows.build import build_dataset_flow, tag_run
from pipeline.config import ConfigError, load_run_config
from pipeline.release.retention import retain
from schemas import BuildOptions

DEFAULT_RUNS = "runs"


def nightly_run_name() -> str:
    from prefect.runtime import flow_run

    config_path = str(flow_run.parameters.get("config_path", ""))
    try:
        dataset = load_run_config(config_path).dataset
    except (ConfigError, OSError):
        dataset = Path(config_path).stem or "dataset"
    return f"nightly-{dataset}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


@flow(name="nightly", flow_run_name=nightly_run_name, log_prints=True)
def nightly_flow(
    config_path: str,
    options: BuildOptions = BuildOptions(),  # noqa: B008  (a frozen model: a safe default)
    pull_annotations: bool = True,
    training_runs: list[str] = [DEFAULT_RUNS],  # noqa: B006  (Prefect copies parameters per run)
):
    """Pull annotations (when the config turns annotation on), then build a release, then prune.

    Args:
        config_path: The run config (YAML) as the machine that runs the flow sees it.
        options: How this build runs: force a rebuild, key=value overrides, the runner and its workers.
        pull_annotations: Pull finished annotations from Label Studio before building (only when
            the config has annotate.enabled).
        training_runs: Folders of training runs; a release one of them pins is never pruned.
    """
    logger = get_run_logger()
    pipeline_logs_at_prefect_level()
    config = load_run_config(config_path, options.overrides)
    tag_run(config.dataset)
    pull_error = None
    if config.annotate.enabled and pull_annotations:
        pulled = annotate_pull_flow(config_path, return_state=True)
        if pulled.is_failed():
            pull_error = pulled.message or "the annotation pull failed"
            logger.error("annotation pull failed (%s): building from the annotations already stored", pull_error)
        else:
            logger.info("annotations pulled: %s", pulled.result())
    elif config.annotate.enabled:
        logger.info("annotation pull skipped (pull_annotations is off)")
    result = build_dataset_flow(config_path, options)
    pruned = retain(config, result.created, [Path(p) for p in training_runs])
    if pruned and pruned.removed:
        logger.info("retention removed %s (release.keep %s)", ", ".join(pruned.removed), config.release.keep)
    summary = {
        "release": f"{result.manifest.dataset}@{result.manifest.version}",
        "path": str(result.release),
        "created": result.created,
        "pruned": pruned.removed if pruned else [],
    }
    if pull_error:
        return Failed(message=f"annotation pull failed: {pull_error}; {summary['release']} was built without it")
    return summary


def pipeline_logs_at_prefect_level() -> None:
    """Let the pipeline's INFO lines through when Prefect logs at INFO.

    PREFECT_LOGGING_EXTRA_LOGGERS gives the `pipeline` logger Prefect's API handler but not a
    level, so it keeps the root logger's WARNING and its per-stage INFO lines never reach the run's
    logs. Tasks in this process (the threads runner) log through it.
    """
    logging.getLogger("pipeline").setLevel(logging.getLogger("prefect").getEffectiveLevel())
