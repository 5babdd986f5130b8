"""report.html: one self-contained page a person reads before training on a release.

Chinese by default (`release.report.language: zh | en`). Plots are PNGs embedded as data URIs
(no file beside the page, nothing fetched). Their labels are Chinese only when matplotlib finds a
CJK font on the building machine (otherwise every Chinese label would be drawn as boxes), and
English otherwise; the page's text and tables are always in the chosen language, and the browser
renders them with the system's fonts. Axes that count records show whole numbers only; text cells
are left-aligned, numbers right-aligned.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import cache

from schemas import Manifest, Rejection, SftRecord

SPLITS = ("train", "validation", "test")
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC")  # fmt: skip
_REPRESENTATIVE = re.compile(r"of ([0-9a-f]{16}) kept")

TEXT = {
    "zh": {
        "title": "数据报告",
        "fingerprint": "指纹",
        "parent": "上一版本",
        "none": "无",
        "built": "构建于",
        "by": "代码版本",
        "template": "模板",
        "of_tokenizer": "，分词器",
        "records_line": "{input} 条输入记录，增强生成 {augmented} 条：发布 {released} 条，拒绝 {rejected} 条。",
        "split": "划分",
        "records": "记录数",
        "stages": "各阶段",
        "stage": "阶段",
        "in": "输入",
        "added": "新增",
        "kept": "保留",
        "rejected": "拒绝",
        "changed": "修改",
        "lengths": "各划分的长度分布",
        "no_records": "没有记录",
        "rejections": "按阶段与原因的拒绝",
        "nothing_rejected": "没有记录被拒绝",
        "reason": "阶段.原因",
        "example": "示例",
        "clusters": "近似重复簇",
        "clusters_line": "{n} 个簇（{summary}）；每个簇只在一个划分中。",
        "of_size": "{n} 个大小为 {size}",
        "representative": "代表记录",
        "size": "大小",
        "members": "成员",
        "balance": "划分均衡",
        "by_category": "按类别",
        "by_source": "按来源",
        "category": "类别",
        "source": "来源",
        "masks": "损失掩码覆盖率",
        "figure": "指标",
        "value": "数值",
        "kept_member": "保留",
        "rejected_member": "拒绝",
    },
    "en": {
        "title": "report",
        "fingerprint": "fingerprint",
        "parent": "parent",
        "none": "none",
        "built": "built",
        "by": "by",
        "template": "Template",
        "of_tokenizer": " of tokenizer",
        "records_line": "{input} input records, {augmented} augmented: {released} released, {rejected} rejected.",
        "split": "split",
        "records": "records",
        "stages": "Stages",
        "stage": "stage",
        "in": "in",
        "added": "added",
        "kept": "kept",
        "rejected": "rejected",
        "changed": "changed",
        "lengths": "Lengths by split",
        "no_records": "no records",
        "rejections": "Rejections by stage and reason",
        "nothing_rejected": "nothing was rejected",
        "reason": "stage.reason",
        "example": "example",
        "clusters": "Near-duplicate clusters",
        "clusters_line": "{n} clusters ({summary}); each cluster sits in one split.",
        "of_size": "{n} of size {size}",
        "representative": "representative",
        "size": "size",
        "members": "members",
        "balance": "Split balance",
        "by_category": "by category",
        "by_source": "by source",
        "category": "category",
        "source": "source",
        "masks": "Loss-mask coverage",
        "figure": "figure",
        "value": "value",
        "kept_member": "kept",
        "rejected_member": "rejected",
    },
}
PLOT_TEXT = {
    "zh": {
        "characters": "字符",
        "words": "jieba 词",
        "tokens": "模型 token",
        "per_record": "每条记录的{label}",
        "records": "记录数",
        "records_rejected": "被拒绝的记录数",
        "trained_share": "训练的 token 占比（助手轮次 + 结束符）",
    },
    "en": {
        "characters": "characters",
        "words": "jieba words",
        "tokens": "model tokens",
        "per_record": "{label} per record",
        "records": "records",
        "records_rejected": "records rejected",
        "trained_share": "share of tokens trained (assistant turns + end-of-turn)",
    },
}


def report_language(manifest: Manifest) -> str:
    """The language the build config asked for (`release.report.language`), Chinese when unset."""
    release = manifest.config.get("release") or {}
    return (release.get("report") or {}).get("language", "zh")


def build_report(manifest: Manifest, records: Sequence[SftRecord], rejections: Iterable[Rejection]) -> str:
    language = report_language(manifest)
    text = TEXT[language]
    rejections = list(rejections)
    sections = [
        _overview(manifest, language),
        _lengths(records, language),
        _rejections(manifest, rejections, language),
        _clusters(records, rejections, language),
        _balance(records, language),
        _masks(manifest, records, language),
    ]
    title = f"{manifest.dataset}@{manifest.version}"
    return f"""<!doctype html>
