from __future__ import annotations

from pathlib import Path

import pytest
from transformers import AutoTokenizer

from pipeline.render import Renderer, load_renderer, run
from schemas import Message, RenderConfig, ToolCall, ToolFunction

OWN_TEMPLATE = (
    "{% for m in messages %}[{{ m.role }}]{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}[assistant]{% endif %}"
)


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


def test_encode_gives_the_ids_and_offsets_training_reads(tiny_tokenizer: Path) -> None:
    """Render counts and masks with the Rust tokenizer; training tokenizes with transformers' call."""
    renderer = load_renderer(str(tiny_tokenizer), RenderConfig())
    for text in (
        "<|im_start|>user\n把 “Hello, 世界！” 翻成中文 😀\n\t<|im_end|>\n",
        "  前后空格  ",
        "繁體，ＡＢＣ１２３",
    ):
        expected = renderer.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids, offsets = renderer.encode(text)
        assert ids == expected["input_ids"] and [tuple(o) for o in offsets] == [
            tuple(o) for o in expected["offset_mapping"]
        ]


def test_chat_tokenizer_keeps_its_own_template(chat_tokenizer: Path, make_record) -> None:
    renderer = load_renderer(str(chat_tokenizer), RenderConfig())
    assert renderer.template_name == "tokenizer"
    [rendered] = run([make_record(("user", "问"), ("assistant", "答"))], RenderConfig(), renderer).kept
    assert rendered.text == "[user]问<|im_end|>\n[assistant]答<|im_end|>\n"
    start, end = rendered.meta.assistant_spans[0]
    assert rendered.text[start:end] == "答<|im_end|>"


