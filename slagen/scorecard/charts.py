"""The scorecard's charts as hand-written SVG: the same data gives the same bytes (fixed decimals, fixed order, no
ids, no clock), so two runs of `slagen measure` write identical PDFs. Labels arrive formatted; nothing here is
wording. WeasyPrint draws the inline SVG."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

RED = "#b03a2e"
AMBER = "#b9770e"
GREEN = "#1e8449"
GRID = "#d7dce2"
INK_SOFT = "#5b6470"
# Sev-1 (darkest) to Sev-4 (lightest): volume bars stack in this order from the baseline.
SEVERITY_COLOURS = ("#4a235a", "#7d3c98", "#af7ac5", "#d7bde2")
FONT = 'font-family="Liberation Sans, DejaVu Sans, sans-serif"'


@dataclass(frozen=True)
class TrendPoint:
    label: str  # short month, e.g. "Mar"
    value: Decimal | None  # compliance in percent; None: no incident resolved
    counts: bool  # enough incidents for the month to count
    highlight: bool  # a month of the page's quarter


@dataclass(frozen=True)
class Threshold:
    value: Decimal  # percent
    label: str  # e.g. "Service credit below 90%", for the legend under the chart
    colour: str


@dataclass(frozen=True)
class VolumeBar:
    label: str  # short month
    counts: tuple[int, ...]  # incidents per severity, Sev-1 first
    excluded: int  # resolved but excluded under the contract


def _n(value: float) -> str:
    """A coordinate with one decimal: stable text for the same value."""
    return f"{value:.1f}"


def _text(x: float, y: float, text: str, *, size: float = 9, anchor: str = "middle", fill: str = INK_SOFT,
          weight: str = "normal") -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}" {FONT}>{escape(text)}</text>')


def _axis_floor(values: list[Decimal]) -> int:
    """The lowest gridline: ten points below the lowest value or threshold, in steps of ten, at most 80."""
    lowest = min(values, default=Decimal(80))
    return max(0, min(80, int((lowest - 5) // 10 * 10)))


def trend_chart(
    points: list[TrendPoint], thresholds: list[Threshold], brand: str, *, width: int = 480, height: int = 150
) -> str:
    """Monthly compliance as a line against the threshold lines; the page's quarter on a light band."""
    left, right, top, bottom = 34.0, 12.0, 10.0, 22.0
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [point.value for point in points if point.value is not None]
    floor = _axis_floor(values + [threshold.value for threshold in thresholds])

    def y_of(value: Decimal) -> float:
        return top + plot_h * (1 - (float(value) - floor) / (100 - floor))

    step = plot_w / max(len(points), 1)

    def x_of(index: int) -> float:
        return left + step * (index + 0.5)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img">']
    band = [index for index, point in enumerate(points) if point.highlight]
    if band:
        x0 = left + step * band[0]
        parts.append(f'<rect x="{_n(x0)}" y="{_n(top)}" width="{_n(step * len(band))}" height="{_n(plot_h)}" '
                     'fill="#eef2f6"/>')
    for grid in range(floor, 101, 10):
        y = y_of(Decimal(grid))
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(width - right)}" y2="{_n(y)}" stroke="{GRID}" '
                     'stroke-width="0.6"/>')
        parts.append(_text(left - 4, y + 3, f"{grid}%", size=8, anchor="end"))
    for threshold in thresholds:
        y = y_of(threshold.value)
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(width - right)}" y2="{_n(y)}" '
                     f'stroke="{threshold.colour}" stroke-width="1.2" stroke-dasharray="5 3"/>')
    ink = escape(brand)
    run: list[str] = []
    runs: list[list[str]] = []
    for index, point in enumerate(points):
        if point.value is None:
            if run:
                runs.append(run)
            run = []
            continue
        run.append(f"{_n(x_of(index))},{_n(y_of(point.value))}")
    if run:
        runs.append(run)
    for line in runs:
        if len(line) > 1:
            parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{ink}" stroke-width="1.8"/>')
    for index, point in enumerate(points):
        x = x_of(index)
        parts.append(_text(x, height - 8, point.label, size=8, weight="bold" if point.highlight else "normal"))
        if point.value is None:
            continue
        y = y_of(point.value)
        fill = "#ffffff" if not point.counts else ink
        parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{fill}" stroke="{ink}" stroke-width="1.2"/>')
    parts.append("</svg>")
    return "".join(parts)


def volume_chart(bars: list[VolumeBar], *, width: int = 230, height: int = 142) -> str:
    """Incidents resolved per month, stacked by severity (Sev-1 at the bottom), the total above each bar."""
    left, right, top, bottom = 8.0, 8.0, 14.0, 22.0
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max((sum(bar.counts) for bar in bars), default=0) or 1
    step = plot_w / max(len(bars), 1)
    bar_w = min(step * 0.55, 36.0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img">',
             f'<line x1="{_n(left)}" y1="{_n(top + plot_h)}" x2="{_n(width - right)}" y2="{_n(top + plot_h)}" '
             f'stroke="{GRID}" stroke-width="0.8"/>']
    for index, bar in enumerate(bars):
        x = left + step * (index + 0.5) - bar_w / 2
        base = top + plot_h
        for severity, count in enumerate(bar.counts):
            if not count:
                continue
            h = plot_h * count / most
            base -= h
            colour = SEVERITY_COLOURS[min(severity, len(SEVERITY_COLOURS) - 1)]
            parts.append(f'<rect x="{_n(x)}" y="{_n(base)}" width="{_n(bar_w)}" height="{_n(h)}" fill="{colour}"/>')
        total = sum(bar.counts)
        parts.append(_text(x + bar_w / 2, base - 3, str(total), size=8, fill="#1d2329", weight="bold"))
        parts.append(_text(x + bar_w / 2, height - 8, bar.label, size=8))
    parts.append("</svg>")
    return "".join(parts)
