"""Trim a multi-turn chat to its answered, non-empty exchanges instead of refusing all of it.

A chat of twenty good exchanges whose last user turn got no reply, or whose fifth answer is
empty, used to be refused whole (`ends_without_answer`, `empty_content`): the good exchanges
were lost with the bad one. An exchange is a user turn and everything up to the next user turn
(an answer, or tool calls, tool results and then an answer). An exchange is cut when its user
turn or its final answer is empty, or when it is the last exchange and has no final answer (a
trailing user turn, a tool call left without a reply; in the middle of a chat that is a role-order
fault). A chat is trimmed only when what remains is at least one exchange;
otherwise the record is left as it is and the checks that follow refuse it with their reason.
Chats whose roles are out of order are left alone too: that is a different fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from schemas import Message


@dataclass(frozen=True)
class Cut:
    """One exchange removed: 1-based message numbers of the original record, and why."""

    first: int
    last: int
    why: str

    def __str__(self) -> str:
        where = f"message {self.first}" if self.first == self.last else f"messages {self.first}-{self.last}"
        return f"{where}: {self.why}"


def exchanges(messages: Sequence[Message]) -> tuple[int, list[range]] | None:
    """(length of the system prefix, index ranges of the exchanges), or None when a turn comes
    before the first user turn (nothing to split on)."""
    start = 0
    while start < len(messages) and messages[start].role == "system":
        start += 1
    if start == len(messages) or messages[start].role != "user":
        return None
    starts = [i for i in range(start, len(messages)) if messages[i].role == "user"]
    ends = [*starts[1:], len(messages)]
    return start, [range(a, b) for a, b in zip(starts, ends, strict=True)]


def _fault(messages: Sequence[Message], span: range, last: bool) -> str | None:
    user, rest = messages[span[0]], [messages[i] for i in span[1:]]
    if any(m.role == "system" for m in rest):
        return None  # a misplaced system prompt is for the role check to report
    unanswered = not rest or rest[-1].role != "assistant" or bool(rest[-1].tool_calls)
    if unanswered and not last:
        return None  # two user turns in a row: role order, not a missing answer
    if not user.content.strip():
        return "empty user turn"
    if not rest:
        return "user turn without an answer"
    final = rest[-1]
    if unanswered:
        return "tool call without an answer"
    if not final.content.strip():
        return "empty answer"
    if any(not m.content.strip() and not m.tool_calls for m in rest[:-1]):
        return "empty turn inside the exchange"
    return None


def trim(messages: Sequence[Message]) -> tuple[tuple[Message, ...], list[Cut]]:
    """The messages without the faulty exchanges, and what was cut (nothing when it cannot help)."""
    split = exchanges(messages)
    if split is None:
        return tuple(messages), []
    prefix, spans = split
    faults = [_fault(messages, span, last=i == len(spans) - 1) for i, span in enumerate(spans)]
    if not any(faults) or all(faults):
        return tuple(messages), []
    kept = list(messages[:prefix])
    cuts = []
    for span, fault in zip(spans, faults, strict=True):
        if fault is None:
            kept += [messages[i] for i in span]
        else:
            cuts.append(Cut(span[0] + 1, span[-1] + 1, fault))
    return tuple(kept), cuts
