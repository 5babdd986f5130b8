from __future__ import annotations

from pipeline.dedup import run
from schemas import DedupConfig, NearDupConfig

EXACT_ONLY = DedupConfig(near=NearDupConfig(enabled=False))


def test_exact_duplicates_point_to_the_kept_twin(make_record) -> None:
    first = make_record(("user", "什么是SFT？"), ("assistant", "监督微调。"), file="a.json", line=2)
    spaced = make_record(("user", "什么是SFT？ "), ("assistant", "监督微调。"), file="b.jsonl", line=7)
    other = make_record(("user", "什么是RLHF？"), ("assistant", "人类反馈强化学习。"), file="b.jsonl", line=8)
    result = run([first, spaced, other], EXACT_ONLY)
    assert [r.meta.source.line for r in result.kept] == [2, 8]
    [rejection] = result.rejections
    assert rejection.reason == "exact_duplicate"
    assert rejection.source.file == "b.jsonl" and rejection.source.line == 7
    assert f"{first.id} kept from a.json:2" in rejection.detail


def test_whitespace_inside_counts_as_formatting_not_content(make_record) -> None:
    a = make_record(("user", "第一行\n\n第二行"), ("assistant", "答"))
    b = make_record(("user", "第一行 第二行"), ("assistant", "答"))
    assert run([a, b], EXACT_ONLY).counts.kept == 1


def test_exact_can_be_switched_off(make_record) -> None:
    record = make_record(("user", "问"), ("assistant", "答"))
    assert run([record, record], DedupConfig(exact=False, near=NearDupConfig(enabled=False))).counts.kept == 2
