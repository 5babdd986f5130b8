"""THULAC and pkuseg behind the segment stage: same interface and output shape as jieba.

Skipped only when the optional package is not installed (`make test` installs both).
"""

from __future__ import annotations

import importlib.util

import pytest

from pipeline.augment import run as augment
from pipeline.clean import run as clean
from pipeline.segment import load_segmenter, run
from pipeline.segment.segmenter import align, align_tagged
from schemas import AugmentConfig, CleanConfig, SegmentConfig

TEXT = "我们在北京天安门广场看升旗，这是一个美好的早晨。\n第二行 English  words：１２３😀"


def installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


BACKENDS = [
    pytest.param(
        "thulac", marks=pytest.mark.skipif(not installed("thulac"), reason="optional extra thulac not installed")
    ),
    pytest.param(
        "pkuseg", marks=pytest.mark.skipif(not installed("pkuseg"), reason="optional extra pkuseg not installed")
    ),
]


def test_align_restores_what_a_backend_dropped() -> None:
    assert align("a  b\nc", ["a", "b", "c"]) == ["a", "  ", "b", "\n", "c"]
    assert align("全角ＡＢＣ", ["全角", "ABC"]) == ["全角", "ＡＢＣ"]  # a changed word becomes a gap
    assert align_tagged("我 们", [("我", "r"), ("们", "k")]) == [("我", "r"), (" ", "x"), ("们", "k")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_backend_output_has_jieba_shape(backend: str) -> None:
    pos = backend == "thulac"
    reference = load_segmenter(SegmentConfig(pos=True)).segment(TEXT)
    seg = load_segmenter(SegmentConfig(backend=backend, pos=pos)).segment(TEXT)
    assert "".join(seg.words) == TEXT == "".join(reference.words)
    assert "天安门广场" in seg.words or "天安门" in seg.words
    assert seg.stop is not None and len(seg.stop) == len(seg.words)
    assert (seg.pos is not None) == pos and (not pos or len(seg.pos) == len(seg.words))


@pytest.mark.parametrize("backend", BACKENDS)
def test_stage_clean_and_augment_work_unchanged(backend: str, make_record) -> None:
    config = SegmentConfig(backend=backend)
    segmenter = load_segmenter(config)
    records = [
        make_record(
            ("user", "老师认真地批改学生的作业和试卷，然后写下评语。"), ("assistant", "好的，已经全部批改完了。")
        )
    ]
    segmented = run(records, config, segmenter).kept
    assert [len(s.words) > 3 for s in segmented[0].segments] == [True, True]
    cleaned = clean(segmented, CleanConfig(), segmenter)
    assert cleaned.counts.kept == 1
    train = [r.model_copy(update={"meta": r.meta.model_copy(update={"split": "train"})}) for r in cleaned.kept]
    children = augment(train, AugmentConfig(enabled=True, max_share=0.5, operations=["swap"]))
    assert children.counts.added == 1  # the coordinated 作业 and 试卷 change places
    assert children.kept[1].messages[0].content == "老师认真地批改学生的试卷和作业，然后写下评语。"


def test_pkuseg_refuses_pos_tags_offline() -> None:
    with pytest.raises(ValueError, match="cannot tag parts of speech offline"):
        load_segmenter(SegmentConfig(backend="pkuseg", pos=True))
