"""Prefect flows and the `sft` command: the only layer that knows about Prefect and file paths.

Prefect reads its settings when first imported, so the offline defaults are set here, before
any flow module imports it: no telemetry, a local home inside the workspace, and enough time
for the ephemeral API server to start on a small machine. A user's own settings win.

The pipeline logs through the standard `logging` module (`pipeline.*` loggers); naming them in
PREFECT_LOGGING_EXTRA_LOGGERS sends those records to the run's logs in the Prefect UI. Against a
server (PREFECT_API_URL set) runs log at INFO; on the ephemeral API, where the logs go nowhere
but the terminal, only warnings print and the command shows its own progress.

A server that `sft prefect up` keeps on the same PREFECT_HOME is used when PREFECT_API_URL is
unset: a build then skips the ephemeral API's start (about 3.4 of a 200-record build's 6.4 CPU seconds).

The ephemeral API server runs in a subprocess that is stopped when a command ends; it then
logs the cancellation of its last run-history flush as an ERROR with a long traceback
(PrefectHQ/prefect#9148, #15033) although every result is already written. Its log level is
therefore CRITICAL by default; failures of flows and tasks are reported by the client side,
which keeps PREFECT_LOGGING_LEVEL.
"""

import json
import logging
import os
from pathlib import Path

# What the user set, before the defaults below fill it in (the CLI keeps a user's own level).
USER_LOG_LEVEL = os.environ.get("PREFECT_LOGGING_LEVEL")

# Where `sft prefect up` (flows.serve.keep_server) writes the pid and port of the server it keeps.
KEPT_SERVER = "sft-server.json"


def kept_server_port(home: Path) -> int | None:
    """The port of the server `sft prefect up` keeps on this Prefect home, if its process lives."""
    try:
        kept = json.loads((home / KEPT_SERVER).read_text(encoding="utf-8"))
        os.kill(kept["pid"], 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return int(kept["port"])


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    """Whether a Prefect API answers its health check."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):  # URLError is an OSError
        return False


def _kept_api(home: Path) -> str | None:
    port = kept_server_port(home)
    url = f"http://127.0.0.1:{port}/api"
    return url if port is not None and healthy(url) else None


_HOME = Path(os.environ.get("PREFECT_HOME") or Path.cwd() / ".prefect")
if "PREFECT_API_URL" not in os.environ and (_api := _kept_api(_HOME)):
    os.environ["PREFECT_API_URL"] = _api

_OFFLINE_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_HOME": str(_HOME),
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_LOGGING_LEVEL": "INFO" if os.environ.get("PREFECT_API_URL") else "WARNING",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "pipeline",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
}
for _name, _value in _OFFLINE_DEFAULTS.items():
    os.environ.setdefault(_name, _value)

# Prefect gives the extra loggers its handler but not its level: without this the pipeline's INFO
# lines are dropped in every process (worker processes of the processes and Dask runners too).
logging.getLogger("pipeline").setLevel(os.environ["PREFECT_LOGGING_LEVEL"].upper())
