from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from rules.sharedlives.costs import CostFileError, costs_on, load, weeks_run


def test_the_default_figures_are_the_seeds_645_against_995_a_week() -> None:
    costs = costs_on(date(2026, 12, 3))
    assert costs.weekly_cost == Decimal("645.00")
    assert costs.alternative_weekly_cost == Decimal("995.00")
    assert costs.alternative == "Supported living"
    assert costs.weekly_difference == Decimal("350.00")
    assert any("Slay" in ref for ref in costs.refs)


def test_no_figure_before_the_first_row() -> None:
    assert costs_on(date(2012, 1, 1)).weekly_cost == Decimal("645.00")
    with pytest.raises(CostFileError, match="No weekly cost in force on 2011-12-31"):
        costs_on(date(2011, 12, 31))


def test_a_later_row_takes_over_from_its_day(tmp_path: Path) -> None:
    path = tmp_path / "costs.yaml"
    path.write_text(
        """
parameters:
  weekly_cost:
    values:
      - {from: "2020-01-01", value: "600"}
      - {from: "2026-04-01", value: "700.5"}
  alternative_weekly_cost:
    alternative: Residential care
    values:
      - {from: "2020-01-01", value: "1000"}
""",
        encoding="utf-8",
    )
    assert costs_on(date(2026, 3, 31), path).weekly_cost == Decimal("600.00")
    after = costs_on(date(2026, 4, 1), path)
    assert after.weekly_cost == Decimal("700.50")
    assert after.applies_from == date(2026, 4, 1)
    assert after.alternative == "Residential care"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('{from: "2020-01-01", value: 600}', "quoted strings"),
        ('{from: "2020-01-01", value: "-1"}', "cannot be negative"),
        ('{from: "not a date", value: "1"}', "values\\[0\\]"),
    ],
)
def test_a_bad_row_is_refused(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "parameters:\n  weekly_cost:\n    values:\n      - " + row + "\n"
        '  alternative_weekly_cost:\n    values:\n      - {from: "2020-01-01", value: "1"}\n',
        encoding="utf-8",
    )
    load.cache_clear()
    with pytest.raises(CostFileError, match=message):
        load(path)


@pytest.mark.parametrize(("days", "weeks"), [(-3, 0), (0, 0), (6, 0), (7, 1), (13, 1), (14, 2)])
def test_only_whole_weeks_count(days: int, weeks: int) -> None:
    start = date(2026, 1, 5)
    assert weeks_run(start, date.fromordinal(start.toordinal() + days)) == weeks
