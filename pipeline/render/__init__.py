"""render: the chat-templated training text of each record, its length and its loss mask.

SFT on a Chat or a Base model? A Chat model already speaks its own dialogue format, so data
for it must be rendered with its template (the tokenizer carries it); choose it for dialogue
tasks. A Base model has no template, so the configured one (ChatML by default) teaches it one;
choose it for single-turn or non-dialogue generation. The choice and its reason go into the
manifest.

Loss masks: a model should learn the assistant's turns (and the token that ends them), not the
prompt. Templates with `{% generation %}` markers give the character spans of those turns in the
same rendering that gives the text; for the others each assistant turn is located by rendering
the conversation up to it (the "prefix" with a generation prompt, then the turn itself) and
taking the difference. The text is tokenized once, for its token count and to check the mask: a
record whose mask is empty or does not end on an end-of-turn token is refused, because it would
train nothing or teach the model never to stop.

A local tokenizer folder with a `tokenizer.json` is loaded as a plain fast tokenizer: that reads
the same vocabulary, special tokens and chat template as `AutoTokenizer`, without importing torch
(which `AutoTokenizer` does through the model configs, seconds of start-up on every worker).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline.render.templates import FALLBACK_TEMPLATES
from schemas import Message, RecordResult, Rejection, RenderConfig, Segmentation, SftRecord

STAGE = "render"


@dataclass(frozen=True)
class MaskProblem:
    reason: str
    detail: str


@dataclass(frozen=True)
class Renderer:
    tokenizer: Any
    template: str
    template_name: str = "tokenizer"
    reason: str = ""

    @property
    def uses_generation_markers(self) -> bool:
        return "{% generation %}" in self.template or "{%- generation %}" in self.template

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Token ids and character offsets of the rendered text, from the Rust tokenizer itself:
        the same ids and offsets as `tokenizer(text, return_offsets_mapping=True)` without its
        Python wrapping (a quarter of render's tokenizing time)."""
        encoding = self.tokenizer.backend_tokenizer.encode(text, add_special_tokens=False)
        return encoding.ids, encoding.offsets

    @cached_property
    def special_ids(self) -> set[int]:
        return set(self.tokenizer.all_special_ids) | set(self.tokenizer.added_tokens_decoder)

    @cached_property
    def control_tokens(self) -> tuple[str, ...]:
        """Special tokens a chat template uses as structure (`<|im_end|>`), longest first."""
        tokens = {t.content for t in self.tokenizer.added_tokens_decoder.values() if t.special and len(t.content) > 2}
        return tuple(sorted(tokens, key=len, reverse=True))


def load_tokenizer(name: str) -> Any:
    """A fast tokenizer from a local folder (without torch when it has tokenizer.json) or a hub id."""
    folder = Path(name)
    if (folder / "tokenizer.json").is_file():
        from transformers import PreTrainedTokenizerFast

        return PreTrainedTokenizerFast.from_pretrained(name, local_files_only=True)
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(name, local_files_only=folder.is_dir(), trust_remote_code=False)


def load_renderer(tokenizer_name: str, config: RenderConfig) -> Renderer:
    """Load a tokenizer from a local folder or a hub id, and pick the template to render with."""
    try:
        tokenizer = load_tokenizer(tokenizer_name)
    except OSError as err:
        raise ValueError(
            f"cannot load tokenizer {tokenizer_name!r}: {err}. Point `tokenizer` at a local folder "
            "or a hub id that is reachable (or already cached)."
        ) from None
    if not tokenizer.is_fast:
        raise ValueError(f"tokenizer {tokenizer_name!r} is not a fast tokenizer; loss masks need its offsets")
    if tokenizer.chat_template:
        reason = "the tokenizer has its own chat template (a Chat model): data is rendered in the format it knows"
        return Renderer(tokenizer, tokenizer.chat_template, "tokenizer", reason)
    template, needed = FALLBACK_TEMPLATES[config.fallback_template]
    missing = [token for token in needed if token not in tokenizer.get_vocab()]
    if missing:
        raise ValueError(
            f"render.fallback_template {config.fallback_template!r} needs the special tokens {missing}, "
            f"which tokenizer {tokenizer_name!r} lacks; choose another fallback template"
        )
    reason = (
        f"the tokenizer has no chat template (a Base model): rendering with the configured "
        f"{config.fallback_template!r} template, which training will teach it"
    )
    return Renderer(tokenizer, template, config.fallback_template, reason)


