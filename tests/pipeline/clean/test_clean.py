"""The clean stage: filters in order, PII masked and re-segmented, counts in the manifest."""

from __future__ import annotations

from pipeline.clean import FILTERS, run
from schemas import CleanConfig


def test_every_filter_is_configurable_and_the_imprecise_ones_are_off() -> None:
    config = CleanConfig()
    off = {name for name, _ in FILTERS if not getattr(config, name).enabled}
    assert off == {"chinese", "stop_words", "symbols"}  # imprecise on the gold set (their docstrings)


def test_each_record_is_measured_once_for_all_filters(make_segmented, segmenter, monkeypatch) -> None:
    from pipeline.clean import measure

    built = []
    original = measure.Response.prose.func
    monkeypatch.setattr(
        measure.Response, "prose", measure.cached_property(lambda self: built.append(1) or original(self))
    )
    measure.Response.prose.__set_name__(measure.Response, "prose")
    record = make_segmented(("user", "介绍一下长城"), ("assistant", "长城是中国古代的军事防御工程，全长两万多公里。"))
    run([record], CleanConfig.model_validate({"stop_words": {"enabled": True}}), segmenter)
    assert built == [1]  # repetition, symbols and stop words all read the same prose


def test_stage_rejects_masks_and_counts(make_segmented, segmenter) -> None:
    records = [
        make_segmented(("user", "帮我记一下电话13912345678"), ("assistant", "好的，已经记下<手机号>。")),
        make_segmented(("user", "你是谁"), ("assistant", "作为一个AI语言模型，我没有名字。")),
        make_segmented(("user", "好的！"), ("assistant", "还有什么需要帮忙的吗？")),
        make_segmented(("user", "北京有什么好玩的？"), ("assistant", "可以去故宫、长城和颐和园。")),
    ]
    result = run(records, CleanConfig(), segmenter)
    assert result.counts.rejected == {"identity_contamination": 1, "context_free_instruction": 1}
    assert result.counts.changed == {"masked_mobile": 1}
    masked = result.kept[0]
    assert masked.messages[0].content == "帮我记一下电话<手机号>"
    assert "13912345678" not in "".join(masked.segments[0].words)
    assert "".join(masked.segments[0].words) == masked.messages[0].content


def test_filters_can_be_turned_off(make_segmented, segmenter) -> None:
    record = make_segmented(("user", "你是谁"), ("assistant", "作为一个AI语言模型，我没有名字。"))
    config = CleanConfig.model_validate({"identity": {"enabled": False}, "pii": {"enabled": False}})
    assert run([record], config, segmenter).counts.kept == 1
