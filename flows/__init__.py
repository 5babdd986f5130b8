"""Prefect flows and the `sft` command: the only layer that knows about Prefect and file paths.

Prefect reads its settings when first imported, so the offline defaults are set here, before
any flow module imports it: no telemetry, a local home inside the workspace, and enough time
for the ephemeral API server to start on a small machine. A user's own settings win.

The pipeline logs through the standard `logging` module (`pipeline.*` loggers); naming them in
PREFECT_LOGGING_EXTRA_LOGGERS sends those records to the run's logs in the Prefect UI. Against a
server (PREFECT_API_URL set) runs log at INFO; on the ephemeral API, where the logs go nowhere
but the terminal, only warnings print and the command shows its own progress.

The ephemeral API server runs in a subprocess that is stopped when a command ends; it then
logs the cancellation of its last run-history flush as an ERROR with a long traceback
(PrefectHQ/prefect#9148, #15033) although every result is already written. Its log level is
therefore CRITICAL by default; failures of flows and tasks are reported by the client side,
which keeps PREFECT_LOGGING_LEVEL.
"""

import logging
import os
from pathlib import Path

# What the user set, before the defaults below fill it in (the CLI keeps a user's own level).
USER_LOG_LEVEL = os.environ.get("PREFECT_LOGGING_LEVEL")

_OFFLINE_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_HOME": str(Path.cwd() / ".prefect"),
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
