"""Stable record ids: the same content gives the same id on every machine and every run."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence

from schemas import Message

ID_HEX_CHARS = 16


def digest(text: str, length: int = ID_HEX_CHARS) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def json_text(value: object) -> str:
    """JSON text of arguments or tool schemas, as ids have hashed them since the first release."""
    return json.dumps(value, ensure_ascii=False)


def content_key(messages: Sequence[Message], tools: Sequence[object] | None = None) -> str:
    """Canonical text of a conversation: NFC, outer whitespace trimmed, roles and tool calls kept."""
    turns = [
        [
            m.role,
            unicodedata.normalize("NFC", m.content).strip(),
            [[c.function.name, json_text(c.function.arguments)] for c in m.tool_calls],
        ]
        for m in messages
    ]
    return json.dumps([turns, json_text(list(tools)) if tools else ""], ensure_ascii=False, separators=(",", ":"))


def record_id(messages: Sequence[Message], tools: Sequence[object] | None = None) -> str:
    """The id a record keeps through every stage: a hash of its content as collected.

    Two records with the same content share an id until dedup keeps one of them; the rejection
    of the other carries its own source pointer, so the ledger still says which line it was.
    """
    return digest(content_key(messages, tools))
