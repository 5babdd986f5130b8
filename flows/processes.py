"""Stopping a server this project started detached (`sft prefect up`, `sft labelstudio up`).

Such a server leads a process group of its own and is no longer this process's child, so there
is no `wait()` to call: the group is signalled and polled until it is gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time


def stop_group(pid: int, grace: float = 20.0) -> bool:
    """SIGTERM to the process group `pid` leads, SIGKILL after `grace` seconds; False when it was
    already gone."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    return True