<html lang="{language}"><head><meta charset="utf-8"><title>{html.escape(title)} {text["title"]}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em auto;
       max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
td, th {{ border: 1px solid #ccc; padding: 3px 9px; text-align: left; vertical-align: top; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
h2 {{ border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 1.6em; }}
.ok {{ color: #17803d; }} .bad {{ color: #b3261e; }} img {{ max-width: 100%; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
{"".join(sections)}
</body></html>
"""


def _cell(value: object, tag: str = "td") -> str:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return f"<{tag}{' class=num' if numeric else ''}>{html.escape(str(value))}</{tag}>"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[int] = ()) -> str:
    """A table; `numeric` names the columns whose header is right-aligned like their numbers."""
    head = "".join(
        f"<th{' class=num' if i in numeric else ''}>{html.escape(str(h))}</th>" for i, h in enumerate(header)
    )
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


@cache
def cjk_font() -> str | None:
    """A CJK font matplotlib can draw Chinese labels with, if the machine has one."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def plot_text(language: str) -> dict[str, str]:
    return PLOT_TEXT["zh" if language == "zh" and cjk_font() else "en"]


def _figure(draw) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    with plt.rc_context({"font.sans-serif": [font, "DejaVu Sans"]} if font else {}):
        figure = draw(plt)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return f'<img alt="plot" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def _whole_numbers(axis) -> None:
    """Record counts are whole: no 0.5-record ticks on small releases."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _overview(manifest: Manifest, language: str) -> str:
    text = TEXT[language]
    counts = manifest.counts
    rows = [(s, counts.by_split.get(s, 0)) for s in SPLITS]
    stages = [
        (s.stage, s.input, s.added or "", s.kept, s.rejected_total, ", ".join(f"{k} {v}" for k, v in s.changed.items()))
        for s in manifest.stages
    ]
    reason = html.escape(manifest.checks.get("template", {}).get("reason", ""))
    line = text["records_line"].format(input=counts.input, augmented=counts.augmented, released=counts.released,
                                       rejected=counts.rejected)  # fmt: skip
    header = (text["stage"], text["in"], text["added"], text["kept"], text["rejected"], text["changed"])
    return (
        f"<p>{text['fingerprint']} <code>{manifest.fingerprint}</code>, {text['parent']} "
        f"{manifest.parent or text['none']}, {text['built']} {manifest.created_at}, {text['by']} "
        f"{html.escape(manifest.code_version)}</p>"
        f"<p>{text['template']} <b>{html.escape(manifest.chat_template)}</b>{text['of_tokenizer']} "
        f"<code>{html.escape(manifest.tokenizer)}</code>: {reason}</p>"
        f"<p>{line}</p>{_table((text['split'], text['records']), rows, numeric=(1,))}"
        f"<h2>{text['stages']}</h2>{_table(header, stages, numeric=(1, 2, 3, 4))}"
    )


def _lengths(records: Sequence[SftRecord], language: str) -> str:
    text = TEXT[language]
    import numpy

    labels = plot_text(language)
    measures = (("characters", "chars"), ("words", "words"), ("tokens", "tokens"))

    def draw(plt):
        figure, axes = plt.subplots(1, 3, figsize=(15, 3.6))
        for axis, (label, field) in zip(axes, measures, strict=True):
            values = {
                s: [getattr(r.meta, field) for r in records if r.meta.split == s and getattr(r.meta, field)]
                for s in SPLITS
            }
            everything = [v for split_values in values.values() for v in split_values]
            _whole_numbers(axis.yaxis)
            if not everything:
                continue
            edges = numpy.histogram_bin_edges(everything, bins=30)
            for split in SPLITS:
                if values[split]:
                    axis.hist(values[split], bins=edges, alpha=0.5, label=f"{split} ({len(values[split])})")
            axis.set_title(labels["per_record"].format(label=labels[label]))
            axis.set_ylabel(labels["records"])
            axis.set_xlabel(labels[label])
            if axis.get_legend_handles_labels()[0]:
                axis.legend()
        return figure

    return f"<h2>{text['lengths']}</h2>{_figure(draw) if records else '<p>' + text['no_records'] + '</p>'}"


def _rejections(manifest: Manifest, rejections: Sequence[Rejection], language: str) -> str:
    text = TEXT[language]
    labels = plot_text(language)
    by_reason = manifest.counts.rejected_by_reason
    rows = sorted(by_reason.items(), key=lambda item: -item[1])
    examples = {}
    for rejection in rejections:
        examples.setdefault(f"{rejection.stage}.{rejection.reason}", f"{rejection.source}: {rejection.detail}"[:160])

    def draw(plt):
        figure, axis = plt.subplots(figsize=(10, 0.35 * len(rows) + 1))
        axis.barh([r for r, _ in rows][::-1], [n for _, n in rows][::-1], color="#b3261e")
        axis.set_xlabel(labels["records_rejected"])
        _whole_numbers(axis.xaxis)
        return figure

    plot = _figure(draw) if rows else f"<p>{text['nothing_rejected']}</p>"
    header = (text["reason"], text["records"], text["example"])
    table = _table(header, [(r, n, examples.get(r, "")) for r, n in rows], numeric=(1,))
    return f"<h2>{text['rejections']}</h2>{plot}{table}"


def _clusters(records: Sequence[SftRecord], rejections: Sequence[Rejection], language: str) -> str:
    text = TEXT[language]
    members: dict[str, list[str]] = defaultdict(list)
    for record in records:
        if record.meta.cluster and record.meta.cluster != record.id:
            members[record.meta.cluster].append(f"{record.id} ({text['kept_member']}, {record.meta.split})")
    for rejection in rejections:
        found = _REPRESENTATIVE.search(rejection.detail) if rejection.reason == "near_duplicate" else None
        if found:
            members[found.group(1)].append(f"{rejection.record_id} ({text['rejected_member']}, {rejection.source})")
    split_of = {r.id: r.meta.split for r in records}
    rows = [
        (rep, split_of.get(rep, "-"), len(others) + 1, "; ".join(others[:3]))
        for rep, others in sorted(members.items(), key=lambda item: -len(item[1]))[:30]
    ]
    sizes = Counter(len(others) + 1 for others in members.values())
    summary = ", ".join(text["of_size"].format(n=n, size=size) for size, n in sorted(sizes.items())) or text["none"]
    header = (text["representative"], text["split"], text["size"], text["members"])
    return (
        f"<h2>{text['clusters']}</h2><p>{text['clusters_line'].format(n=len(members), summary=summary)}</p>"
        f"{_table(header, rows, numeric=(2,))}"
    )


def _balance(records: Sequence[SftRecord], language: str) -> str:
    text = TEXT[language]
    parts = []
    for heading, label, key in (
        (text["by_category"], text["category"], lambda r: r.meta.category or "-"),
        (text["by_source"], text["source"], lambda r: r.meta.source.file),
    ):
        table: dict[str, Counter] = defaultdict(Counter)
        for record in records:
            table[key(record)][record.meta.split] += 1
        rows = []
        for name, counts in sorted(table.items()):
            total = sum(counts.values())
            rows.append((name, total, *(f"{counts[s]} ({counts[s] / total:.0%})" for s in SPLITS)))
        header = (label, text["records"], *SPLITS)
        parts.append(f"<h3>{heading}</h3>{_table(header, rows, numeric=(1,))}")
    return f"<h2>{text['balance']}</h2>{''.join(parts)}"


def _masks(manifest: Manifest, records: Sequence[SftRecord], language: str) -> str:
    text = TEXT[language]
    labels = plot_text(language)
    coverage = [r.meta.trained_tokens / r.meta.tokens for r in records if r.meta.tokens and r.meta.trained_tokens]
    masks = manifest.checks.get("masks", {})

    def draw(plt):
        figure, axis = plt.subplots(figsize=(7, 3))
        axis.hist(coverage, bins=30, color="#17803d")
        axis.set_xlabel(labels["trained_share"])
        axis.set_ylabel(labels["records"])
        _whole_numbers(axis.yaxis)
        return figure

    rows = [(k, v) for k, v in masks.items()]
    table = _table((text["figure"], text["value"]), rows, numeric=(1,))
    return f"<h2>{text['masks']}</h2>{table}{_figure(draw) if coverage else ''}"
