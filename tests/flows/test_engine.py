"""The build engine: the same bytes on every runner, incremental builds equal to full ones,
cached work reused only where nothing that decides it changed, and the work folder collected."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.build import build_dataset_flow
from pipeline.clean.pii import id18_valid
from pipeline.release import SPLITS, load_manifest
from schemas import BuildOptions

RELEASED = [f"{s}.jsonl" for s in SPLITS] + ["rejections.jsonl"]


def variant(config: Path, name: str, extra: str) -> Path:
    """The same build into its own output and work folders, with `extra` YAML appended."""
    text = config.read_text(encoding="utf-8")
    root = config.parent / name
    text = text.replace(str(config.parent / "releases"), str(root / "releases"))
    text = text.replace(str(config.parent / "work"), str(root / "work"))
    path = config.parent / f"{name}.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def released_bytes(release: Path) -> dict[str, bytes]:
    return {name: (release / name).read_bytes() for name in RELEASED if (release / name).exists()}


def cache_entries(config: Path, kind: str) -> set[str]:
    folder = config.parent / config.stem / "work" / "toy" / "cache" / kind
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")} if folder.exists() else set()


@pytest.mark.parametrize("runner", ["processes", "dask"])
def test_every_runner_gives_the_same_bytes(collection: Path, runner: str) -> None:
    threads = build_dataset_flow(str(variant(collection, "threads", "runner: {kind: threads}\n")))
    other = build_dataset_flow(str(variant(collection, runner, f"runner: {{kind: {runner}, workers: 2}}\n")))
    assert threads.created and other.created
    assert released_bytes(other.release) == released_bytes(threads.release)
    assert other.manifest.fingerprint == threads.manifest.fingerprint
    assert other.manifest.stages == threads.manifest.stages


BUILD = """
import sys
import flows
from flows.build import build_dataset_flow

if __name__ == "__main__":  # a worker process imports this file again
    build_dataset_flow(sys.argv[1])
"""


def test_worker_processes_log_into_the_task_run(collection: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Pool workers have no Prefect: the pipeline's lines they log come back with each result."""
    config = variant(collection, "logged", "runner: {kind: processes, workers: 2}\n")
    with caplog.at_level(logging.INFO, logger="pipeline"):
        assert build_dataset_flow(str(config)).created
    segment = [r for r in caplog.records if r.name == "pipeline.engine" and r.getMessage().startswith("segment ")]
    assert segment and all(r.process != os.getpid() for r in segment)
    assert any("in, " in r.getMessage() and "kept" in r.getMessage() for r in segment)


