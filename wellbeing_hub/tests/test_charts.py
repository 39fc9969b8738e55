"""The one bar chart every app uses (wellbeing_hub.charts + templates/includes/bar_chart.html)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.template.loader import render_to_string

from wellbeing_hub.charts import LABEL_WIDTH, bar_chart


def test_bars_are_in_proportion_to_the_largest() -> None:
    chart = bar_chart(
        [("a", 100, "100"), ("b", Decimal("50"), "50"), ("c", Fraction(1, 1000), "tiny")],
        width=200,
    )
    widths = [b["width"] for b in chart["bars"]]
    assert widths == [200, 100, 1]  # a tiny value still shows a 1-unit bar
    assert chart["bars"][1]["value_x"] == LABEL_WIDTH + 100 + 6
    assert chart["height"] == 3 * 32


def test_zero_has_no_bar_and_all_zero_does_not_divide_by_zero() -> None:
    chart = bar_chart([("a", 0, "0"), ("b", 0, "0")])
    assert [b["width"] for b in chart["bars"]] == [0, 0]


def test_the_include_gives_the_same_figures_in_a_table_and_says_when_empty() -> None:
    html = render_to_string(
        "includes/bar_chart.html",
        {
            "chart": bar_chart([("March", 90, "1 hour 30 minutes")]),
            "id": "c",
            "title": "Hours",
            "label": "Month",
            "value_label": "Time",
        },
    )
    assert 'role="img"' in html and 'aria-labelledby="c-title c-desc"' in html
    assert '<th scope="row" class="govuk-table__header">March</th>' in html
    assert html.count("1 hour 30 minutes") == 2  # beside the bar and in the table
    empty = render_to_string(
        "includes/bar_chart.html", {"chart": bar_chart([]), "empty": "Nothing yet."}
    )
    assert "<svg" not in empty and "Nothing yet." in empty
