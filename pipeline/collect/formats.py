"""Row formats: alpaca, sharegpt, OpenAI messages and self-instruct seed tasks, to messages.

The format is detected per row from its keys, so a file that mixes formats, or whose first row
is odd, is still read correctly; a row that fits no format is rejected with the keys it has.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from schemas import ColumnMapping, Message, ToolCall, ToolFunction

SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "bot": "assistant",
    "chatgpt": "assistant",
    "system": "system",
    "observation": "tool",
    "tool": "tool",
    "function_call": "assistant",
}
OPENAI_ROLES = {"system": "system", "user": "user", "assistant": "assistant", "tool": "tool", "function": "tool"}


class RowProblem(ValueError):
    """A row that cannot become a conversation; `reason` is the rejection's reason code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Conversation:
    messages: tuple[Message, ...]
    tools: tuple[object, ...] | None = None


def detect_format(row: Mapping) -> str | None:
    if isinstance(row.get("messages"), list):
        return "openai"
    if isinstance(row.get("conversations"), list):
        return "sharegpt"
    if "instruction" in row and isinstance(row.get("instances"), list):
        return "self_instruct"
    if "instruction" in row and "output" in row:
        return "alpaca"
    return None


def to_conversations(row: object, fmt: str, columns: ColumnMapping | None) -> list[Conversation]:
    """One conversation per row (several for a self-instruct task with several instances)."""
    if not isinstance(row, Mapping):
        raise RowProblem("not_an_object", f"expected a JSON object, got {type(row).__name__}")
    if columns is not None:
        return _alpaca(_remap(row, columns))
    if fmt == "auto":
        fmt = detect_format(row) or ""
        if not fmt:
            keys = ", ".join(sorted(map(str, row))) or "none"
            raise RowProblem(
                "unknown_format",
                f"no alpaca, sharegpt, openai or self-instruct keys (keys: {keys}); map columns in the source config",
            )
    converter = _CONVERTERS.get(fmt)
    if converter is None:
        raise ValueError(f"format {fmt!r} has no row converter")
    return converter(row)


def _remap(row: Mapping, columns: ColumnMapping) -> dict:
    remapped = {}
    for field, column in columns.model_dump(exclude_none=True).items():
        if column not in row:
            raise RowProblem("missing_field", f"mapped column {column!r} (for {field}) is absent")
        remapped[field] = row[column]
    return remapped


def _text(row: Mapping, key: str, required: bool = True) -> str:
    value = row.get(key)
    if value is None:
        if required:
            raise RowProblem("missing_field", f"field {key!r} is missing")
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise RowProblem("wrong_type", f"field {key!r} should be text, got {type(value).__name__}")
    return value


def _alpaca(row: Mapping) -> list[Conversation]:
    messages = []
    system = _text(row, "system", required=False)
    if system.strip():
        messages.append(Message(role="system", content=system))
    history = row.get("history") or []
    if not isinstance(history, list) or not all(isinstance(t, (list, tuple)) and len(t) == 2 for t in history):
        raise RowProblem("wrong_type", "field 'history' should be a list of [question, answer] pairs")
    for question, answer in history:
        messages += [Message(role="user", content=str(question)), Message(role="assistant", content=str(answer))]
    instruction, extra = _text(row, "instruction"), _text(row, "input", required=False)
    prompt = f"{instruction}\n{extra}" if instruction.strip() and extra.strip() else instruction + extra
    messages += [Message(role="user", content=prompt), Message(role="assistant", content=_text(row, "output"))]
    return [Conversation(tuple(messages))]


def _list(row: Mapping, key: str) -> list:
    value = row.get(key)
    if not isinstance(value, list):
        raise RowProblem("missing_field", f"field {key!r} should be a list")
    return value


def _self_instruct(row: Mapping) -> list[Conversation]:
    instruction = _text(row, "instruction")
    conversations = []
    for instance in _list(row, "instances"):
        if not isinstance(instance, Mapping):
            raise RowProblem("wrong_type", "each item of 'instances' should be an object")
        conversations += _alpaca({"instruction": instruction, **instance})
    if not conversations:
        raise RowProblem("missing_field", "'instances' is empty")
    return conversations


