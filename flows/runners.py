"""The task runner a build's shard work runs on, chosen from the run config apart from the logic.

threads: one process (Prefect's thread pool; the GIL makes it one core for this work).
processes: Prefect's process pool, one worker per core by default; each worker loads the
segmenter and tokenizer once. dask: prefect-dask's DaskTaskRunner on a `distributed` cluster,
either the scheduler at `runner.address` or a local cluster of `workers` processes; workers
must see the same paths as the machine that starts the build (a shared file system).
"""

from __future__ import annotations

import os

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from pipeline.config import ConfigError
from schemas import RunnerConfig


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# Below this much input, starting worker processes (each imports the libraries and loads the
# segmenter and tokenizer: seconds of CPU) costs more than the parallel work saves.
PROCESSES_FROM_BYTES = 8 << 20


def kind_for(config: RunnerConfig, tasks: int, input_bytes: int) -> str:
    """`auto`: processes when there is enough work for several of them, else threads."""
    if config.kind != "auto":
        return config.kind
    workers = config.workers or cores()
    return "processes" if workers > 1 and tasks > 1 and input_bytes >= PROCESSES_FROM_BYTES else "threads"


def task_runner(config: RunnerConfig, tasks: int, input_bytes: int) -> TaskRunner:
    kind = kind_for(config, tasks, input_bytes)
    workers = config.workers or cores()
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=workers)
    if kind == "processes":
        return ProcessPoolTaskRunner(max_workers=min(workers, max(tasks, 1)))
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise ConfigError(
            "runner.kind dask needs prefect-dask and distributed: pip install 'sft-pipeline[dask]'"
        ) from None
    if config.address:
        return DaskTaskRunner(address=config.address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": None},
    )
