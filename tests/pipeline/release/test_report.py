"""report.html: Chinese by default, English on request, whole-number count axes, text left and numbers right."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.release import load_manifest
from pipeline.release import report as report_module
from pipeline.release.report import build_report, plot_text


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


def test_count_axes_show_whole_numbers(tmp_path: Path, publish_release, make_sample, monkeypatch) -> None:
    folder = publish_release(tmp_path, "demo", make_sample("s.jsonl")).path
    figures = []

    def keep(draw):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figures.append(draw(plt))
        return ""

    monkeypatch.setattr(report_module, "_figure", keep)
    build_report(load_manifest(folder), make_sample("s.jsonl"), [])
    lengths, rejections, masks = figures
    count_axes = [axis.yaxis for axis in lengths.axes] + [rejections.axes[0].xaxis, masks.axes[0].yaxis]
    for axis in count_axes:
        ticks = axis.get_majorticklocs()
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks


@pytest.mark.parametrize(("font", "label"), [("Noto Sans CJK SC", "记录数"), (None, "records")])
def test_plot_labels_are_chinese_only_with_a_cjk_font(monkeypatch, font: str | None, label: str) -> None:
    monkeypatch.setattr(report_module, "cjk_font", lambda: font)
    assert plot_text("zh")["records"] == label
    assert plot_text("en")["records"] == "records"