def _sharegpt(row: Mapping) -> list[Conversation]:
    messages = []
    system = _text(row, "system", required=False)
    if system.strip():
        messages.append(Message(role="system", content=system))
    for number, turn in enumerate(_list(row, "conversations"), start=1):
        if not isinstance(turn, Mapping):
            raise RowProblem("wrong_type", f"turn {number} should be an object")
        if "role" in turn:
            messages.append(_openai_message(turn, number))
            continue
        speaker = str(turn.get("from", ""))
        role = SHAREGPT_ROLES.get(speaker.lower())
        if role is None:
            raise RowProblem("unknown_role", f"turn {number} is from {speaker!r}")
        value = _text(turn, "value")
        if speaker.lower() == "function_call":
            messages.append(Message(role="assistant", content="", tool_calls=_parse_calls(value, number)))
        else:
            messages.append(Message(role=role, content=value))
    return [Conversation(tuple(messages), _tools(row))]


def _parse_calls(value: str, number: int) -> tuple[ToolCall, ...]:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as err:
        raise RowProblem("malformed_tool_call", f"turn {number}: {err.msg}") from None
    calls = parsed if isinstance(parsed, list) else [parsed]
    return tuple(_tool_call(call, number) for call in calls)


def _tool_call(call: object, number: int) -> ToolCall:
    """A call in the OpenAI shape; arguments given as JSON text are parsed (and must parse)."""
    if isinstance(call, Mapping) and isinstance(call.get("function"), Mapping):
        call = call["function"]
    if not isinstance(call, Mapping) or not isinstance(call.get("name"), str):
        raise RowProblem("malformed_tool_call", f"turn {number}: a tool call needs a 'name'")
    arguments = call.get("arguments", {})
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError as err:
            raise RowProblem("malformed_tool_call", f"turn {number}: arguments are not JSON: {err.msg}") from None
    return ToolCall(function=ToolFunction(name=call["name"], arguments=arguments))


def _openai(row: Mapping) -> list[Conversation]:
    messages = tuple(_openai_message(turn, n) for n, turn in enumerate(_list(row, "messages"), start=1))
    return [Conversation(messages, _tools(row))]


def _openai_message(turn: object, number: int) -> Message:
    if not isinstance(turn, Mapping):
        raise RowProblem("wrong_type", f"message {number} should be an object")
    role = OPENAI_ROLES.get(str(turn.get("role", "")).lower())
    if role is None:
        raise RowProblem("unknown_role", f"message {number} has role {turn.get('role')!r}")
    content = turn.get("content")
    if isinstance(content, list):
        content = "".join(_text_part(part, number) for part in content)
    if content is not None and not isinstance(content, str):
        raise RowProblem("wrong_type", f"message {number}: content should be text")
    calls = turn.get("tool_calls") or ()
    if not isinstance(calls, (list, tuple)):
        raise RowProblem("wrong_type", f"message {number}: tool_calls should be a list, got {type(calls).__name__}")
    return Message(role=role, content=content or "", tool_calls=tuple(_tool_call(call, number) for call in calls))


def _text_part(part: object, number: int) -> str:
    """The text of one content part; image and audio parts carry none."""
    if not isinstance(part, Mapping):
        raise RowProblem("wrong_type", f"message {number}: a content part should be an object")
    text = part.get("text", "")
    if not isinstance(text, str):
        raise RowProblem("wrong_type", f"message {number}: a content part's text should be text")
    return text


def _tools(row: Mapping) -> tuple[object, ...] | None:
    tools = row.get("tools")
    if tools in (None, "", []):
        return None
    if isinstance(tools, str):
        try:
            tools = json.loads(tools)
        except json.JSONDecodeError as err:
            raise RowProblem("malformed_tools", f"field 'tools' is not JSON: {err.msg}") from None
    return tuple(tools) if isinstance(tools, list) else (tools,)


_CONVERTERS: dict[str, Callable[[Mapping], list[Conversation]]] = {
    "alpaca": _alpaca,
    "sharegpt": _sharegpt,
    "openai": _openai,
    "self_instruct": _self_instruct,
}
