from __future__ import annotations

import json
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from pipeline.render import load_renderer, run
from schemas import Message, RenderConfig, ToolCall

OWN_TEMPLATE = "{% for m in messages %}[{{ m.role }}]{{ m.content }}\n{% endfor %}"


@pytest.fixture(scope="module")
def chat_tokenizer(tiny_tokenizer: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny tokenizer with a template of its own, as a Chat model's tokenizer has."""
    tokenizer = AutoTokenizer.from_pretrained(tiny_tokenizer)
    tokenizer.chat_template = OWN_TEMPLATE
    folder = tmp_path_factory.mktemp("chat-tokenizer")
    tokenizer.save_pretrained(folder)
    return folder


def test_base_tokenizer_gets_chatml_and_token_counts(tiny_tokenizer: Path, make_record) -> None:
    renderer = load_renderer(str(tiny_tokenizer), RenderConfig())
    assert renderer.template_name == "chatml"
    record = make_record(("system", "你是助手。"), ("user", "你好"), ("assistant", "你好！"))
    [rendered] = run([record], RenderConfig(), renderer).kept
    assert rendered.text == (
        "<|im_start|>system\n你是助手。<|im_end|>\n<|im_start|>user\n你好<|im_end|>\n"
        "<|im_start|>assistant\n你好！<|im_end|>\n"
    )
    assert rendered.meta.tokens == len(renderer.tokenizer(rendered.text, add_special_tokens=False)["input_ids"])
    assert renderer.tokenizer.convert_tokens_to_ids("<|im_end|>") in renderer.tokenizer(rendered.text)["input_ids"]


def test_chat_tokenizer_keeps_its_own_template(chat_tokenizer: Path, make_record) -> None:
    renderer = load_renderer(str(chat_tokenizer), RenderConfig())
    assert renderer.template_name == "tokenizer"
    [rendered] = run([make_record(("user", "问"), ("assistant", "答"))], RenderConfig(), renderer).kept
    assert rendered.text == "[user]问\n[assistant]答\n"


def test_tools_and_tool_calls_render_in_chatml(tiny_tokenizer: Path, make_record) -> None:
    renderer = load_renderer(str(tiny_tokenizer), RenderConfig())
    base = make_record(("user", "上海天气？"))
    record = base.model_copy(
        update={
            "tools": json.dumps([{"name": "get_weather"}]),
            "messages": (
                *base.messages,
                Message(
                    role="assistant",
                    content="",
                    tool_calls=(ToolCall(name="get_weather", arguments='{"city": "上海"}'),),
                ),
                Message(role="tool", content="小雨"),
                Message(role="assistant", content="有小雨。"),
            ),
        }
    )
    [rendered] = run([record], RenderConfig(), renderer).kept
    assert '<tools>\n{"name": "get_weather"}\n</tools>' in rendered.text
    assert (
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "上海"}}\n</tool_call><|im_end|>' in rendered.text
    )
    assert "<|im_start|>user\n<tool_response>\n小雨\n</tool_response><|im_end|>" in rendered.text


def test_assistant_mask_covers_answer_and_end_of_turn(tiny_tokenizer: Path) -> None:
    renderer = load_renderer(str(tiny_tokenizer), RenderConfig())
    out = renderer.tokenizer.apply_chat_template(
        [{"role": "user", "content": "问"}, {"role": "assistant", "content": "答案"}],
        chat_template=renderer.template,
        return_dict=True,
        return_assistant_tokens_mask=True,
    )
    trained = [i for i, keep in zip(out["input_ids"], out["assistant_masks"], strict=True) if keep]
    assert renderer.tokenizer.decode(trained) == "答案<|im_end|>"


def test_over_long_and_template_failures_are_rejections(
    chat_tokenizer: Path, tiny_tokenizer: Path, make_record
) -> None:
    renderer = load_renderer(str(tiny_tokenizer), RenderConfig())
    long_record = make_record(("user", "很长的问题" * 40), ("assistant", "答"))
    result = run([long_record], RenderConfig(max_tokens=20), renderer)
    assert result.counts.rejected == {"too_long": 1}
    assert "render.max_tokens=20" in result.rejections[0].detail

    strict = load_renderer(str(chat_tokenizer), RenderConfig())
    refusing = strict.__class__(strict.tokenizer, "{{ raise_exception('only user turns') }}", "tokenizer")
    assert run([long_record], RenderConfig(), refusing).counts.rejected == {"template_error": 1}


def test_missing_tokenizer_fails_early_with_advice(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot load tokenizer"):
        load_renderer(str(tmp_path / "absent"), RenderConfig())
