"""Row formats: alpaca, sharegpt, OpenAI messages and self-instruct seed tasks, to messages.

The format is detected per row from its keys, so a file that mixes formats, or whose first row
is odd, is still read correctly; a row that fits no format is rejected with the keys it has.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipeline.collect import jsonvalue
from pipeline.collect.problems import RowProblem
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


def _text(row: Mapping, key: str, required: bool = True, where: str = "") -> str:
    """A text field. A number is refused, not turned into text: `"output": 2` is a broken row
    (an export that lost its quoting, a column read as numbers), and "2" would train on it."""
    value = row.get(key)
    if value is None:
        if required:
            raise RowProblem("missing_field", f"{where}field {key!r} is missing")
        return ""
    if not isinstance(value, str):
        raise RowProblem("wrong_type", f"{where}field {key!r} should be text, got {_type(value)}")
    return value


def _type(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _alpaca(row: Mapping) -> list[Conversation]:
    messages = []
    system = _text(row, "system", required=False)
    if system.strip():
        messages.append(Message(role="system", content=system))
    history = row.get("history") or []
    if not isinstance(history, (list, tuple)):
        raise RowProblem(
            "wrong_type", f"field 'history' should be a list of [question, answer] pairs, got {_type(history)}"
        )
    for number, turn in enumerate(history, start=1):
        if not (isinstance(turn, (list, tuple)) and len(turn) == 2 and all(isinstance(t, str) for t in turn)):
            raise RowProblem("wrong_type", f"history item {number} should be a [question, answer] pair of texts")
        messages += [Message(role="user", content=turn[0]), Message(role="assistant", content=turn[1])]
    instruction, extra = _text(row, "instruction"), _text(row, "input", required=False)
    prompt = f"{instruction}\n{extra}" if instruction.strip() and extra.strip() else instruction + extra
    messages += [Message(role="user", content=prompt), Message(role="assistant", content=_text(row, "output"))]
    return [Conversation(tuple(messages))]


def _list(row: Mapping, key: str) -> list:
    value = row.get(key)
    if value is None:
        raise RowProblem("missing_field", f"field {key!r} is missing")
    if not isinstance(value, (list, tuple)):
        raise RowProblem("wrong_type", f"field {key!r} should be a list, got {_type(value)}")
    return list(value)


def _self_instruct(row: Mapping) -> list[Conversation]:
    instruction = _text(row, "instruction")
    conversations = []
    for number, instance in enumerate(_list(row, "instances"), start=1):
        if not isinstance(instance, Mapping):
            raise RowProblem("wrong_type", f"instance {number} should be an object, got {_type(instance)}")
        try:
            conversations += _alpaca({**instance, "instruction": instruction})
        except RowProblem as problem:
            raise RowProblem(problem.reason, f"instance {number}: {problem.detail}") from None
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
        speaker = turn.get("from")
        if not isinstance(speaker, str):
            raise RowProblem("wrong_type" if speaker is not None else "missing_field",
                             f"turn {number}: 'from' should be a role name, got {_type(speaker)}")  # fmt: skip
        role = SHAREGPT_ROLES.get(speaker.lower())
        if role is None:
            raise RowProblem("unknown_role", f"turn {number} is from {speaker!r}")
        value = _text(turn, "value", where=f"turn {number}: ")
        if speaker.lower() == "function_call":
            messages.append(Message(role="assistant", content="", tool_calls=_parse_calls(value, number)))
        else:
            messages.append(Message(role=role, content=value))
    return [Conversation(tuple(messages), _tools(row))]


def _parse_calls(value: str, number: int) -> tuple[ToolCall, ...]:
    parsed = _nested_json(value, "malformed_tool_call", f"turn {number}: ")
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
        where = f"turn {number}: arguments: "
        arguments = _nested_json(arguments, "malformed_tool_call", where) if arguments.strip() else {}
    _json_only(arguments, "malformed_tool_call", f"turn {number}: arguments")
    return ToolCall(function=ToolFunction(name=call["name"], arguments=arguments))


def _nested_json(text: str, reason: str, where: str) -> object:
    """JSON held in a string field (tool calls, tool schemas), with the checks of a whole row."""
    try:
        return jsonvalue.loads(text, where)
    except RowProblem as problem:
        code = reason if problem.reason == "malformed_json" else problem.reason
        raise RowProblem(code, problem.detail) from None


def _json_only(value: object, reason: str, where: str) -> None:
    """Refuse values JSON cannot hold (bytes, dates, NaN from a Parquet column) before pydantic does."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, str) for key in item):
                raise RowProblem(reason, f"{where}: an object key is not text")
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise RowProblem(reason, f"{where}: {item} is not a JSON number")
        elif item is not None and not isinstance(item, (str, int, float, bool)):
            raise RowProblem(reason, f"{where}: a {_type(item)} is not a JSON value")


def _openai(row: Mapping) -> list[Conversation]:
    messages = tuple(_openai_message(turn, n) for n, turn in enumerate(_list(row, "messages"), start=1))
    return [Conversation(messages, _tools(row))]


def _openai_message(turn: object, number: int) -> Message:
    if not isinstance(turn, Mapping):
        raise RowProblem("wrong_type", f"message {number} should be an object")
    name = turn.get("role")
    if not isinstance(name, str):
        raise RowProblem("wrong_type" if name is not None else "missing_field",
                         f"message {number}: 'role' should be a role name, got {_type(name)}")  # fmt: skip
    role = OPENAI_ROLES.get(name.lower())
    if role is None:
        raise RowProblem("unknown_role", f"message {number} has role {name!r}")
    content = turn.get("content")
    if isinstance(content, list):
        content = "".join(_text_part(part, number) for part in content)
    if content is not None and not isinstance(content, str):
        raise RowProblem("wrong_type", f"message {number}: content should be text, got {_type(content)}")
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
        tools = _nested_json(tools, "malformed_tools", "field 'tools': ")
    listed = tuple(tools) if isinstance(tools, (list, tuple)) else (tools,)
    if not all(isinstance(tool, Mapping) for tool in listed):
        raise RowProblem("malformed_tools", "field 'tools' should hold tool schemas (objects)")
    _json_only(listed, "malformed_tools", "field 'tools'")
    return listed


_CONVERTERS: dict[str, Callable[[Mapping], list[Conversation]]] = {
    "alpaca": _alpaca,
    "sharegpt": _sharegpt,
    "openai": _openai,
    "self_instruct": _self_instruct,
}
