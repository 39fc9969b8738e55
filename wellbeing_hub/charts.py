"""Geometry for the accessible horizontal bar chart in ``templates/includes/bar_chart.html``.

Server-rendered SVG (no script, no style attributes: the CSP forbids both), always followed by a
table of the same figures. Each app passes its own labels and the text to show beside each bar, so
units and rounding stay the app's (hours and minutes, pounds, people)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

LABEL_WIDTH = 180
ROW = 32


def bar_chart(
    rows: Sequence[tuple[str, int | Decimal | Fraction, str]], *, width: int = 360
) -> dict[str, Any]:
    """``rows`` are (label, value, text shown beside the bar and in the table)."""
    top = max((Fraction(v) for _, v, _ in rows), default=Fraction(0)) or Fraction(1)
    bars = []
    for i, (label, value, shown) in enumerate(rows):
        length = max(1, round(Fraction(value) / top * width)) if value else 0
        bars.append(
            {
                "label": label,
                "shown": shown,
                "y": i * ROW,
                "text_y": i * ROW + 17,
                "width": length,
                "value_x": LABEL_WIDTH + length + 6,
            }
        )
    return {
        "bars": bars,
        "height": max(ROW, len(bars) * ROW),
        "total_width": LABEL_WIDTH + width + 140,
    }
