from __future__ import annotations

from pipeline.split.leakage import leakage_report
from schemas import NearDupConfig


def with_split(record, split: str):
    return record.model_copy(update={"meta": record.meta.model_copy(update={"split": split})})


def test_cross_split_twins_are_counted_and_named(make_record) -> None:
    answer = "西湖位于浙江省杭州市，是中国著名的风景名胜区，有苏堤春晓、断桥残雪等十景。"
    a = with_split(make_record(("user", "介绍一下杭州西湖。"), ("assistant", answer)), "train")
    b = with_split(make_record(("user", "介绍一下杭州的西湖。"), ("assistant", answer)), "test")
    c = with_split(make_record(("user", "北京有什么好玩的？"), ("assistant", "故宫和长城。")), "test")
    report = leakage_report([a, b, c], NearDupConfig())
    assert report["near_duplicate_pairs"] == 1 and report["cross_split_pairs"] == 1
    assert f"{b.id} (test) ~ {a.id} (train)" in report["examples"][0]
    same_split = leakage_report([a, with_split(b, "train"), c], NearDupConfig())
    assert same_split["near_duplicate_pairs"] == 1 and same_split["cross_split_pairs"] == 0
