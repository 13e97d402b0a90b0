"""Small server-rendered charts: numbers in, SVG-ready geometry out (no JS, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 130
CHART_WIDTH = 420


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int
    width: int
    text_y: int
    color: str
    url: str = ""  # the queue of exactly these tickets, when there is one


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH
    unit: str = ""

    @property
    def value_x(self) -> int:
        return self.label_width + 4


PALETTE = ["#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#64748b"]


def bar_chart(
    title: str,
    data: dict,
    *,
    colors: dict | None = None,
    unit: str = "",
    links: dict | None = None,
) -> BarChart:
    """Horizontal bars scaled to the largest value; labels on the left, values on the bar;
    `links` maps a label to the queue a click on its bar opens."""
    items = [(str(k), float(v or 0)) for k, v in data.items()]
    top = max((v for _, v in items), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 40
    bars = []
    for i, (label, value) in enumerate(items):
        y = i * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            Bar(
                label=label,
                value=value,
                y=y,
                width=max(1, round(room * value / top)) if value else 0,
                text_y=y + BAR_HEIGHT - 5,
                color=(colors or {}).get(label, PALETTE[i % len(PALETTE)]),
                url=(links or {}).get(label, ""),
            )
        )
    height = max(BAR_HEIGHT, len(items) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP)
    return BarChart(title=title, bars=bars, height=height, unit=unit)