def test_dask_workers_use_the_builds_ephemeral_api(collection: Path, tmp_path: Path) -> None:
    """Without PREFECT_API_URL a build starts an ephemeral API server; a Dask worker (which runs
    Prefect's task engine) that inherited no URL started one of its own too (seconds of CPU each)."""
    config = variant(collection, "ephemeral", "runner: {kind: dask, workers: 2}\n")
    script = tmp_path / "build.py"
    script.write_text(BUILD, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_LOGGING_LEVEL": "INFO"}
    done = subprocess.run(
        [sys.executable, str(script), str(config)], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "collect-clean" in done.stderr  # the task ran in a worker and reported
    assert done.stderr.count("Starting temporary server") == 1, done.stderr[-3000:]


def test_an_incremental_build_equals_a_full_one_and_reads_only_what_changed(collection: Path) -> None:
    incremental = variant(collection, "incremental", "runner: {kind: threads}\n")
    build_dataset_flow(str(incremental))
    read_before = cache_entries(incremental, "read")
    added = collection.parent / "raw" / "more.jsonl"
    added.write_text(
        json.dumps({"instruction": "新增的文件里有什么？", "output": "一条新的问答。"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    text = incremental.read_text(encoding="utf-8").replace("sources:\n", f"sources:\n  - path: {added}\n", 1)
    incremental.write_text(text, encoding="utf-8")
    second = build_dataset_flow(str(incremental))
    assert len(cache_entries(incremental, "read") - read_before) == 1  # only the new file was read

    full = build_dataset_flow(str(variant(incremental, "full", "")))
    assert second.created and second.manifest.version == "v2"
    assert released_bytes(second.release) == released_bytes(full.release)
    assert second.manifest.fingerprint == full.manifest.fingerprint


def test_changing_a_filter_re_runs_from_clean_on(collection: Path) -> None:
    config = variant(collection, "tuned", "runner: {kind: threads}\n")
    build_dataset_flow(str(config))
    read, prepared = cache_entries(config, "read"), cache_entries(config, "prepare")
    config.write_text(config.read_text(encoding="utf-8") + "clean: {chars: {min: 3}}\n", encoding="utf-8")
    build_dataset_flow(str(config), BuildOptions(force=True))
    assert cache_entries(config, "read") == read  # collect and normalize were not run again
    assert len(cache_entries(config, "prepare") - prepared) == len(prepared)


def test_old_work_is_collected(collection: Path) -> None:
    config = variant(collection, "kept", "runner: {kind: threads}\nwork: {keep: 1}\n")
    build_dataset_flow(str(config))
    first = cache_entries(config, "prepare")
    config.write_text(config.read_text(encoding="utf-8") + "clean: {chars: {min: 3}}\n", encoding="utf-8")
    build_dataset_flow(str(config))
    second = cache_entries(config, "prepare")
    assert second and not (first & second)  # the first build's entries are gone, the second's kept
    builds = list((config.parent / "kept" / "work" / "toy" / "builds").glob("*.json"))
    assert len(builds) == 1


def test_stage_table_follows_the_stage_list(collection: Path) -> None:
    config = variant(collection, "augmented", "runner: {kind: threads}\naugment: {enabled: true}\n")
    manifest = load_manifest(build_dataset_flow(str(config)).release)
    names = [s.stage for s in manifest.stages]
    assert names == ["collect", "normalize", "segment", "clean", "dedup", "split", "augment", "render"]
    for before, after in zip(manifest.stages, manifest.stages[1:], strict=False):
        assert before.kept == after.input


def write_rows(path: Path, pairs: list[tuple[str, str]]) -> None:
    path.write_text(
        "".join(json.dumps({"instruction": q, "output": a}, ensure_ascii=False) + "\n" for q, a in pairs),
        encoding="utf-8",
    )


def build_one(tmp_path: Path, tokenizer: Path, dataset: str, source: Path):
    """The manifest of a build of one source with the default config."""
    config = tmp_path / "run.yaml"
    config.write_text(
        f"dataset: {dataset}\noutput_dir: {tmp_path / 'out'}\nwork_dir: {tmp_path / 'work'}\ntokenizer: {tokenizer}\n"
        f"sources:\n  - path: {source}\n",
        encoding="utf-8",
    )
    return build_dataset_flow(str(config)).manifest


def test_a_cluster_survives_when_its_first_member_is_rejected(tmp_path: Path, tiny_tokenizer: Path) -> None:
    """Dedup runs after clean: the first twin is refused (an unfilled placeholder), the second is released."""
    answer = "西湖位于浙江省杭州市，是中国著名的风景名胜区，有苏堤春晓、断桥残雪等十景。"
    source = tmp_path / "lakes.jsonl"
    write_rows(source, [("介绍一下杭州西湖。", answer + "——{{name}}"), ("介绍一下杭州的西湖。", answer)])
    manifest = build_one(tmp_path, tiny_tokenizer, "lakes", source)
    assert manifest.counts.released == 1
    assert manifest.counts.rejected_by_reason == {"clean.template_placeholder": 1}


def test_records_alike_after_masking_are_deduplicated_not_refused(tmp_path: Path, tiny_tokenizer: Path) -> None:
    """Thirty records that differ only in an ID number are one example once masked: one is released,
    the others are duplicates of it (so the leakage check has nothing left to refuse)."""
    source = tmp_path / "ids.jsonl"
    valid = [n for n in (f"11010519491231{k:03d}{c}" for k in range(100) for c in "0123456789X") if id18_valid(n)]
    question = "客户张先生的身份证号是{}，请帮我核对一下格式。"
    write_rows(source, [(question.format(n), "格式正确：18位，最后一位是校验码。") for n in valid[:30]])
    manifest = build_one(tmp_path, tiny_tokenizer, "ids", source)
    assert manifest.counts.released == 1
    assert manifest.counts.rejected_by_reason == {"dedup.exact_duplicate": 29}
    assert manifest.checks["leakage"]["cross_split_pairs"] == 0