def chat_messages(messages: Iterable[Message]) -> list[dict]:
    """Messages in the OpenAI form that chat templates expect."""
    return [message.model_dump(mode="json") for message in messages]


def run(records: Iterable[SftRecord], config: RenderConfig, renderer: Renderer) -> RecordResult:
    kept: list[SftRecord] = []
    rejections: list[Rejection] = []
    count = 0
    for record in records:
        count += 1
        outcome = _render(_apply_system_policy(record, config), config, renderer)
        (rejections if isinstance(outcome, Rejection) else kept).append(outcome)
    return RecordResult(stage=STAGE, input=count, kept=kept, rejections=rejections)


def _apply_system_policy(record: SftRecord, config: RenderConfig) -> SftRecord:
    has_system = bool(record.messages) and record.messages[0].role == "system"
    segments = record.segments
    if config.system == "drop" and has_system:
        changes = {"messages": record.messages[1:], "segments": segments[1:] if segments else None}
        return record.with_lineage(STAGE, "dropped_system", **changes)
    if config.system == "inject" and not has_system:
        prompt = Message(role="system", content=config.system_prompt or "")
        changes = {
            "messages": (prompt, *record.messages),
            "segments": (Segmentation(words=()), *segments) if segments else None,
        }
        return record.with_lineage(STAGE, "injected_system", **changes)
    return record


def _render(record: SftRecord, config: RenderConfig, renderer: Renderer) -> SftRecord | Rejection:
    tools = list(record.tools) if record.tools else None
    leaked = _control_token_in(record, renderer)
    if leaked:
        return _reject(record, "control_token_in_text", f"the text contains the tokenizer's control token {leaked!r}")
    dropped = 0
    while True:
        try:
            text, marked = _rendered(renderer, record.messages, tools, marks=renderer.uses_generation_markers)
        except Exception as err:  # a template may raise anything (jinja errors, raise_exception)
            return _reject(record, "template_error", f"the chat template refused the record: {err}")
        ids, offsets = renderer.encode(text)
        tokens = len(ids)
        if config.max_tokens is None or tokens <= config.max_tokens:
            break
        cut = _first_exchange(record.messages) if config.overlength == "drop_turns" else None
        if cut is None:
            detail = f"{tokens} tokens, more than render.max_tokens={config.max_tokens}"
            return _reject(record, "too_long", detail + (f" after dropping {dropped} turns" if dropped else ""))
        start, end = cut
        dropped += end - start
        segments = record.segments[:start] + record.segments[end:] if record.segments else None
        record = record.model_copy(
            update={"messages": record.messages[:start] + record.messages[end:], "segments": segments}
        )
    if dropped:
        record = record.with_lineage(STAGE, "dropped_turns", "earliest turns dropped to fit max_tokens", count=dropped)
    missing = _dropped(record, text)
    if missing:
        return _reject(record, "template_dropped_content", f"the chat template leaves out {missing}")
    spans = marked if marked else _prefix_spans(record, renderer, tools, text)
    masked = spans if isinstance(spans, MaskProblem) else _audit(spans, renderer, ids, offsets, text)
    if isinstance(masked, MaskProblem):
        return _reject(record, masked.reason, masked.detail)
    spans, trained = masked
    meta = record.meta.model_copy(
        update={
            "tokens": tokens,
            "chars": sum(len(m.content) for m in record.messages if m.role in ("user", "assistant")),
            "words": _word_count(record),
            "assistant_spans": spans,
            "trained_tokens": trained,
        }
    )
    return record.model_copy(update={"text": text, "meta": meta})


def _control_token_in(record: SftRecord, renderer: Renderer) -> str | None:
    """A special token written in a message (it would be read as a real turn boundary), if any."""
    for message in record.messages:
        if "<" in message.content or "[" in message.content:
            for token in renderer.control_tokens:
                if token in message.content:
                    return token
    return None


def _rendered(
    renderer: Renderer, messages: Iterable[Message], tools: list | None, marks: bool = False, **options: Any
) -> tuple[str, list[tuple[int, int]] | None]:
    """The text, and with `marks` the character spans of its {% generation %} blocks, from one rendering.

    This is what `apply_chat_template` does inside (transformers.utils.chat_template_utils), without
    its tokenization: the spans come from the same rendering as the text, so they cannot disagree.
    """
    from transformers.utils.chat_template_utils import render_jinja_template

    texts, indices = render_jinja_template(
        conversations=[chat_messages(messages)],
        tools=tools,
        chat_template=renderer.template,
        return_assistant_tokens_mask=marks,
        **{**renderer.tokenizer.special_tokens_map, **options},
    )
    return texts[0], ([tuple(span) for span in indices[0]] if marks else None)


