from __future__ import annotations

from collections import Counter

import pytest

from pipeline.split import assign, run
from schemas import SplitConfig


def test_split_is_deterministic_and_never_moves_when_data_grows(make_record) -> None:
    config = SplitConfig(train=0.8, validation=0.1, test=0.1)
    base = [make_record(("user", f"问题{i}"), ("assistant", f"答案{i}")) for i in range(200)]
    more = [make_record(("user", f"新问题{i}"), ("assistant", "新答案")) for i in range(300)]
    before = {r.id: r.meta.split for r in run(base, config).kept}
    after = {r.id: r.meta.split for r in run(more[:150] + base + more[150:], config).kept}
    assert all(after[rid] == split for rid, split in before.items())


def test_ratios_are_respected_on_many_groups() -> None:
    config = SplitConfig(train=0.8, validation=0.1, test=0.1)
    counts = Counter(assign(f"group-{i}", config) for i in range(20_000))
    assert abs(counts["train"] / 20_000 - 0.8) < 0.02
    assert abs(counts["test"] / 20_000 - 0.1) < 0.01


def test_a_group_stays_in_one_split(make_record) -> None:
    records = [make_record(("user", f"文档里的问题{i}"), ("assistant", "答")) for i in range(50)]
    grouped = [r.model_copy(update={"meta": r.meta.model_copy(update={"group": "doc:faq.md"})}) for r in records]
    assert len({r.meta.split for r in run(grouped, SplitConfig(train=0.5, validation=0.25, test=0.25)).kept}) == 1


def test_salt_reshuffles() -> None:
    groups = [f"g{i}" for i in range(200)]
    plain = [assign(g, SplitConfig(train=0.5, validation=0.25, test=0.25)) for g in groups]
    salted = [assign(g, SplitConfig(train=0.5, validation=0.25, test=0.25, salt="x")) for g in groups]
    assert plain != salted


def test_caps_hold_exactly_and_keep_groups_whole() -> None:
    from pipeline.split import bounds

    config = SplitConfig(train=0.8, validation=0.1, test=0.1, max_test=50, max_validation=30)
    groups = [f"doc{i // 3}" for i in range(3000)]  # groups of three records
    limits = bounds(groups, config)
    counts = Counter(assign(g, config, limits) for g in groups)
    assert counts["test"] <= 50 and counts["validation"] <= 30
    assert counts["test"] >= 48 and counts["validation"] >= 28  # cut only between groups of three
    per_group = {}
    for g in groups:
        per_group.setdefault(g, set()).add(assign(g, config, limits))
    assert all(len(s) == 1 for s in per_group.values())


def test_without_caps_bounds_are_the_ratios() -> None:
    from pipeline.split import bounds

    config = SplitConfig(train=0.8, validation=0.1, test=0.1)
    limits = bounds([f"g{i}" for i in range(100)], config)
    assert (limits.test_end, limits.validation_start, limits.validation_end) == (0.1, 0.1, pytest.approx(0.2))
