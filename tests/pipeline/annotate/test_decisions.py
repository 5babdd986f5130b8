from __future__ import annotations

import pytest

from pipeline.annotate.decisions import Vote, agreement, decide, decide_all, vote_from


def vote(key: str, who: str, verdict: str | None, response: str | None = None, at: str = "2026-01-01") -> Vote:
    return Vote(key, hash((key, who)) % 1000, who, verdict, response, None, None, None, at)


def test_vote_from_an_exported_annotation_reads_labels_and_aliases() -> None:
    exported = {
        "id": 7,
        "completed_by": "a@x",
        "updated_at": "2026-11-28T10:00:00Z",
        "result": [
            {"from_name": "verdict", "value": {"choices": ["拒绝 Reject"]}},
            {"from_name": "reject_reason", "value": {"choices": ["factual_error"]}},
            {"from_name": "response", "value": {"text": ["第一行", "第二行"]}},
            {"from_name": "category", "value": {"choices": ["科学"]}},
            {"from_name": "rating", "value": {"rating": 2}},
        ],
    }
    got = vote_from("k1", exported)
    assert (got.verdict, got.reject_reason, got.response, got.category, got.rating) == (
        "reject", "factual_error", "第一行\n第二行", "科学", 2,
    )  # fmt: skip


def test_majority_wins_and_ties_wait() -> None:
    votes = [vote("k", "a", "accept", "改后"), vote("k", "b", "accept"), vote("k", "c", "reject")]
    decided = decide(votes, "majority")
    assert decided.verdict == "accept" and decided.response == "改后" and decided.annotators == ("a", "b", "c")
    assert decide(votes[1:], "majority").verdict == "pending"  # one against one
    assert decide(votes, "adjudicate").verdict == "pending" and "disagree" in decide(votes, "adjudicate").detail


def test_no_verdict_is_pending_and_decide_all_groups_by_key() -> None:
    assert decide([vote("k", "a", None)], "majority").verdict == "pending"
    decisions = decide_all([vote("x", "a", "accept"), vote("y", "a", "needs-fix")], "majority")
    assert {k: d.verdict for k, d in decisions.items()} == {"x": "accept", "y": "needs-fix"}


def test_agreement_and_kappa() -> None:
    votes = [
        vote("1", "a", "accept"), vote("1", "b", "accept"),
        vote("2", "a", "reject"), vote("2", "b", "reject"),
        vote("3", "a", "accept"), vote("3", "b", "reject"),
        vote("4", "a", "accept"),
    ]  # fmt: skip
    stats = agreement(votes)
    assert stats["tasks_with_several_annotators"] == 3
    assert stats["percent_agreement"] == pytest.approx(2 / 3)
    # a: accept, reject, accept; b: accept, reject, reject -> p_e = (2*1 + 1*2) / 9
    assert stats["cohen_kappa"] == pytest.approx((2 / 3 - 4 / 9) / (1 - 4 / 9))
    assert agreement([vote("1", "a", "accept")])["cohen_kappa"] is None
