"""The bad-input corpus through collect and normalize: each class gives its expected reason codes
and counts, nothing raises, and every row read is accounted for."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from pipeline import collect, normalize
from schemas import CollectConfig, NormalizeConfig, Rejection, SftRecord, SourceConfig

_CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "bad_inputs" / "corpus.py"


def load_corpus():
    spec = importlib.util.spec_from_file_location("bad_inputs_corpus", _CORPUS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


CORPUS = load_corpus()
CASES = CORPUS.cases()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad_inputs")
    CORPUS.write_corpus(folder)
    return folder


def outcome(folder: Path, options: dict) -> tuple[list[SftRecord], list[Rejection]]:
    source = SourceConfig(path=str(folder), **options)
    config = CollectConfig(max_line_bytes=CORPUS.MAX_LINE_BYTES)
    items = [item for entry in collect.source_files(source) for item in collect.read(entry.path, source, config)]
    records = [item for item in items if isinstance(item, SftRecord)]
    rejections = [item for item in items if isinstance(item, Rejection)]
    normalized = normalize.run(records, NormalizeConfig())
    assert normalized.counts.balanced
    return normalized.kept, rejections + normalized.rejections


def test_the_corpus_has_at_least_forty_classes_with_distinct_names() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 40 and len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_class_gives_its_expected_outcome(corpus: Path, case) -> None:
    kept, rejections = outcome(corpus / case.name, case.options)
    rejected = Counter(f"{r.stage}.{r.reason}" for r in rejections)
    assert dict(rejected) == case.expected.rejected, [str(r) for r in rejections]
    if case.expected.kept is None:
        assert len(kept) >= case.expected.at_least
    else:
        assert len(kept) == case.expected.kept
    assert case.expected.at <= {(r.reason, r.source.line) for r in rejections}


def test_the_corpus_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    CORPUS.write_corpus(first)
    CORPUS.write_corpus(second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file() and not p.is_symlink())
    assert files and all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_the_readme_lists_every_class() -> None:
    readme = (_CORPUS.parent / "README.md").read_text(encoding="utf-8")
    assert [case.name for case in CASES if f"| `{case.name}` |" not in readme] == []
