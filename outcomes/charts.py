"""Server-rendered line charts (SVG, no script, no style attributes: the CSP forbids both).

The template draws what :func:`line_chart` computes: a polyline of the values, a dashed line at the
starting point, and a marker (a diamond, with its text in the data table) where the change from
the start is reliable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

WIDTH = 640
HEIGHT = 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str
    value: str
    reliable: str
    """"improvement", "deterioration" or "" (no reliable change, or no rule)."""

    @property
    def diamond(self) -> str:
        x, y, r = self.x, self.y, 9
        return f"{x},{round(y - r, 1)} {round(x + r, 1)},{y} {x},{round(y + r, 1)} {round(x - r, 1)},{y}"


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    points: list[ChartPoint]
    polyline: str
    baseline_y: float
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int

    @property
    def label_x(self) -> int:
        return self.plot_left - 6

    @property
    def x_label_y(self) -> int:
        return self.plot_bottom + 20


def _num(value: Fraction) -> str:
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def line_chart(
    title: str,
    points: Sequence[tuple[dt.date, Fraction | int, str]],
    low: Fraction | int,
    high: Fraction | int,
    ticks: int = 5,
) -> Chart:
    """``points``: (date, value, reliable direction or "") in date order; ``low``..``high`` the
    value's whole range, so a chart never exaggerates a small change."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    span = (high - low) or Fraction(1)

    def y_of(value: Fraction) -> float:
        return round(TOP + plot_h - float((value - low) / span) * plot_h, 1)

    count = len(points)
    chart_points = []
    low, high = Fraction(low), Fraction(high)
    span = (high - low) or Fraction(1)
    for index, (on, raw, reliable) in enumerate(points):
        value = Fraction(raw)
        x = LEFT + (plot_w / 2 if count == 1 else plot_w * index / (count - 1))
        chart_points.append(
            ChartPoint(round(x, 1), y_of(value), on.strftime("%-d %b %Y"), _num(value), reliable)
        )
    y_ticks = [
        (y_of(low + span * i / (ticks - 1)), _num(low + span * i / (ticks - 1)))
        for i in range(ticks)
    ]
    return Chart(
        title=title,
        width=WIDTH,
        height=HEIGHT,
        points=chart_points,
        polyline=" ".join(f"{p.x},{p.y}" for p in chart_points),
        baseline_y=chart_points[0].y if chart_points else y_of(low),
        y_ticks=y_ticks,
        x_labels=[(p.x, p.label) for p in chart_points],
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=TOP + plot_h,
    )
