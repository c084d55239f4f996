"""Inline SVG charts for the dashboard: values over time, a legend, corrective-action marks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

WIDTH, HEIGHT, PAD = 640, 220, 48
#: A point: (day, value), or (day, value, its tooltip) when it says more than its value.
Point = tuple[date, float] | tuple[date, float, str]


def line_chart(
    series: Sequence[tuple[str, str, Sequence[Point]]],
    marks: Sequence[tuple[date, str]] = (),
    *,
    percent: bool = False,
    label: str = "",
) -> str:
    """An SVG of one or more *series* (name, css class, points) over the same time axis.

    *marks* draw a dashed line on each day a corrective action was noted,
    with the note as its tooltip. A legend names every series drawn. Empty
    when no series has a point. Every text is escaped (notes come from users).
    """
    points = [p for _, _, pts in series for p in pts]
    if not points:
        return ""
    days = [p[0] for p in points] + [d for d, _ in marks]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    values = [p[1] for p in points]
    low, high = (0.0, 1.0) if percent else (min(values), max(values))
    if high == low:
        high, low = high + 1, low - 1 if low else low

    def x(day: date) -> float:
        return PAD + (WIDTH - 2 * PAD) * (day - first).days / span

    def y(value: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - low) / (high - low)

    def fmt(value: float) -> str:
        return f"{value:.0%}" if percent else compact(value)

    bottom, right = HEIGHT - PAD, WIDTH - PAD
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">',
        f'<line class="axis" x1="{PAD}" y1="{bottom}" x2="{right}" y2="{bottom}"/>',
        f'<line class="axis" x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{bottom}"/>',
        _tick(PAD - 4, y(high) + 4, fmt(high), "end"),
        _tick(PAD - 4, y(low) + 4, fmt(low), "end"),
        _tick(PAD, HEIGHT - 8, f"{first:%Y-%m-%d}", "start"),
        _tick(right, HEIGHT - 8, f"{last:%Y-%m-%d}", "end"),
    ]
    for day, note in marks:
        parts.append(
            f'<line class="mark" x1="{x(day):.1f}" y1="{PAD}" x2="{x(day):.1f}" y2="{bottom}">'
            f"<title>{day:%Y-%m-%d}: {escape(note)}</title></line>"
        )
    drawn = [(name, css, pts) for name, css, pts in series if pts]
    for name, css, pts in drawn:
        path = " ".join(f"{x(p[0]):.1f},{y(p[1]):.1f}" for p in sorted(pts, key=lambda p: p[0]))
        parts.append(f'<polyline class="line {escape(css)}" points="{path}">')
        parts.append(f"<title>{escape(name)}</title></polyline>")
        for p in pts:
            d, v = p[0], p[1]
            said = p[2] if len(p) > 2 else f"{d:%Y-%m-%d}: {fmt(v)}"
            text = escape(f"{name} {said}")
            parts.append(
                f'<circle class="dot {escape(css)}" cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" '
                f'data-day="{d:%Y-%m-%d}" data-value="{v!r}" aria-label="{text}">'
                f"<title>{text}</title></circle>"
            )
    parts.append(_legend(drawn))
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: Sequence[tuple[str, str, Sequence[Point]]]) -> str:
    """One swatch and name per series, along the top edge."""
    out = ['<g class="legend">']
    left = PAD
    for name, css, _ in series:
        out.append(
            f'<rect class="swatch {escape(css)}" x="{left}" y="12" width="10" height="10"/>'
            f'<text class="tick" x="{left + 14}" y="21">{escape(name)}</text>'
        )
        left += 24 + 7 * len(name)
    out.append("</g>")
    return "".join(out)


def _tick(x: float, y: float, text: str, anchor: str) -> str:
    return (
        f'<text class="tick" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def compact(value: float) -> str:
    """A short axis label: 1.25 M, 830 k, 34.2."""
    for size, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"
