"""Annotations to decisions: what each annotator said, and what the data does about it.

Raw annotations are Label Studio's export: untrusted input (edited text goes through normalize
and clean like any other text). Several annotators on one task are reconciled by the conflict
policy: `majority` takes the most common verdict (a tie goes back to the queue), `adjudicate`
sends any disagreement back to the queue. Agreement is reported as percent agreement and
Cohen's kappa on the verdicts of tasks with two or more annotators.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from pipeline.annotate.interface import REJECT_REASONS, VERDICTS

_VERDICT_OF_LABEL = {label: key for key, label in VERDICTS.items()} | {key: key for key in VERDICTS}
_REASON_OF_LABEL = {label: key for key, label in REJECT_REASONS.items()} | {key: key for key in REJECT_REASONS}


@dataclass(frozen=True)
class Vote:
    """One annotator's judgement of one task."""

    key: str
    annotation_id: int
    annotator: str
    verdict: str | None
    response: str | None
    reject_reason: str | None
    category: str | None
    rating: int | None
    updated_at: str


@dataclass(frozen=True)
class Decision:
    key: str
    verdict: str  # accept, reject, needs-fix, or pending (no verdict yet, or a conflict)
    response: str | None
    reject_reason: str | None
    category: str | None
    annotators: tuple[str, ...]
    updated_at: str
    detail: str = ""


def vote_from(key: str, annotation: dict) -> Vote:
    """Read one exported annotation (Label Studio's JSON) into a Vote."""
    fields: dict[str, object] = {}
    for item in annotation.get("result") or []:
        value = item.get("value") or {}
        name = item.get("from_name")
        if value.get("choices"):
            fields[name] = value["choices"][0]
        elif "text" in value:
            text = value["text"]
            fields[name] = "\n".join(text) if isinstance(text, list) else str(text)
        elif "rating" in value:
            fields[name] = int(value["rating"])
    author = annotation.get("completed_by")
    if isinstance(author, dict):
        author = author.get("email") or author.get("id")
    return Vote(
        key=key,
        annotation_id=int(annotation["id"]),
        annotator=str(author),
        verdict=_VERDICT_OF_LABEL.get(str(fields.get("verdict"))) if "verdict" in fields else None,
        response=fields.get("response"),  # type: ignore[arg-type]
        reject_reason=_REASON_OF_LABEL.get(str(fields.get("reject_reason"))) if "reject_reason" in fields else None,
        category=fields.get("category"),  # type: ignore[arg-type]
        rating=fields.get("rating"),  # type: ignore[arg-type]
        updated_at=str(annotation.get("updated_at") or annotation.get("created_at") or ""),
    )


def decide(votes: list[Vote], policy: str) -> Decision:
    """One decision for a task from all its annotators' votes."""
    key = votes[0].key
    judged = [v for v in votes if v.verdict]
    annotators = tuple(sorted({v.annotator for v in judged}))
    latest = max((v.updated_at for v in votes), default="")
    if not judged:
        return Decision(key, "pending", None, None, None, annotators, latest, "no verdict yet")
    counts = Counter(v.verdict for v in judged).most_common()
    disagree = len(counts) > 1
    tie = disagree and counts[0][1] == counts[1][1]
    if disagree and (policy == "adjudicate" or tie):
        summary = ", ".join(f"{verdict} x{n}" for verdict, n in counts)
        return Decision(key, "pending", None, None, None, annotators, latest, f"annotators disagree ({summary})")
    verdict = counts[0][0]
    winners = sorted((v for v in judged if v.verdict == verdict), key=lambda v: v.updated_at)

    def latest_of(field: str) -> str | None:
        """The newest non-empty value among the winning votes (one edits, another just agrees)."""
        values = [getattr(v, field) for v in winners if getattr(v, field)]
        return values[-1] if values else None

    response, reason, category = latest_of("response"), latest_of("reject_reason"), latest_of("category")
    return Decision(key, verdict, response, reason, category, annotators, latest)


def agreement(votes: list[Vote]) -> dict:
    """Percent agreement and Cohen's kappa over pairs of annotators on shared tasks."""
    by_task: dict[str, dict[str, str]] = {}
    for vote in votes:
        if vote.verdict:
            by_task.setdefault(vote.key, {})[vote.annotator] = vote.verdict
    pairs = [(verdicts[x], verdicts[y]) for verdicts in by_task.values() for x, y in combinations(sorted(verdicts), 2)]
    if not pairs:
        return {"tasks_with_several_annotators": 0, "percent_agreement": None, "cohen_kappa": None}
    observed = sum(a == b for a, b in pairs) / len(pairs)
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in set(first) | set(second)) / len(pairs) ** 2
    kappa = 1.0 if expected == 1 else (observed - expected) / (1 - expected)
    shared = sum(1 for verdicts in by_task.values() if len(verdicts) > 1)
    return {"tasks_with_several_annotators": shared, "percent_agreement": observed, "cohen_kappa": kappa}


def decide_all(votes: list[Vote], policy: str) -> dict[str, Decision]:
    """key -> decision, for every task that has at least one vote."""
    by_key: dict[str, list[Vote]] = {}
    for vote in votes:
        by_key.setdefault(vote.key, []).append(vote)
    return {key: decide(group, policy) for key, group in by_key.items()}
