"""The clean stage: filters in order, PII masked and re-segmented, counts in the manifest."""

from __future__ import annotations

from pipeline.clean import FILTERS, run
from schemas import CleanConfig


def test_every_filter_is_configurable() -> None:
    config = CleanConfig()
    assert all(hasattr(config, name) and getattr(config, name).enabled for name, _ in FILTERS)


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
