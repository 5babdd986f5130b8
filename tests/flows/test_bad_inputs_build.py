"""Whole builds over bad input: the bad-input corpus in one build, and random mixtures of good and
broken rows. A nightly build must survive any bad row in any file: exit 0, every record accounted
for at every stage, no traceback, and the same input gives the same bytes."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flows.build import build_dataset_flow
from flows.cli import app
from pipeline.release import SPLITS, load_manifest

_CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs" / "corpus.py"


def load_corpus():
    spec = importlib.util.spec_from_file_location("bad_inputs_corpus", _CORPUS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_one_build_over_every_class_of_bad_input(tmp_path: Path, tiny_tokenizer: Path) -> None:
    corpus = load_corpus()
    cases = corpus.write_corpus(tmp_path / "corpus")
    sources = "".join(
        f"  - {json.dumps({'path': str(tmp_path / 'corpus' / case.name), **case.options}, ensure_ascii=False)}\n"
        for case in cases
    )
    config = tmp_path / "run.yaml"
    config.write_text(
        f"dataset: bad\noutput_dir: {tmp_path / 'out'}\nwork_dir: {tmp_path / 'work'}\ntokenizer: {tiny_tokenizer}\n"
        f"collect: {{max_line_bytes: {corpus.MAX_LINE_BYTES}}}\nsources:\n{sources}",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["run", str(config)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    manifest = load_manifest(tmp_path / "out" / "bad" / "v1")
    assert all(stage.balanced for stage in manifest.stages)
    assert manifest.counts.input + manifest.counts.augmented == manifest.counts.released + manifest.counts.rejected
    expected = Counter()
    for case in cases:
        expected.update(case.expected.rejected)
    found = Counter(
        {k: v for k, v in manifest.counts.rejected_by_reason.items() if k.split(".")[0] in ("collect", "normalize")}
    )
    assert found == expected
    assert len(manifest.inputs) >= len(cases)


GOOD = [
    ("春眠不觉晓的下一句是什么？", "处处闻啼鸟。"),
    ("床前明月光的作者是谁？", "李白。"),
    ("白日依山尽的下一句是什么？", "黄河入海流。"),
    ("红豆生南国出自哪首诗？", "王维的《相思》。"),
    ("千山鸟飞绝的下一句是什么？", "万径人踪灭。"),
    ("独在异乡为异客的下一句是什么？", "每逢佳节倍思亲。"),
]
BROKEN = [
    '{"instruction": "缺少右括号", "output": "x"',
    '{"instruction": 5, "output": "数字不是文本"}',
    '{"instruction": "问", "output": 2}',
    "[1, 2, 3]",
    '{"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}',
    '{"messages": [{"role": "assistant", "content": "先答", "tool_calls": 5}]}',
    '{"instruction": "\\ud800问", "output": "孤立的代理项"}',
    "[" * 5000 + "]" * 5000,
    '{"conversations": [{"from": "gpt", "value": "先回答"}, {"from": "human", "value": "后提问"}]}',
    '{"instruction": "零宽\u200b字符", "output": "\u200b"}',
    "\x00\x01\x02",
]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.one_of(st.sampled_from(range(len(GOOD))), st.sampled_from(BROKEN)), min_size=1, max_size=14))
def test_random_mixtures_of_good_and_broken_rows(tmp_path_factory, tiny_tokenizer: Path, rows: list) -> None:
    folder = tmp_path_factory.mktemp("mix")
    lines = [
        json.dumps({"instruction": GOOD[r][0], "output": GOOD[r][1]}, ensure_ascii=False) if isinstance(r, int) else r
        for r in rows
    ]
    (folder / "mix.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    releases = []
    for attempt in ("a", "b"):
        config = folder / f"{attempt}.yaml"
        config.write_text(
            f"dataset: mix\noutput_dir: {folder / attempt}\nwork_dir: {folder / ('work-' + attempt)}\n"
            f"tokenizer: {tiny_tokenizer}\nsources:\n  - path: {folder / 'mix.jsonl'}\n",
            encoding="utf-8",
        )
        releases.append(build_dataset_flow(str(config)))
    first, second = releases
    manifest = first.manifest
    assert manifest.counts.input == len(lines)
    assert all(stage.balanced for stage in manifest.stages)
    assert manifest.counts.input == manifest.counts.released + manifest.counts.rejected
    for name in [*(f"{s}.jsonl" for s in SPLITS), "rejections.jsonl"]:
        a, b = first.release / name, second.release / name
        assert a.exists() == b.exists()
        assert not a.exists() or a.read_bytes() == b.read_bytes()
