"""normalize: repair and canonicalise text, then refuse what cannot be trained on.

Steps run in the order of `_steps`: text cleaners first (each change recorded in lineage), then
the trimming of unanswered or empty exchanges of a chat (turns.py; lineage says what was cut),
then checks that turn a record into a rejection with its own reason code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pipeline.dedup.sketch import unify_lookalikes
from pipeline.ids import json_text
from pipeline.normalize import mojibake, text, turns
from pipeline.normalize.roles import role_problem
from schemas import NormalizeConfig, RecordResult, Rejection, SftRecord

STAGE = "normalize"

Step = Callable[[SftRecord], SftRecord | Rejection]


def run(records: Iterable[SftRecord], config: NormalizeConfig) -> RecordResult:
    steps = _steps(config)
    kept: list[SftRecord] = []
    rejections: list[Rejection] = []
    count = 0
    for record in records:
        count += 1
        outcome: SftRecord | Rejection = record
        for step in steps:
            outcome = step(outcome)
            if isinstance(outcome, Rejection):
                break
        (rejections if isinstance(outcome, Rejection) else kept).append(outcome)
    return RecordResult(stage=STAGE, input=count, kept=kept, rejections=rejections)


def _steps(config: NormalizeConfig) -> list[Step]:
    steps: list[Step] = []
    if config.fix_mojibake:
        steps.append(_repair_mojibake)
    steps.append(_cleaner(text.strip_invisible, "removed_invisible"))
    if config.unescape_html:
        steps.append(_cleaner(text.unescape_html, "unescaped_html"))
    if config.fix_literal_newlines:
        steps.append(_cleaner(text.fix_literal_newlines, "fixed_literal_newlines"))
    if config.fold_fullwidth_ascii:
        steps.append(_cleaner(text.fold_fullwidth_ascii, "folded_fullwidth"))
    if config.fold_cjk_variants:
        # Kangxi radicals and compatibility ideographs look like ideographs but are other code points
        # ("拼⾳输⼊码" is not 拼音输入码); one fold, dedup's, so normalize and near-dup keys agree.
        steps.append(_cleaner(unify_lookalikes, "folded_cjk_variants"))
    if config.to_simplified:
        steps.append(_cleaner(_simplifier(), "to_simplified"))
    if config.strip_turns:
        steps.append(_cleaner(text.strip_turn, "stripped_whitespace"))
    if config.trim_exchanges:
        steps.append(_trim_exchanges)
    steps += [_check_empty, _check_roles, _length_check(config.max_chars)]
    return steps


def _map_contents(record: SftRecord, clean: Callable[[str], str]) -> SftRecord | None:
    """A copy with every message's content cleaned, or None when nothing changed."""
    cleaned = [clean(m.content) for m in record.messages]
    if all(new == m.content for new, m in zip(cleaned, record.messages, strict=True)):
        return None
    messages = tuple(m.model_copy(update={"content": new}) for m, new in zip(record.messages, cleaned, strict=True))
    return record.model_copy(update={"messages": messages})


def _cleaner(clean: Callable[[str], str], action: str) -> Step:
    def step(record: SftRecord) -> SftRecord:
        changed = _map_contents(record, clean)
        if changed is None:
            return record
        return changed.with_lineage(STAGE, action)

    return step


def _simplifier() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert


def _repair_mojibake(record: SftRecord) -> SftRecord | Rejection:
    for number, message in enumerate(record.messages, start=1):
        if mojibake.REPLACEMENT in message.content:
            return _reject(record, "replacement_char", f"message {number} has U+FFFD: bytes were lost in decoding")
        if mojibake.lost_characters(message.content):
            return _reject(record, "mojibake", f"message {number} has characters lost to '?' by a legacy encoding")
    garbled = [n for n, m in enumerate(record.messages, start=1) if mojibake.looks_garbled(m.content)]
    if not garbled:
        return record
    repaired = []
    for number, message in enumerate(record.messages, start=1):
        content = mojibake.repair(message.content) if number in garbled else message.content
        if content is None:
            sample = message.content[:40]
            return _reject(record, "mojibake", f"message {number} is garbled beyond repair: {sample!r}")
        repaired.append(message.model_copy(update={"content": content}))
    detail = f"messages {', '.join(map(str, garbled))}"
    return record.with_lineage(STAGE, "repaired_mojibake", detail, messages=tuple(repaired))


def _trim_exchanges(record: SftRecord) -> SftRecord:
    messages, cuts = turns.trim(record.messages)
    if not cuts:
        return record
    detail = "; ".join(map(str, cuts))
    return record.with_lineage(STAGE, "trimmed_exchanges", detail, count=len(cuts), messages=messages)


def _check_empty(record: SftRecord) -> SftRecord | Rejection:
    for number, message in enumerate(record.messages, start=1):
        if not message.content.strip() and not message.tool_calls:
            return _reject(record, "empty_content", f"message {number} ({message.role}) is empty")
    return record


def _check_roles(record: SftRecord) -> SftRecord | Rejection:
    problem = role_problem(record.messages)
    return _reject(record, *problem) if problem else record


def _length_check(max_chars: int) -> Step:
    def step(record: SftRecord) -> SftRecord | Rejection:
        chars = sum(
            len(m.content) + sum(len(json_text(c.function.arguments)) for c in m.tool_calls) for m in record.messages
        )
        if chars > max_chars:
            return _reject(record, "too_long_chars", f"{chars} characters, more than normalize.max_chars={max_chars}")
        return record

    return step


def _reject(record: SftRecord, reason: str, detail: str) -> Rejection:
    return Rejection(record_id=record.id, stage=STAGE, reason=reason, detail=detail, source=record.meta.source)
