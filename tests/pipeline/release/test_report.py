"""report.html: Chinese by default, English on request, whole-number count axes, text left and numbers right."""

from __future__ import annotations

import re
from pathlib import Path


def test_chinese_by_default_english_on_request(tmp_path: Path, publish_release, make_sample) -> None:
    chinese = publish_release(tmp_path / "zh", "demo", make_sample("s.jsonl")).path
    page = (chinese / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in page and "<h2>按阶段与原因的拒绝</h2>" in page
    assert "6 条输入记录，增强生成 1 条：发布 6 条，拒绝 1 条。" in page
    assert "td, th { border: 1px solid #ccc; padding: 3px 9px; text-align: left;" in page
    assert "<td>clean.too_few_chars</td><td class=num>1</td><td>s.jsonl:9: 1 character</td>" in page

    config = {"dataset": "demo", "release": {"report": {"language": "en"}}}
    english = publish_release(tmp_path / "en", "demo", make_sample("s.jsonl"), config=config).path
    page = (english / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<h2>Rejections by stage and reason</h2>" in page
    assert "6 input records, 1 augmented: 6 released, 1 rejected." in page


def test_count_axes_show_whole_numbers_and_labels_follow_the_language(
    tmp_path: Path, publish_release, make_sample
) -> None:
    """The charts are inline SVG: their tick labels are whole numbers, their words in the page's language."""
    page = (publish_release(tmp_path, "demo", make_sample("s.jsonl")).path / "report.html").read_text(encoding="utf-8")
    charts = re.findall(r"<svg .*?</svg>", page)
    assert len(charts) == 3  # token lengths (the sample records count no characters or words), rejections, masks
    ticks = [t for chart in charts for t in re.findall(r'class="count">([^<]+)<', chart)]
    assert ticks and all(t.isdigit() for t in ticks), ticks
    assert "记录数" in page and "每条记录的模型 token" in page and "<img" not in page
