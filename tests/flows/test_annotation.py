"""The annotation round trip against a real Label Studio server started by the project's command.

The server is installed in its own virtual environment (.labelstudio/venv, kept between runs)
and started once per test session on a free loopback port with an empty data folder; the
first start takes 45-90 s. Set SFT_SKIP_LABEL_STUDIO=1 to skip these tests on purpose.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows import labelstudio
from flows.annotate import annotate_pull_flow, annotate_push_flow, project_title
from flows.build import build_dataset_flow
from flows.cli import app
from pipeline.annotate.client import AnnotationServiceError, connect
from pipeline.config import load_run_config

ROOT = Path(__file__).resolve().parents[2]

QA = [
    ("中国的首都是哪里？", "中国的首都是北京。"),
    ("水的化学式是什么？", "水的化学式是 H2O。"),
    ("光速大约是多少？", "光速大约是每秒三百万公里。"),
    ("一年有几个季节？", "一年有春夏秋冬四个季节。"),
    ("熊猫主要吃什么？", "熊猫主要吃竹子。"),
    ("长城有多长？", "明长城全长约八千八百五十公里。"),
    ("太阳从哪边升起？", "太阳从东边升起。"),
]


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[labelstudio.Server]:
    if os.environ.get("SFT_SKIP_LABEL_STUDIO") == "1":
        pytest.skip("SFT_SKIP_LABEL_STUDIO=1: Label Studio tests skipped on request")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    srv = labelstudio.up(
        labelstudio.server(tmp_path_factory.mktemp("label-studio"), port, ROOT / ".labelstudio" / "venv")
    )
    yield srv
    labelstudio.down(srv)


@pytest.fixture
def review_config(tmp_path: Path, tiny_tokenizer: Path, label_studio: labelstudio.Server) -> Path:
    source = tmp_path / "qa.jsonl"
    source.write_text(
        "".join(json.dumps({"instruction": q, "output": a}, ensure_ascii=False) + "\n" for q, a in QA), encoding="utf-8"
    )
    config = tmp_path / "run.yaml"
    config.write_text(
        f"""dataset: reviewed
output_dir: {tmp_path / "releases"}
work_dir: {tmp_path / "work"}
tokenizer: {tiny_tokenizer}
sources: [{{path: {source}}}]
annotate:
  enabled: true
  url: {label_studio.url}
  token_env: SFT_TEST_NO_SUCH_VARIABLE
  token_file: {label_studio.token_file}
  project: review {tmp_path.name}
  categories: [常识, 科学]
  store: {tmp_path / "annotations"}
