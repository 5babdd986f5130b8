"""The `sft` command as a user types it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()


def test_run_prints_the_release_and_its_counts(collection: Path) -> None:
    result = runner.invoke(app, ["run", str(collection)])
    assert result.exit_code == 0, result.output
    assert "toy@v1 (new release)" in result.output
    assert "20 input records: 16 released" in result.output
    assert "exact_duplicate 1" in result.output

    again = runner.invoke(app, ["run", str(collection)])
    assert "toy@v1 (unchanged: no new version)" in again.output


def test_release_commands_read_what_run_built(collection: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["run", str(collection)])
    output_dir = str(tmp_path / "releases")
    listed = runner.invoke(app, ["release", "list", "--output-dir", output_dir])
    assert listed.exit_code == 0 and "toy@v1" in listed.output
    shown = runner.invoke(app, ["release", "show", "toy@v1", "--output-dir", output_dir])
    assert shown.exit_code == 0
    assert "template: chatml" in shown.output and "normalize" in shown.output and "roles_out_of_order 1" in shown.output
    same = runner.invoke(app, ["release", "diff", "toy@v1", "toy@v1", "--output-dir", output_dir])
    assert "0 added, 0 removed, 0 changed" in same.output
    missing = runner.invoke(app, ["release", "show", "toy@v7", "--output-dir", output_dir])
    assert missing.exit_code == 2 and "has no version 'v7'" in missing.output


def test_bad_config_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("dataset: toy\nsources:\n  - path: a.jsonl\n    format: excel\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(config)])
    assert result.exit_code == 2
    assert "line 4, sources.0.format" in result.output
    assert "Traceback" not in result.output


def test_missing_source_is_a_message(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(f"dataset: toy\nsources:\n  - path: {tmp_path}/nothing-*.jsonl\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(config)])
    assert result.exit_code == 2 and "matches no file" in result.output


# ---------------------------------------------------------------------------------------- operations

PROJECT = Path(__file__).resolve().parents[2]
# Runs the command as `sft` would, then says whether Prefect was imported on the way.
PROBE = """
import runpy, sys
sys.argv = ["sft", *sys.argv[1:]]
try:
    runpy.run_module("flows.cli", run_name="__main__")
except SystemExit as exit:
    code = exit.code
