"""report.html: one self-contained page a person reads before training on a release.

Plots are PNGs embedded as data URIs (no file beside the page, nothing fetched). Plot labels
are ASCII so they render with matplotlib's default font on any machine; Chinese text (sources,
categories) is in HTML tables, which the browser renders with the system's CJK fonts.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from schemas import Manifest, Rejection, SftRecord

SPLITS = ("train", "validation", "test")
_REPRESENTATIVE = re.compile(r"of ([0-9a-f]{16}) kept")


def build_report(manifest: Manifest, records: Sequence[SftRecord], rejections: Iterable[Rejection]) -> str:
    rejections = list(rejections)
    sections = [
        _overview(manifest),
        _lengths(records),
        _rejections(manifest, rejections),
        _clusters(records, rejections),
        _balance(records),
        _masks(manifest, records),
    ]
    title = f"{manifest.dataset}@{manifest.version}"
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)} report</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
td, th {{ border: 1px solid #ccc; padding: 3px 9px; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
h2 {{ border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 1.6em; }}
.ok {{ color: #17803d; }} .bad {{ color: #b3261e; }} img {{ max-width: 100%; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
{"".join(sections)}
</body></html>
"""


def markdown_summary(manifest: Manifest) -> str:
    """A short summary for the Prefect flow run's artifact."""
    counts = manifest.counts
    leakage = manifest.checks.get("leakage", {})
    masks = manifest.checks.get("masks", {})
    rows = "".join(f"| {reason} | {n} |\n" for reason, n in counts.rejected_by_reason.items())
    return (
        f"# {manifest.dataset}@{manifest.version}\n\n"
        f"{counts.input} input records, {counts.augmented} augmented: **{counts.released} released** "
        f"(train {counts.by_split.get('train', 0)}, validation {counts.by_split.get('validation', 0)}, "
        f"test {counts.by_split.get('test', 0)}), {counts.rejected} rejected.\n\n"
        f"Template: {manifest.chat_template}. Cross-split near-duplicates: {leakage.get('cross_split_pairs', 'n/a')}. "
        f"Mask coverage: {masks.get('coverage_mean', 'n/a')}.\n\n| rejection | records |\n|---|---|\n{rows}"
    )


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _figure(draw) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = draw(plt)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return f'<img alt="plot" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def _overview(manifest: Manifest) -> str:
    counts = manifest.counts
    rows = [(s, counts.by_split.get(s, 0)) for s in SPLITS]
    stages = [
        (s.stage, s.input, s.added or "", s.kept, s.rejected_total, ", ".join(f"{k} {v}" for k, v in s.changed.items()))
        for s in manifest.stages
    ]
    reason = html.escape(manifest.checks.get("template", {}).get("reason", ""))
    return (
        f"<p>fingerprint <code>{manifest.fingerprint}</code>, parent {manifest.parent or 'none'}, built "
        f"{manifest.created_at} by {html.escape(manifest.code_version)}</p>"
        f"<p>Template <b>{html.escape(manifest.chat_template)}</b> of tokenizer "
        f"<code>{html.escape(manifest.tokenizer)}</code>: {reason}</p>"
        f"<p>{counts.input} input records, {counts.augmented} augmented: {counts.released} released, "
        f"{counts.rejected} rejected.</p>{_table(('split', 'records'), rows)}"
        f"<h2>Stages</h2>{_table(('stage', 'in', 'added', 'kept', 'rejected', 'changed'), stages)}"
    )


def _lengths(records: Sequence[SftRecord]) -> str:
    import numpy

    measures = (("characters", "chars"), ("jieba words", "words"), ("model tokens", "tokens"))

    def draw(plt):
        figure, axes = plt.subplots(1, 3, figsize=(15, 3.6))
        for axis, (label, field) in zip(axes, measures, strict=True):
            values = {
                s: [getattr(r.meta, field) for r in records if r.meta.split == s and getattr(r.meta, field)]
                for s in SPLITS
            }
            everything = [v for split_values in values.values() for v in split_values]
            if not everything:
                continue
            edges = numpy.histogram_bin_edges(everything, bins=30)
            for split in SPLITS:
                if values[split]:
                    axis.hist(values[split], bins=edges, alpha=0.5, label=f"{split} ({len(values[split])})")
            axis.set_title(f"{label} per record")
            axis.set_ylabel("records")
            axis.set_xlabel(label)
            if axis.get_legend_handles_labels()[0]:
                axis.legend()
        return figure

    return f"<h2>Lengths by split</h2>{_figure(draw) if records else '<p>no records</p>'}"


