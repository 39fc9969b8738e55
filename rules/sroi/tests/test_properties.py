"""Invariants of the SROI arithmetic on generated cases."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.sroi import calculate, case_from_dict
from rules.sroi.sensitivity import switching_value, with_assumption

pytestmark = pytest.mark.pure

percent = st.integers(min_value=0, max_value=100)
money = st.integers(min_value=1, max_value=100_000_00)


@st.composite
def cases(draw: Any) -> Any:
    outcomes = []
    for index in range(draw(st.integers(min_value=1, max_value=3))):
        outcomes.append(
            {
                "id": f"o{index}",
                "name": "outcome",
                "stakeholder": "people",
                "indicator": "indicator",
                "quantity": str(draw(st.integers(min_value=0, max_value=500))),
                "quantity_source": "generated",
                "proxy": {
                    "value": f"{draw(money) / 100:.2f}",
                    "price_year": 2026,
                    "source": "generated",
                },
                "deadweight": f"{draw(percent)}%",
                "deadweight_source": "generated",
                "displacement": f"{draw(percent)}%",
                "displacement_source": "generated",
                "attribution": f"{draw(percent)}%",
                "attribution_source": "generated",
                "drop_off": f"{draw(percent)}%",
                "drop_off_source": "generated",
                "duration_years": draw(st.integers(min_value=1, max_value=10)),
                "start_year": draw(st.integers(min_value=1, max_value=3)),
            }
        )
    return case_from_dict(
        {
            "name": "generated",
            "base_year": 2026,
            "discount_rate": f"{draw(st.integers(min_value=0, max_value=100)) / 10}%",
            "discount_rate_source": "generated",
            "discount_first_year": draw(st.booleans()),
            "inputs": [{"name": "grant", "amount": f"{draw(money) / 100:.2f}", "source": "g"}],
            "outcomes": outcomes,
        }
    )


@settings(max_examples=150, deadline=None)
@given(
    cases(),
    st.sampled_from(["deadweight", "displacement", "attribution", "drop_off"]),
    st.integers(min_value=0, max_value=100),
)
def test_ratio_never_rises_when_a_reduction_rises(
    case: Any, assumption: str, raise_by: int
) -> None:
    target = case.outcomes[0]
    old = getattr(target, assumption).value
    new = min(old + Fraction(raise_by, 100), Fraction(1))
    before = calculate(case).ratio
    after = calculate(with_assumption(case, target.id, assumption, new)).ratio
    assert before is not None and after is not None
    assert after <= before


@settings(max_examples=100, deadline=None)
@given(cases(), st.integers(min_value=0, max_value=100))
def test_ratio_never_rises_with_the_discount_rate(case: Any, raise_by_tenths: int) -> None:
    higher = case.discount_rate.value + Fraction(raise_by_tenths, 1000)
    before = calculate(case).ratio
    after = calculate(with_assumption(case, None, "discount_rate", higher)).ratio
    assert before is not None and after is not None
    assert after <= before


@settings(max_examples=100, deadline=None)
@given(cases(), st.integers(min_value=0, max_value=7))
def test_present_value_is_linear_in_quantity(case: Any, times: int) -> None:
    target = case.outcomes[0]
    base = calculate(with_assumption(case, target.id, "quantity", Fraction(0))).present_value
    one = calculate(with_assumption(case, target.id, "quantity", Fraction(1))).present_value
    many = calculate(with_assumption(case, target.id, "quantity", Fraction(times))).present_value
    assert many - base == times * (one - base)


@settings(max_examples=60, deadline=None)
@given(cases(), st.sampled_from(["quantity", "proxy_value", "deadweight", "attribution"]))
def test_a_switching_value_gives_a_ratio_of_exactly_one(case: Any, assumption: str) -> None:
    target = case.outcomes[0]
    found = switching_value(case, target.id, assumption)
    if found.value is not None:
        assert calculate(with_assumption(case, target.id, assumption, found.value)).ratio == 1
    else:
        assert found.note
