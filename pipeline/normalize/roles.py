"""Role order: optional system, then user and assistant taking turns, ending with an answer.

Tool use is the one exception to strict alternation: an assistant turn that calls tools is
followed by one or more tool turns, and then by the assistant again.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas import Message


def role_problem(messages: Sequence[Message]) -> tuple[str, str] | None:
    """(reason code, detail) for the first role-order problem, or None."""
    if not messages:
        return "no_messages", "the conversation has no messages"
    for index, message in enumerate(messages):
        if message.role == "system" and index > 0:
            return "system_not_first", f"message {index + 1} is a system message after the first"
    turns = [m for m in messages if m.role != "system"]
    if not turns:
        return "ends_without_answer", "the conversation has only a system prompt"
    previous = None
    for number, message in enumerate(turns, start=1 + len(messages) - len(turns)):
        if message.role not in _ALLOWED_AFTER[_state(previous)]:
            after = f"after {previous.role}" if previous else "first"
            return "roles_out_of_order", f"message {number} is {message.role} {after}"
        previous = message
    if previous.role != "assistant" or previous.tool_calls:
        return "ends_without_answer", f"the last message is {previous.role}, not an assistant answer"
    return None


def _state(previous: Message | None) -> str:
    if previous is None:
        return "start"
    if previous.role == "assistant" and previous.tool_calls:
        return "tool_call"
    return previous.role


_ALLOWED_AFTER = {
    "start": {"user"},
    "user": {"assistant"},
    "assistant": {"user"},
    "tool_call": {"tool"},
    "tool": {"tool", "assistant"},
}
