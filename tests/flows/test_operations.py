"""Operations against a real Prefect server: a schedule that runs, a worker that runs, names, tags, logs.

The server is started with the project's own code (flows/serve.py) on a free loopback port with its
state in a temporary folder, and `sft serve`, `sft deploy` and `prefect worker` run as the user would
run them: separate processes, found through the Prefect client afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from flows.serve import LocalServer, free_port, healthy, local_server, port_in_use

PROJECT = Path(__file__).resolve().parents[2]
SCHEDULE_WAIT = 240  # seconds: a one-minute cron, the scheduler's first pass and a small build


def child_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(home), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


@contextmanager
def process(
    command: list[str], env: dict, cwd: Path, log: Path, stop: int = signal.SIGINT
) -> Iterator[subprocess.Popen]:
    """A background command, stopped with `stop` (default: as Ctrl-C) and waited for when the block ends."""
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(stop)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def client_of(server: LocalServer):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: server.api_url}), get_client(sync_client=True) as client:
        yield client


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(3)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"no {what} within {timeout:.0f} s\n{tail}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    home = tmp_path_factory.mktemp("prefect-server")
    with local_server(free_port(), home=home) as started:
        yield started
    assert not port_in_use(started.port), "the server still listens after the block"


def sft(*args: str) -> list[str]:
    return [sys.executable, "-m", "flows.cli", *args]


def runs_named(client, prefix: str) -> list:
    return [run for run in client.read_flow_runs() if run.name.startswith(prefix)]


def test_a_served_schedule_builds_a_release(collection: Path, tmp_path: Path) -> None:
    """`sft serve` as a user types it, with no PREFECT_API_URL: it starts its own server and runs the cron."""
    log = tmp_path / "serve.log"
    home = tmp_path / "home"
    server = LocalServer(free_port(), None, None)
    command = sft("serve", str(collection), "--cron", "* * * * *", "--port", str(server.port))
    with process(command, child_env(home), tmp_path, log, stop=signal.SIGTERM) as serving:
        wait_for(lambda: "serving nightly/toy" in log.read_text(errors="replace"), 180, "serve start", serving, log)
        assert healthy(server.api_url) and (home / f"server-{server.port}.log").is_file()
        with client_of(server) as client:
            inspect_scheduled_run(client, serving, log, tmp_path)
    # SIGTERM (what a service manager sends) stops the runs' poller, pauses the schedule, stops the server.
    assert serving.returncode is not None
    wait_for(lambda: not port_in_use(server.port), 30, "server stop")
    assert f"serving nightly/toy (build) on '* * * * *' (Asia/Shanghai) with Prefect server at {server.ui_url}" in (
        log.read_text()
    )
    with local_server(free_port(), home=home) as again, client_of(again) as client:  # state kept in PREFECT_HOME
        assert client.read_deployment_by_name("nightly/toy").paused  # no runs pile up while nobody serves
        assert runs_named(client, "build-toy-")


def inspect_scheduled_run(client, serving: subprocess.Popen, log: Path, tmp_path: Path) -> None:
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
    )

    def built():
        done = [r for r in runs_named(client, "build-toy-") if r.state and r.state.is_final()]
        nightly = [r for r in runs_named(client, "nightly-toy-") if r.state and r.state.is_final()]
        return (done[0], nightly[0]) if done and nightly else None

    build, nightly = wait_for(built, SCHEDULE_WAIT, "scheduled build", serving, log)
    assert build.state.is_completed(), build.state
    assert nightly.state.is_completed(), nightly.state
    assert (tmp_path / "releases" / "toy" / "v1" / "manifest.json").is_file()

    # The run came from the schedule, not from a manual trigger: on the minute, by the scheduler.
    deployment = client.read_deployment_by_name("nightly/toy")
    assert nightly.deployment_id == deployment.id and nightly.auto_scheduled
    assert nightly.expected_start_time.second == 0
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == "* * * * *" and schedule.schedule.timezone == "Asia/Shanghai"

    # Names and tags a data engineer filters by.
    assert re.fullmatch(r"build-toy-\d{8}-\d{6}", build.name) and re.fullmatch(r"nightly-toy-\d{8}-\d{6}", nightly.name)
    assert {"sft", "toy"} <= set(build.tags) and {"sft", "toy"} <= set(nightly.tags)
    assert build.parent_task_run_id is not None and build.end_time <= nightly.end_time
    tasks = {t.name for t in client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[build.id])))}
    # One task per shard, or per group of small shards (collect-clean-0000-alpaca+4): named by the first.
    assert any(re.fullmatch(r"collect-clean-0000-alpaca(\+\d+)?", t) for t in tasks), tasks
    assert any(re.fullmatch(r"dedup-render-0000-alpaca-p000(\+\d+)?", t) for t in tasks), tasks
    assert "release-toy" in tasks, tasks

    # The pipeline's own INFO lines are in the run's logs, beside Prefect's. Prefect sends logs in
    # batches (every 2 s), so the last lines can reach the API after the run is final.
    def logs_with_progress():
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[build.id])))
        return logs if any(re.match(r"collect-clean: \d+ tasks, 20 records in", e.message) for e in logs) else None

    logs = wait_for(logs_with_progress, 30, "the build's progress line in its logs", serving, log)
    pipeline = [entry for entry in logs if entry.name.startswith("pipeline.") and entry.level == 20]
    assert any(re.match(r"normalize 0000-alpaca: \d+ in, \d+ kept", e.message) for e in pipeline), pipeline

    # The deployment's form: the build options as fields, with their descriptions.
    schema = deployment.parameter_openapi_schema
    assert {"config_path", "options", "pull_annotations", "training_runs"} <= set(schema["properties"])
    options = schema["definitions"]["BuildOptions"]["properties"]
    assert {"force", "overrides", "runner", "workers"} <= set(options)
    assert options["force"]["description"] == "build even when an identical release is published"

    [artifact] = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["release-toy"])))
    assert "# toy@v1" in artifact.data and "| collect |" in artifact.data


def test_a_deployment_on_a_process_pool_runs_on_a_worker(server: LocalServer, collection: Path, tmp_path: Path) -> None:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentTaskRunId

    env = child_env(tmp_path / "client-home", server.api_url)
    config = collection.with_name("worker.yaml")
    config.write_text(collection.read_text(encoding="utf-8").replace("dataset: toy", "dataset: toy-worker"), "utf-8")
    deployed = subprocess.run(sft("deploy", config.name, "--pool", "sft-test", "--timezone", "UTC", "--set",
                                  "release.keep=1"), env=env, cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert (
        "deployed nightly/toy-worker" in deployed.stdout and "prefect worker start --pool sft-test" in deployed.stdout
    )
    with client_of(server) as client:
        assert client.read_work_pool("sft-test").type == "process"
        deployment = client.read_deployment_by_name("nightly/toy-worker")
        assert deployment.work_pool_name == "sft-test" and deployment.job_variables["working_dir"] == str(tmp_path)
        assert deployment.parameters["options"]["overrides"] == ["release.keep=1"]
        assert deployment.schedules[0].schedule.timezone == "UTC"
        assert deployment.schedules[0].schedule.cron == "0 2 * * *"
        run = client.create_flow_run_from_deployment(deployment.id)

    log = tmp_path / "worker.log"
    worker = [sys.executable, "-m", "prefect", "worker", "start", "--pool", "sft-test", "--limit", "1"]
    with process(worker, env, tmp_path, log) as working, client_of(server) as client:
        final = wait_for(lambda: (r := client.read_flow_run(run.id)).state.is_final() and r, 180, "worker run",
                         working, log)  # fmt: skip
        assert final.state.is_completed(), (final.state, log.read_text()[-3000:])
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_task_run_id=FlowRunFilterParentTaskRunId(is_null_=False))
        )
        assert any(c.name.startswith("build-toy-worker-") for c in children)
    assert (tmp_path / "releases" / "toy-worker" / "v1" / "manifest.json").is_file()


def test_a_kept_server_is_used_by_later_builds_until_it_is_stopped(collection: Path, tmp_path: Path) -> None:
    """`sft prefect up`, `sft run` and `sft prefect down` as a user types them, one PREFECT_HOME."""
    home, port = tmp_path / "home", free_port()
    env = child_env(home)
    up = subprocess.run(sft("prefect", "up", "--port", str(port)), env=env, cwd=tmp_path, capture_output=True,
                        text=True, timeout=180)  # fmt: skip
    assert up.returncode == 0, up.stdout + up.stderr
    server = LocalServer(port, None, None)
    try:
        assert healthy(server.api_url)
        status = subprocess.run(sft("prefect", "status"), env=env, cwd=tmp_path, capture_output=True, text=True)
        assert f"up at {server.ui_url}: builds use it" in status.stdout
        built = subprocess.run(sft("run", str(collection)), env=env, cwd=tmp_path, capture_output=True, text=True,
                               timeout=300)  # fmt: skip
        assert built.returncode == 0, built.stdout + built.stderr
        assert f"View at {server.ui_url}/runs/flow-run/" in built.stdout + built.stderr
        assert "Starting temporary server" not in built.stdout + built.stderr
        with client_of(server) as client:
            assert [r.state.name for r in runs_named(client, "build-toy-")] == ["Completed"]
    finally:
        down = subprocess.run(sft("prefect", "down"), env=env, cwd=tmp_path, capture_output=True, text=True)
    assert down.stdout.strip() == "stopped"
    wait_for(lambda: not port_in_use(port), 30, "kept server stop")
    status = subprocess.run(sft("prefect", "status"), env=env, cwd=tmp_path, capture_output=True, text=True)
    assert status.returncode == 1 and "each build starts an ephemeral Prefect API" in status.stdout


def test_a_busy_port_is_a_message(collection: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run(sft("serve", str(collection), "--port", str(port)), env=child_env(tmp_path / "home"),
                                cwd=tmp_path, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "Traceback" not in result.stderr


def test_the_nightly_flow_pulls_before_it_builds(collection: Path, tmp_path: Path) -> None:
    """With annotation on, the pull runs first; a failed pull still leaves a build, and a Failed night."""
    from prefect.client.orchestration import get_client

    from flows.nightly import nightly_flow

    text = collection.read_text(encoding="utf-8").replace("dataset: toy", "dataset: toy-night")
    text += (f"annotate: {{enabled: true, url: 'http://127.0.0.1:9', token_env: SFT_TEST_NO_SUCH_TOKEN, "
             f"token_file: {tmp_path / 'no-token'}, release_pending: true, "
             f"store: {tmp_path / 'annotations'}}}\n")  # fmt: skip
    config = tmp_path / "night.yaml"
    config.write_text(text, encoding="utf-8")
    state = nightly_flow(str(config), return_state=True)
    assert (
        state.is_failed() and "annotation pull failed: " in state.message and "no Label Studio token" in state.message
    )
    assert "toy-night@v1 was built without it" in state.message
    assert (tmp_path / "releases" / "toy-night" / "v1").is_dir()
    with get_client(sync_client=True) as client:
        subflows = [r for r in client.read_flow_runs() if r.parent_task_run_id is not None]
        pull = [r for r in subflows if client.read_flow(r.flow_id).name == "annotate-pull"]
        build = [r for r in subflows if r.name.startswith("build-toy-night-")]
        assert pull and build
        assert pull[-1].state.is_failed() and pull[-1].end_time <= build[-1].start_time


def test_deployments_follow_the_config(collection: Path, tmp_path: Path) -> None:
    from flows.serve import deployments

    [build_only] = deployments(collection)
    assert build_only.name == "toy" and build_only.flow_name == "nightly"
    assert build_only.entrypoint == "flows.nightly.nightly_flow"
    assert build_only.schedules[0].schedule.cron == "0 2 * * *"
    assert build_only.schedules[0].schedule.timezone == "Asia/Shanghai"
    assert "toy: build from" in build_only.description and "pull" not in build_only.description

    annotated = tmp_path / "annotated.yaml"
    annotated.write_text(collection.read_text(encoding="utf-8") + "annotate: {enabled: true}\n", encoding="utf-8")
    [nightly] = deployments(
        annotated, "30 3 * * *", "Europe/Berlin", ["runner.workers=2"]
    )  # one, not a pull and a build
    assert "pull annotations, then build" in nightly.description
    assert nightly.parameters["options"] == {"overrides": ["runner.workers=2"]}
    with pytest.raises(ValueError, match="unknown timezone 'Asia/Shanghia'"):
        deployments(collection, timezone="Asia/Shanghia")
    with pytest.raises(ValueError, match="not a cron schedule"):
        deployments(collection, cron="every night")


def test_prefect_yaml_describes_a_runnable_deployment() -> None:
    """The committed prefect.yaml: its entrypoint, parameters and schedule are what the flow accepts."""
    from prefect.flows import load_flow_from_entrypoint

    from schemas import BuildOptions

    spec = yaml.safe_load((PROJECT / "prefect.yaml").read_text(encoding="utf-8"))
    [deployment] = spec["deployments"]
    assert "pull" not in spec  # prefect deploy records the folder it runs in as the working directory
    flow = load_flow_from_entrypoint(str(PROJECT / deployment["entrypoint"]))
    assert flow.name == "nightly"
    parameters = deployment["parameters"]
    assert (PROJECT / parameters["config_path"]).is_file()
    BuildOptions.model_validate(parameters["options"])
    assert set(parameters) <= set(flow.parameters.properties)
    assert deployment["schedules"][0]["timezone"] == "Asia/Shanghai"
    assert deployment["work_pool"]["name"] == "sft"


def test_a_training_run_leaves_its_metrics_and_loss_curve(tmp_path: Path) -> None:
    """The artifacts of flows/train.py, read back through the client (here from a written run folder)."""
    import json

    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.train import training_artifacts
    from pipeline.train.trainer import plot_losses

    run = tmp_path / "toy-v1-lora-20260101-000000"
    run.mkdir()
    history = [{"step": s, "loss": 3.0 - s / 20} for s in range(1, 41)] + [{"step": 20, "eval_loss": 2.5},
                                                                            {"step": 40, "eval_loss": 2.2}]  # fmt: skip
    (run / "log_history.json").write_text(json.dumps(history), encoding="utf-8")
    plot_losses(history, run / "loss.png")
    metrics = {"method": "lora", "release": {"release": "toy@v1", "fingerprint": "ab" * 32}, "steps": 40,
               "trainable_parameters": 5120, "train_loss": 2.05, "last_eval_loss": 2.2, "resumed_from": None,
               "this_session": {"steps": 40}}  # fmt: skip

    @flow
    def leave() -> None:
        training_artifacts(run, metrics)

    leave()
    with get_client(sync_client=True) as client:
        keys = ["train-toy-v1-lora-20260101-000000-metrics", "train-toy-v1-lora-20260101-000000-loss"]
        found = {
            a.key: a for a in client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))
        }
    table = found[keys[0]].data
    table = json.loads(table) if isinstance(table, str) else table
    rows = {row["metric"]: row["value"] for row in table}
    assert rows["release"] == "toy@v1 (abababababab)" and rows["trainable_parameters"] == "5,120"
    assert rows["last_eval_loss"] == "2.2" and rows["resumed_from"] == "none" and rows["this session: steps"] == "40"
    curve = found[keys[1]].data
    assert "![loss curve](data:image/png;base64," in curve and "2.9500 -> 1.0000" in curve
    assert "| 20 | 2.0000 | 2.5000 |" in curve and "| 40 | 1.0000 | 2.2000 |" in curve  # every evaluation is a row
    assert curve.count("\n| ") <= 2 + 20 + 2  # header, at most 20 spaced points plus the evaluations
