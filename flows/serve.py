"""Scheduled builds: the deployments of a run config, and a local Prefect server to run them.

A schedule needs a server-side scheduler to turn it into flow runs, and the ephemeral API that
Prefect starts for a plain `sft run` has none (its scheduler service is off: a served deployment
on it registers an active schedule and never runs). `sft serve` therefore serves against the API
the user names in PREFECT_API_URL, or else starts `prefect server start` on 127.0.0.1 itself
(scheduler and UI included, state in PREFECT_HOME), serves the deployments against it in the same
process, and stops it when it stops. `sft prefect up` starts the same server detached
(`keep_server`), for the builds of an interactive session to use.

One deployment per run config: the `nightly` flow (flows/nightly.py), which pulls annotations and
then builds when the config has annotation on, and only builds when it is off.

Nothing here imports Prefect at module level: the API URL and the log level must be in the
environment before Prefect is first imported, since it reads its settings then.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flows import KEPT_SERVER, healthy, kept_server_port
from flows.processes import stop_group
from pipeline.config import load_run_config

HOST = "127.0.0.1"
DEFAULT_PORT = 4200
DEFAULT_CRON = "0 2 * * *"  # 02:00 every night
DEFAULT_TIMEZONE = "Asia/Shanghai"


class ServerError(RuntimeError):
    """The local Prefect server could not be started."""


@dataclass(frozen=True)
class LocalServer:
    port: int
    process: subprocess.Popen | None
    log: Path | None

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def server_port() -> int:
    """The port a started server listens on: PREFECT_SERVER_API_PORT, else Prefect's own default."""
    value = os.environ.get("PREFECT_SERVER_API_PORT")
    return int(value) if value and value.isdigit() else DEFAULT_PORT


@contextlib.contextmanager
def local_server(port: int | None = None, home: Path | None = None, timeout: float = 120.0) -> Iterator[LocalServer]:
    """`prefect server start` on 127.0.0.1:`port`, healthy when the block starts, stopped when it ends.

    Its database lives in `home` (default PREFECT_HOME), so flow runs stay visible in the UI of a
    later server on the same home. The port is set through PREFECT_SERVER_API_PORT as well as
    `--port`: with the flag alone the UI would call the API on port 4200. The server runs in its own
    process group and gets SIGTERM when this process dies, so a killed `sft serve` leaves no server.
    """
    server = _spawn(port or server_port(), _home(home), with_parent=True)
    try:
        _wait_healthy(server, timeout)
        yield server
    finally:
        stop(server.process)


def keep_server(port: int | None = None, home: Path | None = None, timeout: float = 120.0) -> LocalServer:
    """`sft prefect up`: a local server that outlives this process, written down in its home
    (flows/__init__ `KEPT_SERVER`) so that later commands on the same PREFECT_HOME use it instead
    of starting an ephemeral API each (about 7 CPU seconds a build) and their runs show in its UI."""
    home = _home(home)
    running = kept_server(home)
    if running is not None:
        return running
    server = _spawn(port or server_port(), home, with_parent=False)
    try:
        _wait_healthy(server, timeout)
    except ServerError:
        stop(server.process)
        raise
    (home / KEPT_SERVER).write_text(json.dumps({"pid": server.process.pid, "port": server.port}), encoding="utf-8")
    return server


def kept_server(home: Path | None = None) -> LocalServer | None:
    """The server `keep_server` left on this home, when it still answers."""
    port = kept_server_port(_home(home))
    if port is None:
        return None
    server = LocalServer(port, None, _home(home) / f"server-{port}.log")
    return server if healthy(server.api_url) else None


def stop_kept_server(home: Path | None = None) -> bool:
    """Stop the server `keep_server` started on this home; False when none was running."""
    record = _home(home) / KEPT_SERVER
    if not record.exists():
        return False
    pid = json.loads(record.read_text(encoding="utf-8"))["pid"]
    record.unlink()
    return stop_group(pid)


# What Prefect's own ephemeral server gets (prefect.server.api.server.SubprocessASGIServer): no UI,
# only the services an ephemeral API runs.
EPHEMERAL_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


