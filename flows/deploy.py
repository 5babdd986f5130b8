"""`sft deploy`: the nightly deployment of a run config on a Prefect server's process work pool.

The other way to schedule (beside `sft serve`, which runs the schedule in its own process): the
deployment lives on a server (`prefect server start`), a worker (`prefect worker start --pool
sft`) polls the pool and runs each flow run in a subprocess. The flow is found by its module path
(`flows.nightly:nightly_flow`), so the worker needs this project installed, and each run starts in
the folder `sft deploy` ran in (the pool's `working_dir` job variable), where the config's
relative paths hold. prefect.yaml at the project root describes the same deployment for
`prefect deploy`.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

POOL_TYPE = "process"


def ensure_pool(name: str) -> bool:
    """Create the process work pool `name` unless it exists; True when it was created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            pool = client.read_work_pool(name)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type=POOL_TYPE))
            return True
    if pool.type != POOL_TYPE:
        raise ValueError(f"work pool {name!r} is of type {pool.type!r}; sft deploys to a {POOL_TYPE!r} pool")
    return False


def deploy(
    config_path: str | Path,
    pool: str,
    cron: str,
    timezone: str,
    overrides: list[str] = (),
    working_dir: Path | None = None,
) -> UUID:
    """Register (or update) the nightly deployment of a run config on `pool`; its id."""
    from flows.serve import deployments

    (deployment,) = deployments(config_path, cron, timezone, overrides)
    deployment.job_variables = {"working_dir": str((working_dir or Path.cwd()).resolve())}
    ensure_pool(pool)
    return deployment.apply(work_pool_name=pool)
