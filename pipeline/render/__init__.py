"""render: the chat-templated training text of each record, and its length in model tokens.

A Chat model's tokenizer carries its own template, and data must be rendered with it; a Base
model's tokenizer has none, so the configured fallback (ChatML) is used and the choice is
recorded in the manifest.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import AutoTokenizer

from pipeline.render.templates import FALLBACK_TEMPLATES
from schemas import RecordResult, Rejection, RenderConfig, SftRecord

STAGE = "render"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Renderer:
    tokenizer: Any
    template: str
    template_name: str = "tokenizer"


def load_renderer(tokenizer_name: str, config: RenderConfig) -> Renderer:
    """Load a tokenizer from a local folder or a hub id, and pick the template to render with."""
    local = Path(tokenizer_name).is_dir()
    try:
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_name, local_files_only=local, trust_remote_code=False)
    except OSError as err:
        raise ValueError(
            f"cannot load tokenizer {tokenizer_name!r}: {err}. Point `tokenizer` at a local folder "
            "or a hub id that is reachable (or already cached)."
        ) from None
    if tokenizer.chat_template:
        log.info("rendering with the chat template of %s (a Chat model's own)", tokenizer_name)
        return Renderer(tokenizer, tokenizer.chat_template, "tokenizer")
    log.info("%s has no chat template (a Base model): rendering with %s", tokenizer_name, config.fallback_template)
    return Renderer(tokenizer, FALLBACK_TEMPLATES[config.fallback_template], config.fallback_template)


def chat_messages(record: SftRecord) -> list[dict]:
    """Messages in the OpenAI form that chat templates expect."""
    messages = []
    for message in record.messages:
        item: dict = {"role": message.role, "content": message.content}
        if message.tool_calls:
            item["tool_calls"] = [
                {"type": "function", "function": {"name": c.name, "arguments": _json_or_text(c.arguments)}}
                for c in message.tool_calls
            ]
        messages.append(item)
    return messages


def _json_or_text(arguments: str) -> object:
    try:
        return json.loads(arguments)
    except json.JSONDecodeError:
        return arguments


def run(records: Iterable[SftRecord], config: RenderConfig, renderer: Renderer) -> RecordResult:
    kept: list[SftRecord] = []
    rejections: list[Rejection] = []
    count = 0
    for record in records:
        count += 1
        outcome = _render(record, config, renderer)
        (rejections if isinstance(outcome, Rejection) else kept).append(outcome)
    return RecordResult(stage=STAGE, input=count, kept=kept, rejections=rejections)


def _render(record: SftRecord, config: RenderConfig, renderer: Renderer) -> SftRecord | Rejection:
    tools = json.loads(record.tools) if record.tools else None
    try:
        text = renderer.tokenizer.apply_chat_template(
            chat_messages(record), tools=tools, chat_template=renderer.template, tokenize=False
        )
    except Exception as err:  # a template may raise anything (jinja errors, raise_exception)
        return _reject(record, "template_error", f"the chat template refused the record: {err}")
    tokens = len(renderer.tokenizer(text, add_special_tokens=False)["input_ids"])
    if config.max_tokens is not None and tokens > config.max_tokens:
        return _reject(record, "too_long", f"{tokens} tokens, more than render.max_tokens={config.max_tokens}")
    meta = record.meta.model_copy(update={"tokens": tokens})
    return record.model_copy(update={"text": text, "meta": meta})


def _reject(record: SftRecord, reason: str, detail: str) -> Rejection:
    return Rejection(record_id=record.id, stage=STAGE, reason=reason, detail=detail, source=record.meta.source)
