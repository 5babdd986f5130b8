"""Notes through collect (the function `sft run` calls per file), the run config and the lineage view."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.collect import run
from pipeline.config import ConfigError, load_run_config
from pipeline.release.catalog import lineage_lines
from schemas import RunConfig, SourceConfig
from schemas.config import MarkdownConfig

NOTE = (
    "# 微调\n\n## LoRA\n\n### 2.1 秩\n\n秩越大，适配能力越强。\n\n"
    "![秩与效果](a.png)\n\n## 什么是 SFT？\n\n有监督微调。\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_pair_points_at_its_file_lines_and_heading_path(tmp_path: Path) -> None:
    path = write(tmp_path / "notes", "sub/ft.md", NOTE)
    first, second = run(path, SourceConfig(path=str(tmp_path / "notes"))).kept
    source = first.meta.source
    assert (source.file, source.line, source.line_end, source.format) == (path.as_posix(), 5, 7, "markdown")
    assert source.headings == ("微调", "LoRA", "2.1 秩")
    assert [m.content for m in first.messages] == ["请介绍LoRA中的秩。", "秩越大，适配能力越强。"]
    assert first.meta.group == second.meta.group == "doc:sub/ft.md"


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("faq.txt", "问：什么是 SFT？\n答：有监督微调。\n", "text"),
        ("faq.html", "<h3>什么是 SFT？</h3><p>有监督微调。</p>", "html"),
    ],
)
def test_text_and_html_notes_are_read_by_their_suffix(tmp_path: Path, name: str, text: str, fmt: str) -> None:
    path = write(tmp_path, name, text)
    [record] = run(path, SourceConfig(path=str(path))).kept
    assert [m.content for m in record.messages] == ["什么是 SFT？", "有监督微调。"]
    assert (record.meta.source.format, record.meta.source.line) == (fmt, 1)


def test_a_note_of_headings_only_is_one_no_questions_rejection(tmp_path: Path) -> None:
    path = write(tmp_path, "toc.md", "# 目录\n\n## 第一章\n\n## 第二章\n")
    result = run(path, SourceConfig(path=str(path)))
    assert result.kept == []
    assert [r.reason for r in result.rejections] == ["no_questions"]


def test_the_source_markdown_settings_change_the_pairs(tmp_path: Path) -> None:
    path = write(tmp_path, "ft.md", NOTE)
    source = SourceConfig(path=str(path), markdown=MarkdownConfig(prompt_style="keep", images="alt_text"))
    first, _ = run(path, source).kept
    assert [m.content for m in first.messages] == ["秩", "秩越大，适配能力越强。\n\n秩与效果"]
    assert first.meta.source.line_end == 9


def test_the_run_markdown_section_reaches_every_source_under_its_own_keys(tmp_path: Path) -> None:
    config_file = tmp_path / "run.yaml"
    config_file.write_text(
        "dataset: notes\nmarkdown: {prompt_style: keep, images: alt_text}\n"
        "sources:\n  - path: a.md\n  - path: b.md\n    markdown: {images: drop}\n",
        encoding="utf-8",
    )
    config = load_run_config(config_file)
    assert config.markdown.prompt_style == "keep"
    a, b = (source.markdown for source in config.sources)
    assert (a.prompt_style, a.images) == ("keep", "alt_text")
    assert (b.prompt_style, b.images) == ("keep", "drop")


def test_without_a_markdown_section_sources_use_the_defaults() -> None:
    config = RunConfig(dataset="notes", sources=[SourceConfig(path="a.md")])
    assert config.sources[0].markdown is None and config.markdown == MarkdownConfig()


def test_a_bad_prompt_template_names_the_field(tmp_path: Path) -> None:
    config_file = tmp_path / "run.yaml"
    config_file.write_text("dataset: notes\nsources: [{path: a.md}]\nmarkdown:\n  context_prompt: '{topic}'\n")
    with pytest.raises(ConfigError, match=r"line 4, markdown.context_prompt: .*\{title\}"):
        load_run_config(config_file)
    with pytest.raises(ValidationError):
        MarkdownConfig(topic_prompt="请介绍{parent}")


def test_lineage_shows_the_file_the_line_range_and_the_headings(tmp_path: Path) -> None:
    path = write(tmp_path, "ft.md", NOTE)
    record = run(path, SourceConfig(path=str(path))).kept[0]
    lines = lineage_lines(tmp_path, record)
    assert f"source: {path.as_posix()}:5-7 (encoding utf-8, format markdown)" in lines
    assert "headings: 微调 > LoRA > 2.1 秩" in lines
