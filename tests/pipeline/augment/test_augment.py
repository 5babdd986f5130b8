from __future__ import annotations

from pipeline.augment import run
from schemas import AugmentConfig


def split_as(record, split: str):
    return record.model_copy(update={"meta": record.meta.model_copy(update={"split": split})})


def corpus(make_segmented, n: int = 20) -> list:
    questions = [
        "老师怎样批改学生的作业？",
        "如何提高中文写作水平？",
        "为什么要认真复习功课？",
        "怎样养成早睡早起的习惯？",
    ]
    records = [
        make_segmented(
            ("user", f"{questions[i % 4]}第{i}题。请详细回答。"), ("assistant", f"回答{i}：多练习，多思考。")
        )
        for i in range(n)
    ]
    return [split_as(r, "train" if i % 4 else "test") for i, r in enumerate(records)]


def test_children_come_from_train_user_turns_with_lineage(make_segmented) -> None:
    records = corpus(make_segmented)
    result = run(records, AugmentConfig(enabled=True, max_share=0.4))
    children = result.kept[len(records) :]
    by_id = {r.id: r for r in records}
    assert result.counts.added == len(children) > 0
    assert result.counts.balanced
    for child in children:
        parent = by_id[child.meta.parent]
        assert parent.meta.split == "train" and child.meta.split == "train"
        assert child.messages[1] == parent.messages[1]  # the answer is untouched
        assert child.messages[0] != parent.messages[0]
        assert child.meta.lineage[-1].stage == "augment" and child.meta.lineage[-1].detail == f"child of {parent.id}"
        assert child.id not in by_id


def test_share_cap_and_determinism(make_segmented) -> None:
    records = corpus(make_segmented, 40)
    config = AugmentConfig(enabled=True, max_share=0.2, children_per_record=3)
    first = run(records, config)
    train = sum(r.meta.split == "train" for r in records)
    assert first.counts.added / (train + first.counts.added) <= 0.2
    assert [r.id for r in run(records, config).kept] == [r.id for r in first.kept]
    assert [r.id for r in run(records, config.model_copy(update={"seed": 1})).kept] != [r.id for r in first.kept]


def test_disabled_or_no_train_means_no_children(make_segmented) -> None:
    records = corpus(make_segmented)
    assert run(records, AugmentConfig()).counts.added == 0
    tests_only = [split_as(r, "test") for r in records]
    assert run(tests_only, AugmentConfig(enabled=True)).counts.added == 0


def test_duplicate_children_are_dropped(make_segmented) -> None:
    record = split_as(make_segmented(("user", "第一句。第二句。"), ("assistant", "好的回答。")), "train")
    result = run(
        [record] * 1, AugmentConfig(enabled=True, operations=["reorder"], children_per_record=4, max_share=0.9)
    )
    assert result.counts.added == 1  # every reorder of two sentences gives the same child


def test_children_are_segmented_and_tagged_with_the_run_segmenter(make_record, tmp_path) -> None:
    """The build passes the segment stage's segmenter: its user dictionary shapes the children's
    segments; a backend without jieba's tags (pkuseg) segments them while jieba tags the words."""
    from pipeline.segment import load_segmenter, segment_record
    from schemas import SegmentConfig

    words = tmp_path / "words.txt"
    words.write_text("早睡早起习惯 100 n\n", encoding="utf-8")
    records = []
    for i in range(12):
        record = make_record(
            ("user", f"怎样养成早睡早起习惯？第{i}题，请详细回答。"), ("assistant", f"回答{i}：按时作息。")
        )
        records.append(split_as(record, "train"))
    config = AugmentConfig(enabled=True, max_share=0.5)
    for backend in ("jieba", "pkuseg"):
        segmenter = load_segmenter(SegmentConfig(backend=backend, user_dicts=[str(words)]))
        segmented = [segment_record(r, segmenter) for r in records]
        children = run(segmented, config, segmenter).kept[len(records) :]
        assert children
        for child in children:
            assert child.segments == tuple(segmenter.segment(m.content) for m in child.messages)
            if "早睡早起习惯" in child.messages[0].content:
                assert "早睡早起习惯" in child.segments[0].words


def test_the_budget_goes_to_records_that_can_have_a_child(make_segmented) -> None:
    """Most records have nothing a safe operation may change; the budget still finds those that do."""
    from pipeline.augment import run
    from schemas import AugmentConfig

    plain = [make_segmented(("user", f"第{n}个问题：长城有多长？"), ("assistant", f"回答{n}。")) for n in range(20)]
    editable = make_segmented(("user", "请简单介绍一下长城。"), ("assistant", "长城是古代的防御工程。"))
    records = [r.model_copy(update={"meta": r.meta.model_copy(update={"split": "train"})}) for r in [*plain, editable]]
    result = run(records, AugmentConfig(enabled=True, max_share=0.05))
    assert result.counts.added == 1
    assert result.kept[-1].meta.parent == editable.id