def _rejections(manifest: Manifest, rejections: Sequence[Rejection]) -> str:
    by_reason = manifest.counts.rejected_by_reason
    rows = sorted(by_reason.items(), key=lambda item: -item[1])
    examples = {}
    for rejection in rejections:
        examples.setdefault(f"{rejection.stage}.{rejection.reason}", f"{rejection.source}: {rejection.detail}"[:160])

    def draw(plt):
        figure, axis = plt.subplots(figsize=(10, 0.35 * len(rows) + 1))
        axis.barh([r for r, _ in rows][::-1], [n for _, n in rows][::-1], color="#b3261e")
        axis.set_xlabel("records rejected")
        return figure

    plot = _figure(draw) if rows else "<p>nothing was rejected</p>"
    table = _table(("stage.reason", "records", "example"), [(r, n, examples.get(r, "")) for r, n in rows])
    return f"<h2>Rejections by stage and reason</h2>{plot}{table}"


def _clusters(records: Sequence[SftRecord], rejections: Sequence[Rejection]) -> str:
    members: dict[str, list[str]] = defaultdict(list)
    for record in records:
        if record.meta.cluster and record.meta.cluster != record.id:
            members[record.meta.cluster].append(f"{record.id} (kept, {record.meta.split})")
    for rejection in rejections:
        found = _REPRESENTATIVE.search(rejection.detail) if rejection.reason == "near_duplicate" else None
        if found:
            members[found.group(1)].append(f"{rejection.record_id} (rejected, {rejection.source})")
    split_of = {r.id: r.meta.split for r in records}
    rows = [
        (rep, split_of.get(rep, "-"), len(others) + 1, "; ".join(others[:3]))
        for rep, others in sorted(members.items(), key=lambda item: -len(item[1]))[:30]
    ]
    sizes = Counter(len(others) + 1 for others in members.values())
    summary = ", ".join(f"{n} of size {size}" for size, n in sorted(sizes.items())) or "none"
    return (
        f"<h2>Near-duplicate clusters</h2><p>{len(members)} clusters ({summary}); each cluster sits in one "
        f"split.</p>{_table(('representative', 'split', 'size', 'members'), rows)}"
    )


def _balance(records: Sequence[SftRecord]) -> str:
    parts = []
    for label, key in (("category", lambda r: r.meta.category or "(none)"), ("source", lambda r: r.meta.source.file)):
        table: dict[str, Counter] = defaultdict(Counter)
        for record in records:
            table[key(record)][record.meta.split] += 1
        rows = []
        for name, counts in sorted(table.items()):
            total = sum(counts.values())
            rows.append((name, total, *(f"{counts[s]} ({counts[s] / total:.0%})" for s in SPLITS)))
        parts.append(f"<h3>by {label}</h3>{_table((label, 'records', *SPLITS), rows)}")
    return f"<h2>Split balance</h2>{''.join(parts)}"


def _masks(manifest: Manifest, records: Sequence[SftRecord]) -> str:
    coverage = [r.meta.trained_tokens / r.meta.tokens for r in records if r.meta.tokens and r.meta.trained_tokens]
    masks = manifest.checks.get("masks", {})

    def draw(plt):
        figure, axis = plt.subplots(figsize=(7, 3))
        axis.hist(coverage, bins=30, color="#17803d")
        axis.set_xlabel("share of tokens trained (assistant turns + end-of-turn)")
        axis.set_ylabel("records")
        return figure

    rows = [(k, v) for k, v in masks.items()]
    return f"<h2>Loss-mask coverage</h2>{_table(('figure', 'value'), rows)}{_figure(draw) if coverage else ''}"
