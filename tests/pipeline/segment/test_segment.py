from __future__ import annotations

from pathlib import Path

import jieba
import pytest

from pipeline.segment import load_segmenter, run, segment_record
from schemas import SegmentConfig

TEXT = "我们在北京天安门广场看升旗，这是一个美好的早晨。"


def test_words_pos_stop_marks_and_pinyin() -> None:
    segmenter = load_segmenter(SegmentConfig(pos=True, pinyin=True))
    seg = segmenter.segment(TEXT)
    assert "".join(seg.words) == TEXT
    assert seg.words[:3] == ("我们", "在", "北京天安门广场")
    assert seg.pos[:3] == ("r", "p", "ns")
    assert seg.stop[seg.words.index("我们")] is True and seg.stop[seg.words.index("早晨")] is False
    assert seg.pinyin[seg.words.index("早晨")] == "zao chen"
    assert len(seg.words) == len(seg.pos) == len(seg.stop) == len(seg.pinyin)


def test_options_off_leave_fields_empty() -> None:
    seg = load_segmenter(SegmentConfig()).segment(TEXT)
    assert seg.pos is None and seg.pinyin is None and seg.stop is not None


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_user_dictionary_stays_with_its_segmenter(tmp_path: Path, backend: str) -> None:
    user_dict = tmp_path / "dict.txt"
    user_dict.write_text("大模型微调 10 n\n", encoding="utf-8")
    text = "大模型微调需要数据"
    custom = load_segmenter(SegmentConfig(backend=backend, user_dicts=[str(user_dict)]))
    plain = load_segmenter(SegmentConfig(backend=backend))
    assert "大模型微调" in custom.segment(text).words
    assert "大模型微调" not in plain.segment(text).words
    assert "大模型微调" not in jieba.lcut(text)  # jieba's global dictionary is untouched


def test_custom_stop_words_file(tmp_path: Path) -> None:
    stop_file = tmp_path / "stop.txt"
    stop_file.write_text("早晨\n", encoding="utf-8")
    seg = load_segmenter(SegmentConfig(stop_words=str(stop_file))).segment(TEXT)
    assert [w for w, s in zip(seg.words, seg.stop, strict=True) if s] == ["早晨"]


def test_missing_files_fail_early(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="user_dicts"):
        load_segmenter(SegmentConfig(user_dicts=[str(tmp_path / "absent.txt")]))
    with pytest.raises(ValueError, match="stop_words"):
        load_segmenter(SegmentConfig(stop_words=str(tmp_path / "absent.txt")))


@pytest.mark.parametrize("text", ["", "😀👍", "ＦＵＬＬ width", "繁體中文與簡體", "mixed 中英文 text"])
def test_edge_cases_round_trip(segmenter, text: str) -> None:
    assert "".join(segmenter.segment(text).words) == text


def test_stage_adds_one_segmentation_per_message(make_record, segmenter) -> None:
    record = make_record(("system", "你是助手"), ("user", "你好"), ("assistant", "你好！"))
    result = run([record], SegmentConfig(), segmenter)
    assert result.counts.kept == 1
    [segmented] = result.kept
    assert [seg.words for seg in segmented.segments] == [("你", "是", "助手"), ("你好",), ("你好", "！")]
    assert segment_record(record, segmenter) == segmented
