"""report.html: one self-contained page a person reads before training on a release.

Chinese by default (`release.report.language: zh | en`). Plots are inline SVG (svg.py): nothing
beside the page, nothing fetched, and every label, Chinese included, drawn by the browser with its
own fonts. Axes that count records show whole numbers only; text cells are left-aligned, numbers
right-aligned. Everything shown comes from a ReleaseStats gathered while the release was written,
so the report of a large release does not read its records again.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence

from pipeline.release import svg
from pipeline.release.stats import ReleaseStats
from schemas import Manifest

SPLITS = ("train", "validation", "test")

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


def build_report(manifest: Manifest, stats: ReleaseStats) -> str:
    language = report_language(manifest)
    text = TEXT[language]
    sections = [
        _overview(manifest, language),
        _lengths(stats, language),
        _rejections(manifest, stats, language),
        _clusters(stats, language),
        _balance(stats, language),
        _masks(manifest, stats, language),
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
.ok {{ color: #17803d; }} .bad {{ color: #b3261e; }} svg {{ max-width: 100%; height: auto; }}
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


def plot_text(language: str) -> dict[str, str]:
    return PLOT_TEXT[language]


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


def _lengths(stats: ReleaseStats, language: str) -> str:
    text, labels = TEXT[language], plot_text(language)
    plots = []
    for label, measure in (("characters", "chars"), ("words", "words"), ("tokens", "tokens")):
        series = {split: stats.lengths[split][measure] for split in SPLITS}
        title = labels["per_record"].format(label=labels[label])
        plots.append(svg.histogram(series, title, labels[label], labels["records"]))
    body = "".join(plots) or f"<p>{text['no_records']}</p>"
    return f"<h2>{text['lengths']}</h2><div>{body}</div>"


def _rejections(manifest: Manifest, stats: ReleaseStats, language: str) -> str:
    text, labels = TEXT[language], plot_text(language)
    rows = sorted(manifest.counts.rejected_by_reason.items(), key=lambda item: -item[1])
    plot = svg.bars(rows, labels["records_rejected"]) if rows else f"<p>{text['nothing_rejected']}</p>"
    header = (text["reason"], text["records"], text["example"])
    table = _table(header, [(r, n, stats.rejection_examples.get(r, "")) for r, n in rows], numeric=(1,))
    return f"<h2>{text['rejections']}</h2>{plot}{table}"


def _clusters(stats: ReleaseStats, language: str) -> str:
    text = TEXT[language]
    kind = {"kept": text["kept_member"], "rejected": text["rejected_member"]}
    largest = sorted(stats.clusters.items(), key=lambda item: -item[1].size)[:30]
    rows = [
        (rep, stats.split_of_representative.get(rep, "-"), cluster.size,
         "; ".join(f"{member} ({kind[how]}, {where})" for member, how, where in cluster.named))
        for rep, cluster in largest
    ]  # fmt: skip
    sizes = Counter(cluster.size for cluster in stats.clusters.values())
    summary = ", ".join(text["of_size"].format(n=n, size=size) for size, n in sorted(sizes.items())) or text["none"]
    header = (text["representative"], text["split"], text["size"], text["members"])
    return (
        f"<h2>{text['clusters']}</h2><p>{text['clusters_line'].format(n=len(stats.clusters), summary=summary)}</p>"
        f"{_table(header, rows, numeric=(2,))}"
    )


def _balance(stats: ReleaseStats, language: str) -> str:
    text = TEXT[language]
    parts = []
    for heading, label, table in (
        (text["by_category"], text["category"], stats.by_category),
        (text["by_source"], text["source"], stats.by_source),
    ):
        rows = []
        for name, counts in sorted(table.items()):
            total = sum(counts.values())
            rows.append((name, total, *(f"{counts[s]} ({counts[s] / total:.0%})" for s in SPLITS)))
        header = (label, text["records"], *SPLITS)
        parts.append(f"<h3>{heading}</h3>{_table(header, rows, numeric=(1,))}")
    return f"<h2>{text['balance']}</h2>{''.join(parts)}"


def _masks(manifest: Manifest, stats: ReleaseStats, language: str) -> str:
    text, labels = TEXT[language], plot_text(language)
    masks = manifest.checks.get("masks", {})
    table = _table((text["figure"], text["value"]), list(masks.items()), numeric=(1,))
    trained = [c for c in stats.coverage if c]
    plot = svg.histogram({labels["records"]: trained}, text["masks"], labels["trained_share"], labels["records"])
    return f"<h2>{text['masks']}</h2>{table}{plot if trained else ''}"
