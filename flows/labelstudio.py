"""A local Label Studio server for development and tests: `sft labelstudio up | down | status`.

Label Studio cannot share a virtual environment with Prefect (it pins python-json-logger, and
pip then quietly installs an old Prefect), so it gets its own under `.labelstudio/venv`. The
first `up` installs it (about 150 s), creates the admin user and a legacy API token with no
human involved, starts the server on 127.0.0.1 only, and waits until it answers `/health`
(45-90 s on an empty data folder, a few seconds afterwards). The token and the admin's
password (to log in to the web page as admin@sft.local) are kept in files readable by their
owner only, and never printed.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flows.processes import stop_group

LABEL_STUDIO_VERSION = "1.23.2"
DEFAULT_PORT = 8089
HOME = Path(".labelstudio")


@dataclass(frozen=True)
class Server:
    """`venv` holds the installation (shared, slow to make); `home` the state of one server:
    its data folder, token, pid and log (tests give each session its own)."""

    home: Path
    port: int
    venv: Path = HOME.resolve() / "venv"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token_file(self) -> Path:
        return self.home / "token"

    @property
    def password_file(self) -> Path:
        return self.home / "admin-password"

    @property
    def pid_file(self) -> Path:
        return self.home / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"


def server(home: Path = HOME, port: int | None = None, venv: Path | None = None) -> Server:
    port_file = home / "port"
    if port is None:
        port = int(port_file.read_text()) if port_file.exists() else DEFAULT_PORT
    return Server(home.resolve(), port, (venv or HOME / "venv").resolve())


def healthy(srv: Server, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{srv.url}/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def install(srv: Server) -> None:
    """Create the server's own virtual environment and install Label Studio into it."""
    label_studio = srv.venv / "bin" / "label-studio"
    if label_studio.exists():
        return
    srv.venv.parent.mkdir(parents=True, exist_ok=True)
    srv.home.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(srv.venv)], check=True)
    pip = [str(srv.venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    with (srv.home / "install.log").open("ab") as log:
        for packages in (["--upgrade", "pip"], [f"label-studio=={LABEL_STUDIO_VERSION}"]):
            done = subprocess.run([*pip, *packages], stdout=log, stderr=subprocess.STDOUT, check=False)
            if done.returncode:
                raise RuntimeError(f"installing Label Studio failed; see {srv.home / 'install.log'}")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


ADMIN = "admin@sft.local"


def _secret(path: Path, make: Callable[[], str]) -> str:
    """A secret kept in a file only its owner can read, made on first use."""
    if path.exists():
        return path.read_text().strip()
    value = make()
    path.write_text(value)
    path.chmod(0o600)
    return value


def _environment(srv: Server, token: str, password: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("USERNAME", "PASSWORD", "PORT", "HOST")}
    env.update(
        {
            "LABEL_STUDIO_USERNAME": ADMIN,
            "LABEL_STUDIO_PASSWORD": password,
            "LABEL_STUDIO_USER_TOKEN": token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
            "LATEST_VERSION_CHECK": "false",
            "COLLECT_ANALYTICS": "false",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "SSRF_PROTECTION_ENABLED": "false",
        }
    )
    return env


def up(srv: Server, wait_seconds: float = 240) -> Server:
    """Install if needed, start on 127.0.0.1 and wait until healthy; a running server is reused."""
    if healthy(srv) and srv.token_file.exists():
        return srv
    if not _port_free(srv.port):
        raise RuntimeError(f"port {srv.port} on 127.0.0.1 is taken by another program; pass --port")
    install(srv)
    srv.home.mkdir(parents=True, exist_ok=True)
    token = _secret(srv.token_file, lambda: secrets.token_hex(20))
    password = _secret(srv.password_file, lambda: secrets.token_urlsafe(16))
    (srv.home / "port").write_text(str(srv.port))
    command = [str(srv.venv / "bin" / "label-studio"), "start", "--no-browser", "--internal-host", "127.0.0.1",
               "--port", str(srv.port), "--data-dir", str(srv.home / "data")]  # fmt: skip
    with srv.log_file.open("ab") as log:
        process = subprocess.Popen(
            command,
            env=_environment(srv, token, password),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    srv.pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Label Studio exited with {process.returncode}; see {srv.log_file}")
        if healthy(srv):
            return srv
        time.sleep(2)
    down(srv)
    raise RuntimeError(f"Label Studio did not become healthy in {wait_seconds:.0f} s; see {srv.log_file}")


def down(srv: Server) -> bool:
    """Stop the server this project started; True when one was running."""
    if not srv.pid_file.exists():
        return False
    pid = int(srv.pid_file.read_text())
    srv.pid_file.unlink()
    return stop_group(pid, grace=15)
