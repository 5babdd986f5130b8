"""`sft run`'s own start of Prefect's ephemeral API (flows/serve.py `ephemeral_api`), in fresh
processes, as a command runs it: Prefect not imported yet, no API configured, or one configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

SCRIPT = """
import os
import flows
from flows import healthy
from flows.serve import ephemeral_api

with ephemeral_api() as ready:
    ready()
    from prefect.settings import get_current_settings
    url, settings = os.environ.get("PREFECT_API_URL"), get_current_settings()
    print("inside", url, settings.api.url, bool(url) and healthy(url), settings.flows.heartbeat_frequency)
print("after", os.environ.get("PREFECT_API_URL"), bool(url) and healthy(url, timeout=0.5))
"""


def run_script(home: Path) -> list[list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {"PREFECT_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=PROJECT, capture_output=True, text=True,
                          timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return [line.split() for line in done.stdout.splitlines()]


def test_without_an_api_a_server_runs_for_the_block_and_prefect_uses_it(tmp_path: Path) -> None:
    inside, after = run_script(tmp_path / "home")
    assert inside[1].startswith("http://127.0.0.1:") and inside[2] == inside[1] and inside[3] == "True"
    assert inside[4] == "None"  # no heartbeats: nothing outlives this API to read them
    assert after == ["after", "None", "False"]  # the variable is gone and the server stopped


def test_an_api_a_profile_names_is_used_and_nothing_is_started(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "profiles.toml").write_text(
        'active = "team"\n\n[profiles.team]\nPREFECT_API_URL = "http://127.0.0.1:9/api"\n', encoding="utf-8"
    )
    inside, after = run_script(home)
    assert inside[:4] == ["inside", "None", "http://127.0.0.1:9/api", "False"]
    assert inside[4] != "None"  # a server that outlives the build is told the flow run is alive
    assert after == ["after", "None", "False"]
