"""Which records `sft annotate push` sends when `select: flagged` (no server needed)."""

from __future__ import annotations

from flows.annotate import flagged_records
from pipeline.annotate import select
from schemas import RunConfig


def test_flagged_means_what_the_clean_filters_would_reject(make_record) -> None:
    config = RunConfig.model_validate({"dataset": "x", "sources": [{"path": "a"}], "annotate": {"select": "flagged"}})
    fine = make_record(("user", "北京有哪些好玩的地方？"), ("assistant", "可以去故宫、长城和颐和园。"))
    refusing = make_record(("user", "写一首关于春天的短诗"), ("assistant", "很抱歉，我无法满足此要求。"))
    identity = make_record(("user", "你是谁"), ("assistant", "作为一个AI语言模型，我没有名字。"))
    flagged = flagged_records([fine, refusing, identity], config)
    assert flagged == {refusing.id, identity.id}
    assert select([fine, refusing, identity], config.annotate, flagged) == [refusing, identity]
