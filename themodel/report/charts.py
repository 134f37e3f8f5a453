"""Inline SVG charts: strings built in Python, no script, no fonts or files fetched.

Every chart is an ``<svg class="chart">`` with a title for screen readers, so the
browser test can count them and check each has a non-zero size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

Number = float | int | None
Formatter = Callable[[float], str]

PALETTE = ["#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030", "#718096"]
WIDTH, HEIGHT = 620, 230
LEFT, RIGHT, TOP, BOTTOM = 64, 30, 28, 34


def plain(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}".rstrip("0").rstrip(".")


def percent(value: float) -> str:
    return f"{value:.0%}"


def _svg(title: str, body: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    return (
        f"<figure><figcaption>{escape(title)}</figcaption>"
        f'<svg class="chart" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}</svg></figure>"
    )


def _text(x: float, y: float, text: str, anchor: str = "middle", cls: str = "") -> str:
    css = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{css}>{escape(text)}</text>'


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 0.1
    # tops whose quarters (the grid lines) are round numbers
    for step in (1, 1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _text_width(text: str) -> float:
    """Rough width at 11px: Hangul is about twice as wide as Latin."""
    return sum(11.0 if ord(c) > 0x1100 else 6.2 for c in text)


def _legend(names: Sequence[str]) -> tuple[str, int]:
    """Legend entries wrapped into lines above the plot; returns (svg, lines used)."""
    parts, x, y = [], LEFT, 14
    for index, name in enumerate(names):
        width = 24 + _text_width(name)
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, y = LEFT, y + 16
        color = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{color}"/>')
        parts.append(_text(x + 14, y, name, "start", "legend"))
        x += width
    return "".join(parts), (y - 14) // 16 + 1


def _y_axis(top: float, fmt: Formatter, plot_top: float, plot_h: float, width: int) -> str:
    parts = []
    for i in range(5):
        value = top * i / 4
        y = plot_top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(_text(LEFT - 6, y + 4, fmt(value), "end", "axis"))
    return "".join(parts)


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: dict[str, Sequence[Number]],
    fmt: Formatter = plain,
    band: tuple[float, float] | None = None,
    y_max: float | None = None,
) -> str:
    """Lines over shared x labels; None leaves a gap. ``band`` shades a healthy range."""
    values = [v for points in series.values() for v in points if v is not None]
    top = y_max or _nice_max(max([*values, *(band or ()), 0]))
    legend, lines = _legend(list(series))
    plot_top = TOP + 16 * (lines - 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - plot_top - BOTTOM
    step = plot_w / max(len(x_labels) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return LEFT + i * step, plot_top + plot_h - plot_h * min(v, top) / top

    parts = [_y_axis(top, fmt, plot_top, plot_h, WIDTH)]
    if band:
        y_high, y_low = xy(0, band[1])[1], xy(0, band[0])[1]
        parts.append(
            f'<rect class="band" x="{LEFT}" y="{y_high:.1f}" width="{plot_w}"'
            f' height="{y_low - y_high:.1f}"/>'
        )
        parts.append(
            _text(WIDTH - RIGHT - 4, y_high - 3, f"healthy {fmt(band[0])}-{fmt(band[1])}", "end")
        )
    every = max(1, len(x_labels) // 8)
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == len(x_labels) - 1:
            parts.append(_text(LEFT + i * step, HEIGHT - 12, label, "middle", "axis"))
    for index, points in enumerate(series.values()):
        color = PALETTE[index % len(PALETTE)]
        segments: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(points):
            if v is None:
                segments.append([])
            else:
                segments[-1].append(xy(i, float(v)))
        for segment in segments:
            if len(segment) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>'
                )
            for x, y in segment:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>')
    parts.append(legend)
    return _svg(title, "".join(parts))


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[Number],
    notes: Sequence[str] | None = None,
    fmt: Formatter = plain,
    colors: Sequence[str] | None = None,
) -> str:
    """Horizontal bars, one per label, with the value (and a note) after each bar."""
    row_h, label_w, note_w = 24, 150, 230
    height = 8 + row_h * max(len(labels), 1)
    top = _nice_max(max([float(v) for v in values if v is not None] + [0]))
    plot_w = WIDTH - label_w - note_w
    parts = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 4 + i * row_h
        color = (colors or PALETTE)[i % len(colors or PALETTE)] if colors else PALETTE[0]
        width = 0.0 if value is None else plot_w * max(float(value), 0) / top
        parts.append(_text(label_w - 8, y + 15, label, "end"))
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}"'
            f' fill="{color}"/>'
        )
        shown = "n/a" if value is None else fmt(float(value))
        note = f"{shown}  {notes[i]}" if notes else shown
        parts.append(_text(label_w + width + 6, y + 15, note, "start"))
    return _svg(title, "".join(parts), WIDTH, height)


def waterfall_chart(title: str, steps: Sequence[tuple[str, float, str]], fmt: Formatter) -> str:
    """Steps of (label, value, kind): kind 'total' stands on zero, 'delta' floats."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    running, bars = 0.0, []
    for label, value, kind in steps:
        if kind == "total":
            bars.append((label, 0.0, value, value))
            running = value
        else:
            bars.append((label, running, running + value, value))
            running += value
    top = _nice_max(max(max(a, b) for _, a, b, _ in bars))
    slot = plot_w / len(bars)

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * max(v, 0) / top

    parts = [_y_axis(top, fmt, TOP, plot_h, WIDTH)]
    for i, (label, start, end, value) in enumerate(bars):
        kind = steps[i][2]
        color = "#4a5568" if kind == "total" else ("#2f855a" if value >= 0 else "#c53030")
        x = LEFT + i * slot + slot * 0.15
        y_top, y_bottom = min(y(start), y(end)), max(y(start), y(end))
        parts.append(
            f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{slot * 0.7:.1f}"'
            f' height="{max(y_bottom - y_top, 1):.1f}" fill="{color}"/>'
        )
        sign = "" if kind == "total" or value < 0 else "+"
        parts.append(_text(x + slot * 0.35, y_top - 4, sign + fmt(value)))
        parts.append(_text(x + slot * 0.35, HEIGHT - 12, label, "middle", "axis"))
    return _svg(title, "".join(parts))