def _template(renderer: Renderer, messages: Iterable[Message], tools: list | None, **options: Any) -> str:
    return _rendered(renderer, messages, tools, **options)[0]


def _first_exchange(messages: tuple[Message, ...]) -> tuple[int, int] | None:
    """[start, end) of the earliest exchange: a user turn and everything up to the next one.

    The system prompt stays; an assistant turn is never cut in half; the last exchange is
    never dropped (then the record is too long whatever is done).
    """
    start = 1 if messages and messages[0].role == "system" else 0
    users = [i for i in range(start, len(messages)) if messages[i].role == "user"]
    return (start, users[1]) if len(users) >= 2 else None


def _prefix_spans(
    record: SftRecord, renderer: Renderer, tools: list | None, text: str
) -> list[tuple[int, int]] | MaskProblem:
    spans = []
    for index, message in enumerate(record.messages):
        if message.role != "assistant":
            continue
        prefix = _template(renderer, record.messages[:index], tools, add_generation_prompt=True)
        upto = _template(renderer, record.messages[: index + 1], tools)
        if not (upto.startswith(prefix) and text.startswith(upto)):
            return MaskProblem("mask_unavailable", f"the template does not render message {index + 1} as a prefix")
        spans.append((len(prefix), len(upto.rstrip())))
    return spans


def _audit(
    spans: list[tuple[int, int]], renderer: Renderer, ids: list[int], offsets: list[tuple[int, int]], text: str
) -> tuple[tuple, int] | MaskProblem:
    """Every assistant turn trains at least one token and ends on an end-of-turn token.

    Whitespace a template puts after the end-of-turn token inside the turn ("<|im_end|>\n") does not
    count as the turn's end. A template whose turns end on the next role's token (GLM writes no
    end-of-turn token: `<|user|>` ends the answer, and is what generation stops on) gets that
    token added to the turn, or the model would never learn to stop.
    """
    ends = [b for _, b in offsets]
    special = renderer.special_ids

    def blank(index: int) -> bool:
        a, b = offsets[index]
        return not text[a:b].strip()

    audited, trained = [], 0
    for start, end in spans:
        index = bisect.bisect_right(ends, start)
        inside = []
        while index < len(offsets) and offsets[index][0] < end:
            if offsets[index][1] > start:
                inside.append(index)
            index += 1
        if not inside:
            return MaskProblem("mask_empty", "an assistant turn covers no token")
        last = next((i for i in reversed(inside) if not blank(i)), inside[-1])
        if ids[last] not in special:
            following = index
            while following < len(ids) and blank(following) and ids[following] not in special:
                following += 1
            if following >= len(ids) or ids[following] not in special:
                word = renderer.tokenizer.decode([ids[last]])
                return MaskProblem(
                    "mask_missing_eot", f"an assistant turn ends on {word!r}, not on an end-of-turn token"
                )
            inside += list(range(index, following + 1))
            end = offsets[following][1]
        audited.append((start, end))
        trained += len(inside)
    if not trained:
        return MaskProblem("mask_empty", "no assistant turn to train on")
    return tuple(audited), trained


def _dropped(record: SftRecord, text: str) -> str | None:
    """A message or tool call the template left out of the text (some templates drop tool calls)."""
    for number, message in enumerate(record.messages, start=1):
        content = message.content.split("</think>")[-1].strip()
        forms = (content, json.dumps(content, ensure_ascii=False)[1:-1], json.dumps(content)[1:-1])
        if content and not any(form in text for form in forms):
            return f"message {number} ({message.role})"
        for call in message.tool_calls:
            if call.function.name not in text:
                return f"the tool call {call.function.name!r} of message {number}"
    return None


def _word_count(record: SftRecord) -> int | None:
    if record.segments is None:
        return None
    return sum(
        sum(1 for w in seg.words if w.strip())
        for message, seg in zip(record.messages, record.segments, strict=True)
        if message.role in ("user", "assistant")
    )


def _reject(record: SftRecord, reason: str, detail: str) -> Rejection:
    return Rejection(record_id=record.id, stage=STAGE, reason=reason, detail=detail, source=record.meta.source)
