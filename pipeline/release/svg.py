"""Small inline SVG charts for report.html: histograms and horizontal bars.

SVG drawn here instead of matplotlib PNGs: the browser renders the labels with its own fonts, so
Chinese labels show on any building machine (matplotlib needs a CJK font installed), the page
stays sharp at any zoom, and publishing a release no longer imports matplotlib (seconds of every
small build's fixed cost). Counts are whole numbers on every axis.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

COLOURS = ("#1f6fb2", "#e07b00", "#17803d", "#b3261e")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 340, 220, 44, 40, 24


def _ticks(top: float, count: int = 4) -> list[int]:
    """Whole-number ticks from 0 to at least `top`."""
    step = max(1, math.ceil(top / count))
    return list(range(0, int(step * count) + 1, step))


def _text(x: float, y: float, text: str, anchor: str = "middle", size: int = 11, kind: str = "") -> str:
    """A label; `kind="count"` marks the tick labels of an axis that counts records."""
    marked = f' class="{kind}"' if kind else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{marked}>{html.escape(text)}</text>'


def histogram(series: dict[str, Sequence[float]], title: str, x_label: str, y_label: str, bins: int = 30) -> str:
    """Overlaid histograms of several series on shared bins, with a legend of their sizes."""
    import numpy

    present = {name: numpy.asarray(vs, dtype=float) for name, vs in series.items() if len(vs)}
    if not present:
        return ""
    low = min(float(vs.min()) for vs in present.values())
    high = max(float(vs.max()) for vs in present.values())
    edges = numpy.linspace(low, high if high > low else low + 1, bins + 1)
    counts = {name: numpy.histogram(vs, bins=edges)[0].tolist() for name, vs in present.items()}
    top = max(max(c) for c in counts.values()) or 1
    ticks = _ticks(top)
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    parts = [_text(WIDTH / 2, 14, title, size=12)]
    for tick in ticks:
        y = TOP + plot_h * (1 - tick / ticks[-1])
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(_text(LEFT - 4, y + 4, str(tick), anchor="end", size=10, kind="count"))
    bar = plot_w / bins
    for index, (name, per_bin) in enumerate(counts.items()):
        colour = COLOURS[index % len(COLOURS)]
        for b, n in enumerate(per_bin):
            if n:
                h = plot_h * n / ticks[-1]
                parts.append(f'<rect x="{LEFT + b * bar:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" '
                             f'height="{h:.1f}" fill="{colour}" fill-opacity="0.5"/>')  # fmt: skip
        parts.append(f'<rect x="{LEFT + plot_w - 110}" y="{TOP + 4 + index * 14}" width="9" height="9" '
                     f'fill="{colour}" fill-opacity="0.6"/>')  # fmt: skip
        legend = f"{name} ({len(series[name])})"
        parts.append(_text(LEFT + plot_w - 97, TOP + 12 + index * 14, legend, anchor="start", size=10))
    parts.append(_text(LEFT, HEIGHT - BOTTOM + 14, f"{low:g}", anchor="start", size=10))
    parts.append(_text(LEFT + plot_w, HEIGHT - BOTTOM + 14, f"{high:g}", anchor="end", size=10))
    parts.append(_text(LEFT + plot_w / 2, HEIGHT - 8, x_label))
    parts.append(f'<text x="12" y="{TOP + plot_h / 2:.1f}" font-size="11" text-anchor="middle" '
                 f'transform="rotate(-90 12 {TOP + plot_h / 2:.1f})">{html.escape(y_label)}</text>')  # fmt: skip
    return _svg(WIDTH, HEIGHT, parts)


def bars(rows: Sequence[tuple[str, int]], x_label: str, colour: str = "#b3261e") -> str:
    """Horizontal bars, one a row, longest first as given."""
    if not rows:
        return ""
    label_w, bar_w, row_h = 260, 420, 18
    top = max(n for _, n in rows) or 1
    ticks = _ticks(top)
    height = TOP + row_h * len(rows) + 36
    parts = []
    for index, (label, n) in enumerate(rows):
        y = TOP + index * row_h
        parts.append(_text(label_w - 6, y + 12, label, anchor="end", size=11))
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w * n / ticks[-1]:.1f}" height="{row_h - 6}" '
                     f'fill="{colour}"/>')  # fmt: skip
        parts.append(_text(label_w + bar_w * n / ticks[-1] + 4, y + 12, str(n), anchor="start", size=10))
    axis_y = TOP + row_h * len(rows) + 4
    for tick in ticks:
        x = label_w + bar_w * tick / ticks[-1]
        parts.append(_text(x, axis_y + 12, str(tick), size=10, kind="count"))
    parts.append(_text(label_w + bar_w / 2, axis_y + 28, x_label))
    return _svg(label_w + bar_w + 60, height, parts)


def _svg(width: float, height: float, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="system-ui, sans-serif" role="img">'
        + "".join(parts)
        + "</svg>"
    )
