"""Where a build's shard work runs, chosen from the run config apart from the logic.

threads: one process (Prefect's thread pool; the GIL makes it one core for this work).
processes: Prefect's thread pool runs the task runs, and each task hands its shard work to a
pool of worker processes (flows/workers.py), one per core by default. The workers never import
Prefect nor talk to its API: Prefect's own process pool spawns each worker from scratch and runs
its task engine there, which cost 3 to 4 CPU seconds a worker before it did any work.
dask: prefect-dask's DaskTaskRunner on a `distributed` cluster, either the scheduler at
`runner.address` or a local cluster of `workers` processes; the task runs themselves run on
the workers, which must see the same paths as the machine that starts the build.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows.workers import worker_pool
from pipeline.config import ConfigError
from schemas import RunConfig, RunnerConfig


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# Below this much input, starting the worker pool (its fork server imports the pipeline and loads
# the segmenter and tokenizer: two to three CPU seconds) costs more than the parallel work saves.
PROCESSES_FROM_BYTES = 8 << 20


def kind_for(config: RunnerConfig, tasks: int, input_bytes: int) -> str:
    """`auto`: processes when there is enough work for several of them, else threads."""
    if config.kind != "auto":
        return config.kind
    workers = config.workers or cores()
    return "processes" if workers > 1 and tasks > 1 and input_bytes >= PROCESSES_FROM_BYTES else "threads"


@contextmanager
def task_runner(run: RunConfig, tasks: int, input_bytes: int) -> Iterator[TaskRunner]:
    """The runner of a build of `tasks` tasks over `input_bytes` of input still to read, entered."""
    config = run.runner
    kind = kind_for(config, tasks, input_bytes)
    workers = config.workers or cores()
    if kind == "dask":
        with _api_for_workers(config), _dask_runner(config, workers) as runner:
            yield runner
        return
    pool = worker_pool(min(workers, max(tasks, 1)), run.model_dump_json()) if kind == "processes" else nullcontext()
    with pool, ThreadPoolTaskRunner(max_workers=workers) as runner:
        yield runner


def _dask_runner(config: RunnerConfig, workers: int) -> TaskRunner:
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


@contextmanager
def _api_for_workers(config: RunnerConfig) -> Iterator[None]:
    """Dask workers run Prefect's task engine and report to the API this build uses.

    Without PREFECT_API_URL the build runs on an ephemeral API server, and a worker process that
    inherits no URL starts an ephemeral server of its own (seconds of CPU each, and its task runs
    land where nobody sees them). So, while the runner lives, local workers get the URL of this
    build's server in their environment. Workers of a remote Dask cluster cannot reach an
    ephemeral server on this machine: a cluster build wants a Prefect server in PREFECT_API_URL.
    """
    if config.address or os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        url = str(client.api_url).rstrip("/")
    os.environ["PREFECT_API_URL"] = url
    try:
        yield
    finally:
        del os.environ["PREFECT_API_URL"]
