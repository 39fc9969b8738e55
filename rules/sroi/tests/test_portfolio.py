"""The who-invests-by-who-gains matrix, worked by hand on two projects."""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.sroi import Case, calculate, case_from_dict
from rules.sroi.portfolio import portfolio

pytestmark = pytest.mark.pure
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "lunch_club.yaml"


def lunch_club() -> Case:
    return case_from_dict(yaml.safe_load(EXAMPLE.read_text()))


def test_lunch_club_split_by_who_put_money_in() -> None:
    result = calculate(lunch_club())
    p = portfolio([result])
    # Inputs: adult social care £10,000, voluntary sector £5,000 (2/3 and 1/3).
    # Gains: people and families 34,390.5342... (less lonely), NHS 1,150.4347... (GP visits).
    lonely = result.outcomes[0].present_value
    gp = result.outcomes[1].present_value
    assert p.cells[("adult_social_care", "people_and_families")] == lonely * Fraction(2, 3)
    assert p.cells[("voluntary_sector", "nhs")] == gp * Fraction(1, 3)
    assert p.total_value == result.present_value
    assert sum(p.cells.values()) == result.present_value
    # Return per £1 for the council: (2/3 of 35,540.9689...) / 10,000 = 2.3693...
    assert p.per_pound("adult_social_care") == result.present_value * Fraction(2, 3) / 10000
    assert p.by_kind == {"non_cashable": result.present_value}  # neither outcome is cashable


def test_a_project_with_no_inputs_is_shown_as_not_funded() -> None:
    data = yaml.safe_load(EXAMPLE.read_text())
    for item in data["inputs"]:
        item["amount"] = "0"
        item.pop("hours", None)
        item["kind"] = "money"
        item["source"] = "none"
    p = portfolio([calculate(case_from_dict(data))])
    assert ("not funded", "nhs") in p.cells
    assert p.per_pound("adult_social_care") is None


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["nhs", "housing", "police"]), st.integers(0, 50_000)),
        min_size=1,
        max_size=4,
    )
)
def test_matrix_total_is_the_portfolio_present_value(funders: list[tuple[str, int]]) -> None:
    base = yaml.safe_load(EXAMPLE.read_text())
    results = []
    for sector, amount in funders:
        data = copy.deepcopy(base)
        data["inputs"] = [
            {"name": "funding", "sector": sector, "amount": str(amount), "source": "t"}
        ]
        results.append(calculate(case_from_dict(data)))
    p = portfolio(results)
    assert sum(p.cells.values()) == sum((r.present_value for r in results), Fraction(0))
