"""The `sft` command as a user types it."""

from __future__ import annotations

from pathlib import Path

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