print("prefect imported" if "prefect" in sys.modules else "prefect not imported")
sys.exit(code)
"""


def probe(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    return done, time.perf_counter() - started


def bad_config(tmp_path: Path) -> Path:
    config = tmp_path / "bad.yaml"
    config.write_text("dataset: Bad Name\nsources:\n  - path: a.jsonl\n    format: excel\n", encoding="utf-8")
    return config


@pytest.mark.parametrize("command", ["check", "run"])
def test_a_bad_config_is_told_at_once_without_prefect(tmp_path: Path, command: str) -> None:
    done, seconds = probe(command, str(bad_config(tmp_path)), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert seconds < 2.0, f"{command} took {seconds:.2f} s to report a bad config"
    assert "prefect not imported" in done.stdout
    message = done.stderr
    assert "Traceback" not in message and message.startswith(f"error: {tmp_path / 'bad.yaml'}: 2 problem(s)")
    # Printed as is: rich markup would have eaten the bracketed character classes.
    assert "line 1, dataset: String should match pattern '^[a-z0-9][a-z0-9._-]{0,63}$' (got 'Bad Name')" in message
    assert "line 4, sources.0.format: Input should be 'auto'" in message


def test_check_lists_what_a_build_would_read(collection: Path, tmp_path: Path) -> None:
    started = time.perf_counter()
    result = runner.invoke(app, ["check", str(collection), "--set", "collect.shard_size=7"])
    assert time.perf_counter() - started < 2.0
    assert result.exit_code == 0, result.output
    raw = tmp_path / "raw"
    assert f"{collection} is a valid run config of toy" in result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.startswith("│")}
    assert set(rows) == {str(raw / name) for name in ("alpaca.json", "chats.jsonl", "faq.md", "faq.csv", "junk.json")}
    assert "alpaca 13 (first 13 rows)" in rows[str(raw / "alpaca.json")]
    assert "sharegpt 2, malformed_json 1 (first 3 rows)" in rows[str(raw / "chats.jsonl")]
    assert "gb18030" in rows[str(raw / "faq.csv")] and "alpaca (columns mapped)" in rows[str(raw / "faq.csv")]
    assert "undecodable_file" in rows[str(raw / "junk.json")]
    assert "5 files" in result.output and "1 that a build will reject whole" in result.output

    wrong = runner.invoke(app, ["check", str(collection), "--set", "split.train=2"])
    assert (
        wrong.exit_code == 2
        and "--set split.train=2, split.train: Input should be less than or equal to 1" in wrong.output
    )


def test_run_takes_options_and_shows_progress(collection: Path, tmp_path: Path) -> None:
    first = runner.invoke(app, ["run", str(collection), "--set", "dataset=toy-set", "--workers", "2", "--runner",
                                "threads", "--log-level", "WARNING"])  # fmt: skip
    assert first.exit_code == 0, first.output
    assert "toy-set@v1 (new release)" in first.output
    assert re.search(r"^collect-clean: \d+ tasks, 20 records in \d+\.\d s", first.output, re.M), first.output
    assert re.search(r"^dedup-render: \d+ tasks, \d+ records in", first.output, re.M)
    assert (tmp_path / "releases" / "toy-set" / "v1").is_dir() and not (tmp_path / "releases" / "toy").exists()

    again = runner.invoke(app, ["run", str(collection), "--set", "dataset=toy-set"])
    assert "toy-set@v1 (unchanged: no new version)" in again.output and "collect-clean:" not in again.output
    forced = runner.invoke(app, ["run", str(collection), "--set", "dataset=toy-set", "--force"])
    assert forced.exit_code == 0 and "collect-clean: " in forced.output  # rebuilt, same bytes: same version
    assert "toy-set@v1 (unchanged: no new version)" in forced.output

    unknown = runner.invoke(app, ["run", str(collection), "--set", "clean.no_such_filter=1"])
    assert (
        unknown.exit_code == 2 and "--set clean.no_such_filter=1, clean.no_such_filter: Extra inputs" in unknown.output
    )
    malformed = runner.invoke(app, ["run", str(collection), "--set", "runner.workers"])
    assert malformed.exit_code == 2 and "should look like key=value" in malformed.output
    assert runner.invoke(app, ["run", str(collection), "--runner", "gpu"]).exit_code == 2


def test_releases_by_folder_config_and_reference(collection: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["run", str(collection)]).exit_code == 0
    releases = tmp_path / "releases"
    v1 = releases / "toy" / "v1"
    for where in (str(releases), str(releases / "toy"), str(v1)):
        listed = runner.invoke(app, ["release", "list", where])
        assert listed.exit_code == 0 and "toy@v1" in listed.output and str(v1) in listed.output, listed.output
    by_config = runner.invoke(app, ["release", "list", "--config", str(collection)])
    assert "toy@v1" in by_config.output

    shown = runner.invoke(app, ["release", "show", str(v1)])
    assert shown.exit_code == 0 and f"toy@v1 at {v1}" in shown.output
    # Off a terminal a table is as wide as its content: long source paths are whole, on one line each.
    assert any(str(tmp_path / "raw" / "alpaca.json") in line for line in shown.output.splitlines())
    assert runner.invoke(app, ["release", "show", "--config", str(collection)]).output.startswith("toy@v1 at")

    for escape in ("../toy@v1", "toy@../../v1", "/etc@v1", "Toy@v1"):
        refused = runner.invoke(app, ["release", "show", escape, "-o", str(releases)])
        assert refused.exit_code == 2 and "is not a release reference" in refused.output, (escape, refused.output)
    missing = runner.invoke(app, ["release", "show", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "is not a release folder" in missing.output

    head = runner.invoke(app, ["release", "head", "toy@v1", "-o", str(releases), "-n", "2"])
    assert head.exit_code == 0 and head.output.count("\n#") + head.output.startswith("#") == 2, head.output
    assert "  user: " in head.output and "  assistant: " in head.output
    lines = runner.invoke(app, ["release", "head", str(v1), "--split", "test", "--json", "-n", "50"]).output
    test_ids = [json.loads(line)["id"] for line in lines.splitlines()]
    assert test_ids == [json.loads(line)["id"] for line in (v1 / "test.jsonl").read_text().splitlines()][:50]
    rejected = runner.invoke(app, ["release", "head", str(v1), "--split", "rejections", "-n", "1"])
    assert re.match(r"#1 \w+  \w+\.\w+  ", rejected.output), rejected.output

    ok = runner.invoke(app, ["release", "verify", "toy@v1", "-o", str(releases)])
    assert ok.exit_code == 0 and "ok: toy@v1" in ok.output and "files match the manifest" in ok.output
    train = v1 / "train.jsonl"
    train.chmod(0o644)
    with train.open("a", encoding="utf-8") as handle:
        handle.write("{}\n")
    tampered = runner.invoke(app, ["release", "verify", str(v1)])
    assert (
        tampered.exit_code == 1 and "train.jsonl was changed" in tampered.output and "Traceback" not in tampered.output
    )


def _pairs(n: int) -> str:
    return "".join(f"## 问题{n}-{i}是什么？\n这是第{n}批的第{i}个回答，内容不同。\n\n" for i in range(2))


def test_prune_never_removes_a_pinned_release(collection: Path, tmp_path: Path) -> None:
    notes = tmp_path / "raw" / "faq.md"
    releases = tmp_path / "releases"
    for n in range(3):  # v1, v2, v3: each build has a new note pair
        notes.write_text(notes.read_text(encoding="utf-8") + _pairs(n), encoding="utf-8")
        built = runner.invoke(app, ["run", str(collection)])
        assert f"toy@v{n + 1} (new release)" in built.output, built.output
    runs = tmp_path / "runs"
    (runs / "first").mkdir(parents=True)
    (runs / "first" / "release.json").write_text(json.dumps({"release": "toy@v1", "fingerprint": "x"}), "utf-8")

    dry = runner.invoke(app, ["release", "prune", "toy", "--keep", "1", "--runs-dir", str(runs), "-o", str(releases),
                              "--dry-run"])  # fmt: skip
    assert "toy: would remove v2; kept v1, v3" in dry.output and (releases / "toy" / "v2").is_dir()
    pruned = runner.invoke(
        app, ["release", "prune", "toy", "--keep", "1", "--runs-dir", str(runs), "-o", str(releases)]
    )
    assert pruned.exit_code == 0, pruned.output
    assert (
        "toy: removed v2; kept v1, v3" in pruned.output and f"toy@v1 kept: pinned by {runs / 'first'}" in pruned.output
    )
    assert sorted(p.name for p in (releases / "toy").iterdir() if not p.name.startswith(".")) == ["v1", "v3"]

    # release.keep applies after a publish, with the same rule.
    notes.write_text(notes.read_text(encoding="utf-8") + _pairs(9), encoding="utf-8")
    built = runner.invoke(app, ["run", str(collection), "--set", "release.keep=1", "--runs-dir", str(runs)])
    assert "toy@v4 (new release)" in built.output and "release.keep 1: removed v3" in built.output, built.output
    assert sorted(p.name for p in (releases / "toy").iterdir() if not p.name.startswith(".")) == ["v1", "v4"]
    assert runner.invoke(app, ["release", "verify", "toy", "--all", "-o", str(releases)]).exit_code == 0
    assert runner.invoke(app, ["release", "prune", "toy", "--keep", "0", "-o", str(releases)]).exit_code == 2


def test_init_writes_a_config_that_check_accepts(tmp_path: Path, tiny_tokenizer: Path) -> None:
    data = tmp_path / "qa.jsonl"
    data.write_text(json.dumps({"instruction": "你好", "output": "你好！"}, ensure_ascii=False) + "\n", "utf-8")
    config = tmp_path / "My Data.yaml"
    made = runner.invoke(app, ["init", str(config), "--source", str(data), "--tokenizer", str(tiny_tokenizer)])
    assert made.exit_code == 0, made.output
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# A run config") and "dataset: my-data" in text and "keep: null" in text
    checked = runner.invoke(app, ["check", str(config)])
    assert checked.exit_code == 0 and "alpaca 1 (first 1 rows)" in checked.output, checked.output
    assert runner.invoke(app, ["init", str(config)]).exit_code == 2  # never overwritten by accident
    assert runner.invoke(app, ["init", str(config), "--force", "--dataset", "other"]).exit_code == 0
    bad = runner.invoke(app, ["init", str(tmp_path / "x.yaml"), "--dataset", "Not A Name"])
    assert bad.exit_code == 2 and "'Not A Name' is not a dataset name" in bad.output


def test_gc_cleans_the_work_folder(collection: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["run", str(collection)]).exit_code == 0
    cache = tmp_path / "work" / "toy" / "cache"
    assert any(cache.rglob("done"))
    kept = runner.invoke(app, ["gc", str(collection)])
    assert kept.exit_code == 0 and "removed 0 cache entries" in kept.output, kept.output
    cleaned = runner.invoke(app, ["gc", str(collection), "--keep", "0"])
    assert re.search(r"removed [1-9]\d* cache entries", cleaned.output) and not any(cache.rglob("done"))


def test_run_on_a_terminal_draws_a_progress_line_per_phase(collection: Path, tmp_path: Path) -> None:
    import os
    import pty

    main, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {
        "PREFECT_HOME": str(tmp_path / "prefect"), "COLUMNS": "160", "TERM": "xterm"}  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", str(collection)], stdin=child, stdout=child,
                            stderr=child, cwd=tmp_path, env=env)  # fmt: skip
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(300) == 0
    os.close(main)
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    # rich redraws the bars in place; the last drawing of each phase has all its tasks and a rate.
    assert re.search(r"collect-clean .*━+ \d+/\d+ tasks +20 records +[\d,]+ records/s", screen), screen[-2000:]
    assert re.search(r"dedup-render .*━+ \d+/\d+ tasks +\d+ records", screen)
    assert "toy@v1 (new release)" in screen