@contextlib.contextmanager
def ephemeral_api() -> Iterator[Callable[[], None]]:
    """Prefect's ephemeral API for one command, started before the command imports Prefect.

    Prefect starts the same server itself when no API is configured, but only when the flow
    begins, and it imports the whole server in the calling process first (five CPU seconds that
    process never uses). Started here, the server boots in its own process while this one imports
    Prefect and loads the build's resources; the block yields `ready()`, which waits for its health
    check. When an API is configured (PREFECT_API_URL, the server `sft prefect up` keeps, or a
    Prefect profile or prefect.toml naming one) nothing is started, or what was started is
    stopped once Prefect's settings name it. The server dies with this process, and is stopped
    when the block ends.
    """
    if os.environ.get("PREFECT_API_URL") or ("prefect" in sys.modules and _configured_api()):
        yield lambda: None
        return
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
               "--host", HOST, "--port", str(port), "--log-level", "error", "--lifespan", "on"]  # fmt: skip
    process = subprocess.Popen(
        command, env=os.environ | EPHEMERAL_ENV, stdin=subprocess.DEVNULL, start_new_session=True,
        preexec_fn=_die_with_parent,
    )  # fmt: skip
    try:
        if _configured_api():  # imports Prefect (while the server boots): its settings name an API
            yield lambda: None
            return
        server = LocalServer(port, process, None)
        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90"))
        with _ephemeral_settings(server.api_url):
            try:
                yield lambda: _wait_healthy(server, timeout)
            finally:
                _send_queued_logs_and_events()
    finally:
        stop(process, grace=10.0)


def _send_queued_logs_and_events() -> None:
    """What Prefect's own test harness does before it stops its server: the flow run's last log
    lines and events still queued go to the API while it is up. Left to Prefect's exit hooks, they
    went to a stopped server and the command's exit waited on them."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=5)
    EventsWorker.drain_all(timeout=5)


def _configured_api() -> str | None:
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


@contextlib.contextmanager
def _ephemeral_settings(url: str) -> Iterator[None]:
    """PREFECT_API_URL for the block, in the environment (for worker processes) and in the settings
    Prefect built when it was imported; and no flow-run heartbeats. Heartbeats let a server mark a
    flow run crashed when its process dies, but this API dies with the process, and the flow's end
    waits for the heartbeat thread's one-second sleep (half a second of a small build's wall time)."""
    from prefect.context import refresh_global_settings_context
    from prefect.settings import temporary_settings

    os.environ["PREFECT_API_URL"] = url
    refresh_global_settings_context()
    try:
        with temporary_settings(updates={"flows.heartbeat_frequency": None}):
            yield
    finally:
        del os.environ["PREFECT_API_URL"]
        refresh_global_settings_context()


def _home(home: Path | None) -> Path:
    return Path(home or os.environ["PREFECT_HOME"])  # flows/__init__ always sets it


def _spawn(port: int, home: Path, with_parent: bool) -> LocalServer:
    """`prefect server start` in a process group of its own; `with_parent`: it dies with this process."""
    if port_in_use(port):
        raise ServerError(
            f"port {port} on {HOST} is in use: if a Prefect server runs there, point at it with "
            f"PREFECT_API_URL=http://{HOST}:{port}/api; otherwise choose another port with --port"
        )
    home.mkdir(parents=True, exist_ok=True)
    log = home / f"server-{port}.log"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_API_HOST": HOST,
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_API_URL": f"http://{HOST}:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_LOGGING_LEVEL": os.environ.get("SFT_SERVER_LOGGING_LEVEL", "WARNING"),
    }
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port)]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=_die_with_parent if with_parent else None,
        )  # fmt: skip
    return LocalServer(port, process, log)


def _wait_healthy(server: LocalServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            where = f"; see {server.log}" if server.log else ""
            raise ServerError(f"the Prefect server exited with code {server.process.returncode}{where}")
        if healthy(server.api_url):
            return
        time.sleep(0.1)
    raise ServerError(
        f"the Prefect server on port {server.port} was not healthy after {timeout:.0f} s"
        + (f"; see {server.log}" if server.log else "")
    )


def stop(process: subprocess.Popen, grace: float = 20.0) -> None:
    """SIGTERM to the server's process group, SIGKILL after `grace` seconds."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the parent dies (no orphaned server)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def deployment_name(dataset: str) -> str:
    return dataset


def deployments(
    config_path: str | Path, cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE, overrides: list[str] = ()
) -> list:
    """The runner deployments of a run config: one nightly deployment (pull, then build).

    `overrides` (key=value) become the deployment's default build options, shown in its form.
    """
    from prefect.deployments.runner import EntrypointType

    from flows.nightly import nightly_flow

    path = Path(config_path).resolve()
    config = load_run_config(path, overrides)
    steps = "pull annotations, then build" if config.annotate.enabled else "build"
    deployment = nightly_flow.to_deployment(
        name=deployment_name(config.dataset),
        schedules=[schedule(cron, timezone)],
        parameters={"config_path": str(path), "options": {"overrides": list(overrides)}},
        tags=["sft", config.dataset],
        description=f"{config.dataset}: {steps} from {path}, on `{cron}` ({timezone})",
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return [deployment]


def schedule(cron: str, timezone: str):
    """A cron schedule in a timezone; a typo in either is a ValueError that names it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from prefect.schedules import Cron

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {timezone!r}: an IANA name such as Asia/Shanghai or UTC") from None
    try:
        return Cron(cron, timezone=timezone)
    except ValueError:
        raise ValueError(f"not a cron schedule: {cron!r} (five fields: '0 2 * * *' is 02:00 every night)") from None
