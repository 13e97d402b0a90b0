"""Time-series charts for the report pages: numbers in, SVG geometry out (no JS, no CDN).

Each chart is drawn by `templates/desk/_series_chart.html` as an accessible SVG (role="img",
a title and a text summary) and the page prints the same numbers as a table beneath it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 900
HEIGHT = 200
RIGHT = 40  # room for the last x-axis label
LEFT = 44  # room for the y-axis labels
BOTTOM = 22  # room for the x-axis labels
TOP = 10
PALETTE = ("#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2")


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    points: str  # "x,y x,y ..." for <polyline>
    dots: tuple[tuple[float, float, str], ...]  # (x, y, value label) for each known value
    dashed: bool = False


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str


@dataclass(frozen=True)
class SeriesChart:
    title: str
    summary: str
    series: tuple[Series, ...]
    ticks: tuple[Tick, ...]
    x_labels: tuple[XLabel, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    plot_bottom: int = HEIGHT - BOTTOM


def _nice_top(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^n at or above `value` (axis maximum)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def series_chart(
    title: str,
    labels: Sequence[str],
    data: dict[str, Sequence[float | None]],
    *,
    unit: str = "",
    dashed: Sequence[str] = (),
    top: float | None = None,
) -> SeriesChart:
    """Lines for each named series over the x `labels`; gaps (None) break nothing, they are
    just not plotted. `top` fixes the y-axis maximum (100 for rates)."""
    values = [v for points in data.values() for v in points if v is not None]
    high = top if top is not None else _nice_top(max(values, default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    step = plot_width / max(1, len(labels) - 1)

    def xy(index: int, value: float) -> tuple[float, float]:
        return round(LEFT + index * step, 1), round(TOP + plot_height * (1 - value / high), 1)

    series = []
    for n, (name, points) in enumerate(data.items()):
        known = [(i, v) for i, v in enumerate(points) if v is not None]
        coords = [(*xy(i, v), f"{labels[i]}: {_fmt(v)}{unit}") for i, v in known]
        series.append(
            Series(
                name=name,
                color=PALETTE[n % len(PALETTE)],
                points=" ".join(f"{x},{y}" for x, y, _ in coords),
                dots=tuple(coords) if len(labels) <= 62 else (),
                dashed=name in dashed,
            )
        )
    ticks = tuple(
        Tick(y=round(TOP + plot_height * (1 - f), 1), label=f"{_fmt(high * f)}{unit}")
        for f in (0, 0.5, 1)
    )
    every = max(1, len(labels) // 6)
    x_labels = tuple(
        XLabel(x=round(LEFT + i * step, 1), label=labels[i]) for i in range(0, len(labels), every)
    )
    summary = "; ".join(
        f"{name}: {len([v for v in points if v is not None])} points, "
        f"highest {_fmt(max([v for v in points if v is not None], default=0))}{unit}"
        for name, points in data.items()
    )
    return SeriesChart(
        title=title, summary=summary, series=tuple(series), ticks=ticks, x_labels=x_labels
    )