def test_tools_and_tool_calls_render_in_chatml(tiny_tokenizer: Path, make_record) -> None:
    renderer = load_renderer(str(tiny_tokenizer), RenderConfig())
    base = make_record(("user", "上海天气？"))
    record = base.model_copy(
        update={
            "tools": ({"name": "get_weather"},),
            "messages": (
                *base.messages,
                Message(
                    role="assistant",
                    content="",
                    tool_calls=(ToolCall(function=ToolFunction(name="get_weather", arguments={"city": "上海"})),),
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


def conversation(make_record, exchanges: int, system: bool = True):
    turns = [("system", "你是一位耐心的老师。")] if system else []
    for i in range(exchanges):
        turns += [
            ("user", f"第{i + 1}个问题：请解释一下这个概念。"),
            ("assistant", f"第{i + 1}个回答：这个概念的意思是……"),
        ]
    return make_record(*turns)


def test_chatml_masks_cover_each_answer_and_its_end_of_turn(tiny_tokenizer: Path, make_record) -> None:
    renderer = load_renderer(str(tiny_tokenizer), RenderConfig())
    assert renderer.uses_generation_markers
    [rendered] = run([conversation(make_record, 2)], RenderConfig(), renderer).kept
    pieces = [rendered.text[a:b] for a, b in rendered.meta.assistant_spans]
    assert pieces == ["第1个回答：这个概念的意思是……<|im_end|>", "第2个回答：这个概念的意思是……<|im_end|>"]
    assert 0 < rendered.meta.trained_tokens < rendered.meta.tokens


def test_prefix_rendering_gives_the_same_spans_as_generation_markers(tiny_tokenizer: Path, make_record) -> None:
    from pipeline.render import Renderer
    from pipeline.render.templates import FALLBACK_TEMPLATES

    marked = load_renderer(str(tiny_tokenizer), RenderConfig())
    plain = Renderer(
        marked.tokenizer,
        FALLBACK_TEMPLATES["chatml"][0].replace("{%- generation %}", "").replace("{%- endgeneration %}", ""),
        "x",
    )
    assert not plain.uses_generation_markers
    record = conversation(make_record, 3)
    [a] = run([record], RenderConfig(), marked).kept
    [b] = run([record], RenderConfig(), plain).kept
    assert a.text == b.text and a.meta.assistant_spans == b.meta.assistant_spans
    assert a.meta.trained_tokens == b.meta.trained_tokens


def test_templates_that_cannot_be_masked_are_refused(chat_tokenizer: Path, make_record) -> None:
    from pipeline.render import Renderer

    base = load_renderer(str(chat_tokenizer), RenderConfig())
    no_end = Renderer(base.tokenizer, "{% for m in messages %}[{{ m.role }}]{{ m.content }}\n{% endfor %}", "x")
    counting = Renderer(base.tokenizer, "{{ messages | length }}" + OWN_TEMPLATE, "x")
    record = make_record(("user", "问"), ("assistant", "答"))
    assert run([record], RenderConfig(), no_end).counts.rejected == {"mask_missing_eot": 1}
    assert run([record], RenderConfig(), counting).counts.rejected == {"mask_unavailable": 1}


def test_system_prompts_kept_dropped_or_injected(tiny_tokenizer: Path, make_record, make_segmented) -> None:
    renderer = load_renderer(str(tiny_tokenizer), RenderConfig())
    with_system = make_segmented(("system", "原有提示"), ("user", "问"), ("assistant", "答"))
    without = make_segmented(("user", "问"), ("assistant", "答"))
    keep = run([with_system], RenderConfig(), renderer).kept[0]
    drop = run([with_system], RenderConfig(system="drop"), renderer).kept[0]
    inject = RenderConfig(system="inject", system_prompt="你是助手。")
    injected, untouched = run([without, with_system], inject, renderer).kept
    assert "原有提示" in keep.text and "<|im_start|>system" not in drop.text
    assert injected.text.startswith("<|im_start|>system\n你是助手。<|im_end|>") and injected.meta.words == 2
    assert "原有提示" in untouched.text and "你是助手" not in untouched.text
    assert [s.action for s in injected.meta.lineage] == ["injected_system"]


def test_over_length_drops_earliest_turns_but_keeps_system_and_whole_answers(tiny_tokenizer: Path, make_record) -> None:
    renderer = load_renderer(str(tiny_tokenizer), RenderConfig())
    record = conversation(make_record, 3)
    one = run([conversation(make_record, 1)], RenderConfig(), renderer).kept[0].meta.tokens
    full = run([record], RenderConfig(), renderer).kept[0].meta.tokens
    config = RenderConfig(max_tokens=one + 5, overlength="drop_turns")
    [fitted] = run([record], config, renderer).kept
    assert fitted.meta.tokens <= one + 5 < full
    assert [m.role for m in fitted.messages] == ["system", "user", "assistant"]
    assert fitted.messages[2].content == "第3个回答：这个概念的意思是……"
    assert fitted.meta.lineage[-1].action == "dropped_turns" and fitted.meta.lineage[-1].count == 4
    rejected = run([record], RenderConfig(max_tokens=one - 5, overlength="drop_turns"), renderer)
    assert rejected.counts.rejected == {"too_long": 1} and "after dropping 4 turns" in rejected.rejections[0].detail
    assert run([record], RenderConfig(max_tokens=one + 5), renderer).counts.rejected == {"too_long": 1}


def test_base_and_chat_choice_has_a_reason(tiny_tokenizer: Path, chat_tokenizer: Path) -> None:
    assert "Base model" in load_renderer(str(tiny_tokenizer), RenderConfig()).reason
    assert "Chat model" in load_renderer(str(chat_tokenizer), RenderConfig()).reason


def test_fallback_template_needs_its_special_tokens(tiny_tokenizer: Path) -> None:
    with pytest.raises(ValueError, match="needs the special tokens"):
        load_renderer(str(tiny_tokenizer), RenderConfig(fallback_template="llama3"))


def test_a_control_token_written_in_a_message_is_refused(tiny_tokenizer: Path, make_record) -> None:
    """`<|im_end|>` typed in a user turn would be read as the end of the turn: the record is refused."""
    renderer = load_renderer(str(tiny_tokenizer), RenderConfig())
    bad = make_record(("user", "把 <|im_end|> 当作普通文字输出"), ("assistant", "好的。"))
    good = make_record(("user", "把尖括号当作普通文字输出"), ("assistant", "好的。"))
    result = run([bad, good], RenderConfig(), renderer)
    assert [r.reason for r in result.rejections] == ["control_token_in_text"]
    assert "'<|im_end|>'" in result.rejections[0].detail
    assert [r.id for r in result.kept] == [good.id]


def test_a_template_that_drops_a_message_is_refused(tiny_tokenizer: Path, make_record) -> None:
    tokenizer = load_renderer(str(tiny_tokenizer), RenderConfig()).tokenizer
    skips_system = (
        "{% for m in messages %}{% if m.role != 'system' %}[{{ m.role }}]{{ m.content }}<|im_end|>\n"
        "{% endif %}{% endfor %}"
    )
    renderer = Renderer(tokenizer, skips_system, "tokenizer", "own")
    record = make_record(("system", "你是一个中文助手。"), ("user", "你好"), ("assistant", "你好！"))
    [rejection] = run([record], RenderConfig(), renderer).rejections
    assert rejection.reason == "template_dropped_content" and "message 1 (system)" in rejection.detail
