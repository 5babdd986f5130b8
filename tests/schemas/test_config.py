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


BOMB = """dataset: demo
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
sources: *g
"""


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_run_config(write(tmp_path, BOMB))
    message = str(caught.value)
    assert "alias bomb" in message and "line " in message
    assert len(message) < 500


def test_aliases_of_a_sane_size_still_work(tmp_path: Path) -> None:
    text = "dataset: demo\nsources:\n  - &src {format: alpaca, path: a.json}\n  - {<<: *src, path: b.json}\n"
    config = load_run_config(write(tmp_path, text))
    assert [(s.path, s.format) for s in config.sources] == [("a.json", "alpaca"), ("b.json", "alpaca")]


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="line 2: a YAML alias refers to itself"):
        load_run_config(write(tmp_path, "dataset: demo\nsources: &s [*s]\n"))


def test_a_key_given_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    text = "dataset: demo\nsources: [{path: a}]\ndataset: other\n"
    with pytest.raises(ConfigError, match="line 3: key 'dataset' appears twice"):
        load_run_config(write(tmp_path, text))


def test_errors_echo_only_a_short_piece_of_the_input(tmp_path: Path) -> None:
    huge = "x" * 1_000_000
    rows = "".join(f"  - {{path: p{i}, format: {huge[:1000]}}}\n" for i in range(50))
    path = write(tmp_path, f"dataset: {huge}\nsources:\n{rows}")
    with pytest.raises(ConfigError) as caught:
        load_run_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: 51 problem(s)") and "line 1, dataset:" in message
    assert "(1,000,002 characters)" in message and "... and 31 more" in message
    assert len(message) < 8_000


def test_a_deeply_nested_config_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_run_config(write(tmp_path, "dataset: " + "[" * 1500 + "]" * 1500 + "\n"))


def test_source_options_are_checked_when_the_config_loads(tmp_path: Path) -> None:
    text = "dataset: demo\nsources:\n  - {path: a.csv, encoding: klingon}\n"
    with pytest.raises(ConfigError, match=r"line 3, sources\.0\.encoding: Value error, unknown encoding 'klingon'"):
        load_run_config(write(tmp_path, text))
    config = load_run_config(write(tmp_path, "dataset: demo\nsources: [{path: d, follow_links: true}]\n"))
    assert config.sources[0].follow_links and config.collect.max_line_bytes == 16 << 20