split: {{train: 1.0, validation: 0.0, test: 0.0}}
""",
        encoding="utf-8",
    )
    return config


def result(verdict: str, response: str | None = None, reason: str | None = None, category: str | None = None) -> list:
    items = [{"from_name": "verdict", "to_name": "draft", "type": "choices", "value": {"choices": [verdict]}}]
    if response is not None:
        items.append({"from_name": "response", "to_name": "draft", "type": "textarea", "value": {"text": [response]}})
    if reason:
        items.append(
            {"from_name": "reject_reason", "to_name": "draft", "type": "choices", "value": {"choices": [reason]}}
        )
    if category:
        items.append({"from_name": "category", "to_name": "draft", "type": "choices", "value": {"choices": [category]}})
    return items


def test_push_annotate_pull_build(review_config: Path, label_studio: labelstudio.Server) -> None:
    first = annotate_push_flow(str(review_config))
    again = annotate_push_flow(str(review_config))
    assert (first["sent"], again["sent"], again["already_present"]) == (7, 0, 7)

    config = load_run_config(review_config)
    client = connect(label_studio.url, label_studio.token_file.read_text().strip())
    project = client.project_id(project_title(config), "")
    tasks = client.task_keys(project)
    assert len(tasks) == 7  # tasks = unique records, after two pushes
    by_question = {}
    for task_id in tasks.values():
        data = client.sdk.tasks.get(id=task_id).data
        by_question[data["instruction"]] = task_id
    sdk = client.sdk
    second = sdk.users.create(email=f"second-{project}@sft.local", username=f"second{project}", first_name="二")
    annotate = sdk.annotations.create
    annotate(id=by_question[QA[0][0]], result=result("accept", QA[0][1]))
    annotate(id=by_question[QA[1][0]], result=result("accept", "水的化学式是 H₂O，由氢和氧组成。", category="科学"))
    annotate(id=by_question[QA[2][0]], result=result("拒绝 Reject", reason="factual_error"))
    annotate(id=by_question[QA[3][0]], result=result("accept"))
    annotate(id=by_question[QA[3][0]], result=result("reject", reason="unhelpful"), completed_by=second.id)
    annotate(id=by_question[QA[4][0]], result=result("needs-fix"))
    annotate(id=by_question[QA[5][0]], result=result("accept", "明长城全长约8850公里&amp;\u200b。"))

    pulled = annotate_pull_flow(str(review_config))
    assert pulled["new_annotations"] == 7 and pulled["tasks"] == 7
    assert pulled["agreement"]["tasks_with_several_annotators"] == 1
    assert pulled["agreement"]["percent_agreement"] == 0.0
    assert annotate_pull_flow(str(review_config))["new_annotations"] == 0  # append-only, nothing twice

    release = build_dataset_flow(str(review_config))
    records = {
        json.loads(line)["messages"][0]["content"]: json.loads(line)
        for line in (release.release / "train.jsonl").read_text(encoding="utf-8").splitlines()
    }
    ledger = {
        (r["reason"], r["detail"])
        for r in map(json.loads, (release.release / "rejections.jsonl").read_text().splitlines())
    }
    assert set(records) == {QA[0][0], QA[1][0], QA[5][0]}
    assert records[QA[0][0]]["meta"]["lineage"][-1]["action"] == "accepted"
    edited = records[QA[1][0]]
    assert edited["messages"][1]["content"] == "水的化学式是 H₂O，由氢和氧组成。"
    assert edited["meta"]["category"] == "科学"
    assert any(s["stage"] == "annotate" and s["action"] == "edited" and "admin@sft.local" in s["detail"]
               for s in edited["meta"]["lineage"])  # fmt: skip
    assert records[QA[5][0]]["messages"][1]["content"] == "明长城全长约8850公里&。"  # untrusted edit, normalized
    reasons = {reason for reason, _ in ledger}
    assert {"annotator_rejected", "needs_fix", "awaiting_annotation"} <= reasons
    assert any(r == "annotator_rejected" and d.startswith("factual_error") for r, d in ledger)
    assert any(r == "awaiting_annotation" and "disagree" in d for r, d in ledger)
    assert sum(1 for r, _ in ledger if r == "awaiting_annotation") == 2  # the disagreement and the untouched task

    shown = CliRunner().invoke(app, ["release", "show", "reviewed", "-r", edited["id"],
                                     "--output-dir", str(release.release.parent.parent)])  # fmt: skip
    assert "annotation: edited by admin@sft.local" in shown.output


def test_faults_are_clear_and_lose_nothing(review_config: Path, label_studio: labelstudio.Server) -> None:
    token = label_studio.token_file.read_text().strip()
    with pytest.raises(AnnotationServiceError) as wrong:
        connect(label_studio.url, "0" * 40)
    assert label_studio.url in str(wrong.value) and "token was refused" in str(wrong.value)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with pytest.raises(AnnotationServiceError) as unreachable:
        connect(f"http://127.0.0.1:{closed}", token, timeout=2.0)
    assert "cannot reach the server" in str(unreachable.value) and token not in str(unreachable.value)

    from label_studio_sdk.core.api_error import ApiError

    from pipeline.annotate.interface import labeling_config, task_for
    from schemas import Message, RecordMeta, SftRecord, SourcePointer

    client = connect(label_studio.url, token)
    client.backoff_seconds = 0.01
    project = client.project_id("fault injection", labeling_config([]))
    real_import = client.sdk.projects.import_tasks
    calls = []

    def commit_then_fail(**kwargs):  # the server commits, then the reply is lost as a 502
        calls.append(len(kwargs["request"]))
        real_import(**kwargs)
        if len(calls) == 1:
            raise ApiError(status_code=502, headers={}, body="bad gateway")

    client.sdk.projects.import_tasks = commit_then_fail

    def record(i: int) -> SftRecord:
        messages = (Message(role="user", content=f"问{i}"), Message(role="assistant", content="答"))
        return SftRecord(id=f"fault{i}", messages=messages, meta=RecordMeta(source=SourcePointer(file="f"), group="g"))

    records = [record(i) for i in range(5)]
    outcome = client.push(project, [task_for(r) for r in records], batch_size=5)
    assert calls == [5] and outcome["sent"] == 0  # retried by reading back keys: nothing sent twice
    assert len(client.task_keys(project)) == 5


def test_a_crash_before_the_checkpoint_does_not_duplicate_tasks(label_studio: labelstudio.Server) -> None:
    from pipeline.annotate.interface import labeling_config, task_for
    from schemas import Message, RecordMeta, SftRecord, SourcePointer

    client = connect(label_studio.url, label_studio.token_file.read_text().strip())
    project = client.project_id("crash before checkpoint", labeling_config([]))

    def record(i: int) -> dict:
        messages = (Message(role="user", content=f"崩溃测试{i}"), Message(role="assistant", content="答"))
        return task_for(
            SftRecord(id=f"crash{i}", messages=messages, meta=RecordMeta(source=SourcePointer(file="c"), group="g"))
        )

    def crash(keys: set[str]) -> None:
        raise RuntimeError("killed after the import, before the checkpoint was written")

    with pytest.raises(RuntimeError, match="killed"):
        client.push(project, [record(i) for i in range(4)], batch_size=2, checkpoint=set(), on_batch=crash)
    saved: set[str] = set()
    outcome = client.push(project, [record(i) for i in range(4)], batch_size=2, checkpoint=set(), on_batch=saved.update)
    assert outcome == {"sent": 2, "already_present": 2}
    assert len(client.task_keys(project)) == 4 and saved == {f"crash{i}" for i in range(4)}


def test_token_from_a_prefect_secret_block_or_the_environment(review_config: Path, monkeypatch) -> None:
    from prefect.blocks.system import Secret

    from flows.annotate import token_for

    config = load_run_config(review_config)
    Secret(value="secret-token-value").save("sft-test-label-studio", overwrite=True)
    with_secret = config.model_copy(
        update={"annotate": config.annotate.model_copy(update={"token_secret": "sft-test-label-studio"})}
    )
    assert token_for(with_secret) == "secret-token-value"
    monkeypatch.setenv("SFT_TEST_NO_SUCH_VARIABLE", "from-the-environment")
    assert token_for(config) == "from-the-environment"
