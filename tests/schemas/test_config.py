from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_run_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_gets_defaults(tmp_path: Path) -> None:
    config = load_run_config(write(tmp_path, "dataset: demo\nsources:\n  - path: a.jsonl\n"))
    assert config.output_dir == "data/releases"
    assert (config.split.train, config.split.validation, config.split.test) == (0.9, 0.05, 0.05)
    assert config.sources[0].format == "auto"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dataset: Demo!\nsources: [{path: a}]\n", ["line 1, dataset: String should match pattern"]),
        ("dataset: demo\n", ["sources: Field required"]),
        (
            "dataset: demo\nsources:\n  - path: a.jsonl\n    format: excel\n",
            ["line 4, sources.0.format: Input should be 'auto'", "(got 'excel')"],
        ),
        (
            "dataset: demo\nsources: [{path: a}]\nsplit: {train: 0.5}\n",
            ["line 3, split: Value error, train + validation"],
        ),
        ("dataset: demo\nsources: [{path: a}]\nnormalise: {}\n", ["line 3, normalise: Extra inputs are not permitted"]),
        (
            "dataset: demo\nsources: [{path: a}, {path: a}]\n",
            ["sources: Value error, each source path may appear once"],
        ),
        ("- just\n- a list\n", ["must be a mapping"]),
        ("dataset: [unclosed\n", ["not valid YAML"]),
    ],
)
def test_errors_name_file_line_and_field(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_run_config(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    for part in expected:
        assert part in message


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"absent\.yaml: cannot read"):
        load_run_config(tmp_path / "absent.yaml")


def test_the_bundled_demo_config_is_valid() -> None:
    config = load_run_config(Path(__file__).resolve().parents[2] / "data" / "demo.yaml")
    assert config.dataset == "demo" and len(config.sources) >= 7
