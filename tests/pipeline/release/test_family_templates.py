"""A release renders with the chat templates of the main Chinese model families, or is refused with a reason.

The release holds a multi-turn record and a tool-calling one (test split). Each template comes from
the family's published tokenizer config (tests/fixtures/chat_templates/README.md) and renders through
the render stage with a tiny tokenizer that carries the family's special tokens. A record that
renders must be faithful: every message's text and every tool call, its arguments encoded once.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.io import read_models
from pipeline.render import Renderer, run
from schemas import RenderConfig, SftRecord

TEMPLATES = Path(__file__).parents[2] / "fixtures" / "chat_templates"
QWEN = (["<|im_start|>", "<|im_end|>", "<|endoftext|>"], None, "<|im_end|>")
_DEEPSEEK_TOOL_TOKENS = ["calls▁begin", "calls▁end", "call▁begin", "call▁end", "sep", "outputs▁begin", "outputs▁end",
                         "output▁begin", "output▁end"]  # fmt: skip
DEEPSEEK = (
    ["<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>",
     *(f"<｜tool▁{name}｜>" for name in _DEEPSEEK_TOOL_TOKENS)],
    "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>",
)  # fmt: skip
GLM = (["[gMASK]", "<sop>", "<|system|>", "<|user|>", "<|assistant|>", "<|observation|>", "<|endoftext|>"], None,
       "<|endoftext|>")  # fmt: skip
LLAMA = (["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>",
          "<|python_tag|>"], "<|begin_of_text|>", "<|eot_id|>")  # fmt: skip
INTERNLM = (["<s>", "</s>", "<|im_start|>", "<|im_end|>"], "<s>", "<|im_end|>")

# family -> (special tokens, bos, eos), outcome of the multi-turn record, outcome of the tool-calling record;
# an outcome is "faithful" or the reason code the render stage refuses the record with.
FAMILIES = {
    "qwen2_5": (QWEN, "faithful", "faithful"),
    "qwen3": (QWEN, "mask_unavailable", "mask_unavailable"),  # history turns lose their think block
    "qwen3_trl_training": (QWEN, "faithful", "faithful"),  # its spans end on the "\n" after im_end
    "llama3_1": (LLAMA, "faithful", "faithful"),
    "deepseek_v3": (DEEPSEEK, "mask_unavailable", "template_error"),  # arguments must be a JSON string there
    "deepseek_v3_trl_training": (DEEPSEEK, "faithful", "faithful"),
    "glm4_5": (GLM, "mask_missing_eot", "mask_missing_eot"),  # the last answer ends on nothing at all
    "glm4_5_trl_training": (GLM, "faithful", "faithful"),
    "internlm2": (INTERNLM, "faithful", "template_dropped_content"),  # it renders no tool calls
    "yi_1_5": (QWEN, "faithful", "template_dropped_content"),
}


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory, tiny_tokenizer: Path) -> Path:
    from pipeline.release import ReleaseRequest, publish
    from schemas import StageCounts

    records = _sample_records()
    request = ReleaseRequest(
        dataset="families", input_fingerprint="0" * 64, code_version="test", config={}, tokenizer=str(tiny_tokenizer),
        chat_template="chatml", input_count=len(records),
        stages=[StageCounts(stage="render", input=len(records), kept=len(records))], inputs=[],
    )  # fmt: skip
    return publish(tmp_path_factory.mktemp("releases"), request, records, []).path


def _sample_records() -> list[SftRecord]:
    from schemas import Message, RecordMeta, SourcePointer, ToolCall, ToolFunction

    def make(*messages: Message, split: str, line: int, tools: tuple | None = None) -> SftRecord:
        meta = RecordMeta(source=SourcePointer(file="f.jsonl", line=line), group=str(line), split=split)
        return SftRecord(id=f"{line:016x}", messages=messages, tools=tools, text="t", meta=meta)

    call = ToolCall(function=ToolFunction(name="get_weather", arguments={"city": "北京", "unit": "摄氏度"}))
    tool = {"type": "function", "function": {"name": "get_weather", "description": "查询天气",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}  # fmt: skip
    return [
        make(
            Message(role="system", content="你是一个乐于助人的助手。"),
            Message(role="user", content="你好"),
            Message(role="assistant", content="你好！有什么可以帮你？"),
            Message(role="user", content="北京在哪里？"),
            Message(role="assistant", content="北京在华北平原北部。"),
            split="train",
            line=1,
        ),
        make(
            Message(role="user", content="北京明天天气怎么样？"),
            Message(role="assistant", content="", tool_calls=(call,)),
            Message(role="tool", content='{"weather": "晴", "high": 25}'),
            Message(role="assistant", content="北京明天晴，最高 25 度。"),
            split="test",
            line=2,
            tools=(tool,),
        ),
    ]


def family_renderer(tiny_tokenizer: Path, family: str, tokens: tuple) -> Renderer:
    from transformers import AutoTokenizer

    special, bos, eos = tokens
    tokenizer = AutoTokenizer.from_pretrained(tiny_tokenizer)
    tokenizer.add_special_tokens({"additional_special_tokens": special})
    if bos:
        tokenizer.bos_token = bos
    tokenizer.eos_token = eos
    return Renderer(tokenizer, (TEMPLATES / f"{family}.jinja").read_text(encoding="utf-8"), "tokenizer", family)


def unfaithful(record: SftRecord, text: str) -> list[str]:
    """What of the record the rendered text lacks, or shows encoded twice.

    A message's text may appear as a JSON string: Llama 3.1 writes tool results through `tojson`.
    """
    shown = [(m.content, json.dumps(m.content, ensure_ascii=False), json.dumps(m.content)) for m in record.messages]
    problems = [f"message {i} text" for i, forms in enumerate(shown) if not any(form in text for form in forms)]
    for message in record.messages:
        for call in message.tool_calls:
            if call.function.name not in text:
                problems.append(f"tool call {call.function.name}")
            problems += [f"argument {key}" for key, value in call.function.arguments.items() if str(value) not in text]
            if json.dumps(json.dumps(call.function.arguments, ensure_ascii=False))[1:-1] in text:
                problems.append("arguments encoded twice")
    return problems


def outcome(renderer: Renderer, record: SftRecord) -> tuple[str, str]:
    result = run([record], RenderConfig(), renderer)
    if result.rejections:
        return result.rejections[0].reason, result.rejections[0].detail
    problems = unfaithful(record, result.kept[0].text)
    return ("faithful" if not problems else "unfaithful"), "; ".join(problems) or result.kept[0].text


def _cases(index: int):
    for family, spec in FAMILIES.items():
        yield pytest.param(family, spec[0], spec[index], id=family)


@pytest.mark.parametrize(("family", "tokens", "expected"), list(_cases(1)))
def test_multi_turn_record(release: Path, tiny_tokenizer: Path, family: str, tokens: tuple, expected: str) -> None:
    [record] = read_models(release / "train.jsonl", SftRecord)
    reason, detail = outcome(family_renderer(tiny_tokenizer, family, tokens), record)
    assert reason == expected, detail


@pytest.mark.parametrize(("family", "tokens", "expected"), list(_cases(2)))
def test_tool_calling_record(release: Path, tiny_tokenizer: Path, family: str, tokens: tuple, expected: str) -> None:
    [record] = read_models(release / "test.jsonl", SftRecord)
    reason, detail = outcome(family_renderer(tiny_tokenizer, family, tokens), record)
    assert reason == expected, detail


@pytest.mark.parametrize("family", ["qwen2_5", "llama3_1", "deepseek_v3_trl_training", "glm4_5_trl_training"])
def test_rows_from_load_dataset_render_as_the_jsonl_does(release: Path, tiny_tokenizer: Path, family: str) -> None:
    """A trainer's path: `load_dataset` rows straight into `apply_chat_template`, no clean-up of the rows."""
    import datasets

    renderer = family_renderer(tiny_tokenizer, family, FAMILIES[family][0])
    rows = datasets.load_dataset(str(release), cache_dir=str(release.parent / f"cache-{family}"))
    records = {r.id: r for split in ("train", "test") for r in read_models(release / f"{split}.jsonl", SftRecord)}
    for split in ("train", "test"):
        for row in rows[split]:
            text = renderer.tokenizer.apply_chat_template(
                row["messages"], tools=row["tools"], chat_template=renderer.template, tokenize=False
            )
            assert text == run([records[row["id"]]], RenderConfig(), renderer).kept[0].text
