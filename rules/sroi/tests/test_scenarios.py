"""Portfolio scenarios worked by hand: a project scaled up, a project dropped, and the convention
that scaling a project is the same as scaling its inputs and quantities (checked exactly).

Two small projects, year 1 not discounted (Green Book year 0) and one year each, so every figure
can be redone on paper:

A: the council's adult social care puts in £1,000.00; 10 people x £300.00 x (1 - 20% deadweight)
   = £2,400.00 gained by the NHS (cashable).
B: the NHS and the voluntary sector put in £500.00 each; 4 x £250.00 x (1 - 50% attribution)
   = £500.00 gained by adult social care, split 1/2 : 1/2 by who put money in -> £250.00 each.

Base matrix: (adult social care -> NHS) £2,400.00; (NHS -> adult social care) £250.00;
(voluntary sector -> adult social care) £250.00. Value £2,900.00 from £2,000.00 in.

Scenario "A at 1.5, B dropped": (adult social care -> NHS) 2,400 x 1.5 = £3,600.00, nothing else;
value £3,600.00 (+£700.00) from £1,500.00 (-£500.00); adult social care's return per £1 is
3,600 / 1,500 = 2.40, the same as A's own ratio (2,400 / 1,000 = 2.40).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.sroi import CaseError, calculate, case_from_dict
from rules.sroi.calculate import Result, money, ratio
from rules.sroi.scenarios import parse_scale, scenario

pytestmark = pytest.mark.pure


# A case document as read from YAML (the reader, not these helpers, checks its shape).
Document = dict[str, Any]


def _case(name: str, inputs: list[Document], outcome: Document) -> Document:
    return {
        "name": name,
        "base_year": 2026,
        "discount_rate": "3.5%",
        "discount_rate_source": "Green Book",
        "discount_first_year": False,
        "inputs": inputs,
        "outcomes": [outcome],
    }


def _outcome(quantity: str, value: str, sector: str, kind: str, **reductions: str) -> Document:
    return {
        "id": "o",
        "name": "o",
        "stakeholder": "s",
        "indicator": "i",
        "quantity": quantity,
        "quantity_source": "count",
        "proxy": {"description": "p", "value": value, "price_year": 2026, "source": "p"},
        "deadweight": reductions.get("deadweight", "0%"),
        "deadweight_source": "t",
        "attribution": reductions.get("attribution", "0%"),
        "attribution_source": "t",
        "duration_years": 1,
        "benefits_sector": sector,
        "saving_kind": kind,
    }


def _money_in(sector: str, amount: str) -> Document:
    return {"id": sector, "name": sector, "sector": sector, "amount": amount, "source": "t"}


A = _case(
    "A",
    [_money_in("adult_social_care", "1000.00")],
    _outcome("10", "300.00", "nhs", "cashable", deadweight="20%"),
)
B = _case(
    "B",
    [_money_in("nhs", "500.00"), _money_in("voluntary_sector", "500.00")],
    _outcome("4", "250.00", "adult_social_care", "non_cashable", attribution="50%"),
)


@pytest.fixture
def results() -> list[Result]:
    return [calculate(case_from_dict(A)), calculate(case_from_dict(B))]


def test_unchanged_scenario_is_the_base(results: list[Result]) -> None:
    s = scenario(results, {})
    assert s.changed == s.base
    assert s.base.cells == {
        ("adult_social_care", "nhs"): Fraction(2400),
        ("nhs", "adult_social_care"): Fraction(250),
        ("voluntary_sector", "adult_social_care"): Fraction(250),
    }
    assert (s.base.total_value, s.base.total_invested) == (Fraction(2900), Fraction(2000))


def test_scale_one_project_and_drop_the_other(results: list[Result]) -> None:
    s = scenario(results, {0: parse_scale("1.5"), 1: parse_scale("0")})
    assert s.changed.cells == {("adult_social_care", "nhs"): Fraction(3600)}
    assert s.changed.investing == ("adult_social_care",)
    # The sectors the scenario removed still show what they lose.
    assert s.investing == ("adult_social_care", "nhs", "voluntary_sector")
    assert s.cell_change("adult_social_care", "nhs") == 1200
    assert s.cell_change("nhs", "adult_social_care") == -250
    assert money(s.value_change) == "700.00"
    assert money(s.invested_change) == "-500.00"
    assert ratio(s.changed.per_pound("adult_social_care")) == "2.40"
    assert s.changed.by_kind == {"cashable": Fraction(3600)}


def test_a_quarter_more_of_b_keeps_pence_exact(results: list[Result]) -> None:
    s = scenario(results, {1: parse_scale("125%")})
    # 250 x 1.25 = 312.50 for each funder of B; A unchanged.
    assert s.changed.cells[("nhs", "adult_social_care")] == Fraction(625, 2)
    assert money(s.changed.total_value) == "3025.00"
    assert money(s.changed.total_invested) == "2250.00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", Fraction(0)), ("10", Fraction(10)), ("", Fraction(1)), ("0.001", Fraction(1, 1000))],
)
def test_scales_at_their_limits(text: str, expected: Fraction) -> None:
    assert parse_scale(text) == expected


@pytest.mark.parametrize("text", ["-0.01", "10.01", "lots", 1.5, "nan"])
def test_scales_refused(text: object) -> None:
    with pytest.raises(CaseError):
        parse_scale(text)


def test_a_scale_for_a_project_that_is_not_there(results: list[Result]) -> None:
    with pytest.raises(CaseError):
        scenario(results, {2: Fraction(1)})


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=40))
def test_scaling_is_the_same_as_scaling_inputs_and_quantities(quarters: int) -> None:
    """The convention holds exactly: multiplying B's inputs and quantity by k/4 and recounting
    gives the same matrix as the scenario's scale of k/4."""
    scale = Fraction(quarters, 4)
    scaled = copy.deepcopy(B)
    for item in scaled["inputs"]:
        item["amount"] = str(Decimal(item["amount"]) * Decimal(quarters) / 4)
    scaled["outcomes"][0]["quantity"] = str(Decimal(4) * Decimal(quarters) / 4)
    base = [calculate(case_from_dict(A)), calculate(case_from_dict(B))]
    recounted = scenario([base[0], calculate(case_from_dict(scaled))], {})
    via_scale = scenario(base, {1: scale})
    if quarters:
        assert recounted.base.cells == via_scale.changed.cells
    assert recounted.base.total_value == via_scale.changed.total_value
    assert recounted.base.total_invested == via_scale.changed.total_invested


@pytest.mark.parametrize(
    ("text", "refused"),
    [("1e-30", False), ("1e30", True), ("1e-31", True), ("1e-999999999", True), ("1e31", True)],
)
def test_a_short_number_with_a_huge_exponent_is_refused_at_once(text: str, refused: bool) -> None:
    """ "1e-999999999" is 12 characters but its exact fraction has a billion-digit denominator:
    refused before it is built (1e30 is refused as a scale above 10, not for its exponent)."""
    if refused:
        with pytest.raises(CaseError):
            parse_scale(text)
    else:
        assert parse_scale(text) == Fraction(1, 10**30)
