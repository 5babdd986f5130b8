from __future__ import annotations

from pipeline.annotate import run, select
from pipeline.annotate.decisions import Decision
from pipeline.annotate.interface import labeling_config, task_for
from schemas import AnnotateConfig, NormalizeConfig


def decision(key: str, verdict: str, response: str | None = None, reason: str | None = None) -> Decision:
    return Decision(key, verdict, response, reason, None, ("a@x",), "2026-11-28", "")


def test_verdicts_become_kept_edited_rejected_or_waiting(make_record) -> None:
    records = [make_record(("user", f"问题{i}"), ("assistant", f"回答{i}"), line=i) for i in range(6)]
    ids = [r.id for r in records]
    decisions = {
        ids[0]: decision(ids[0], "accept"),
        ids[1]: decision(ids[1], "accept", "改过的回答&amp;\u200b"),
        ids[2]: decision(ids[2], "reject", reason="unsafe"),
        ids[3]: decision(ids[3], "needs-fix"),
        ids[4]: decision(ids[4], "accept", "   "),
    }
    pushed = set(ids[:5]) | {"not-in-this-build"}
    result = run(records, AnnotateConfig(enabled=True), decisions, pushed, NormalizeConfig())
    kept = {r.id: r for r in result.kept}
    assert set(kept) == {ids[0], ids[1], ids[4], ids[5]}  # ids[5] was never pushed: it passes through
    assert kept[ids[1]].messages[1].content == "改过的回答&"
    assert [s.action for s in kept[ids[1]].meta.lineage][:1] == ["edited"]
    assert kept[ids[4]].messages[1].content == "回答4"  # an empty edit keeps the draft
    assert result.counts.rejected == {"annotator_rejected": 1, "needs_fix": 1}
    released = run(records, AnnotateConfig(enabled=True, release_pending=True), decisions, pushed, NormalizeConfig())
    assert released.counts.rejected == {"annotator_rejected": 1}


def test_selection_modes(make_record) -> None:
    records = [make_record(("user", f"问题{i}"), ("assistant", "答"), file=f"src{i % 2}.jsonl") for i in range(200)]
    assert len(select(records, AnnotateConfig())) == 200
    assert {r.meta.source.file for r in select(records, AnnotateConfig(select="source", sources=["src1"]))} == {
        "src1.jsonl"
    }
    sampled = select(records, AnnotateConfig(select="sample", sample_rate=0.25))
    assert 25 < len(sampled) < 75 and sampled == select(records, AnnotateConfig(select="sample", sample_rate=0.25))
    assert select(records, AnnotateConfig(select="flagged"), {records[3].id}) == [records[3]]


def test_tasks_carry_the_key_the_dialogue_and_the_draft_as_a_prediction(make_record) -> None:
    record = make_record(
        ("system", "你是助手"), ("user", "第一问"), ("assistant", "第一答"), ("user", "第二问"), ("assistant", "草稿")
    )
    task = task_for(record)
    assert task["data"]["key"] == record.id and task["data"]["instruction"] == "第二问"
    assert [turn["speaker"] for turn in task["data"]["dialogue"]] == [
        "系统 System",
        "用户 User",
        "助手 Assistant",
        "用户 User",
    ]
    assert task["predictions"][0]["result"][0]["value"]["text"] == ["草稿"]
    config = labeling_config(["常识"])
    assert 'alias="needs-fix"' in config and '<Choice value="常识"/>' in config and "$dialogue" in config
