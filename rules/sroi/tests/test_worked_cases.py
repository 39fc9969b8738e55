"""The lunch-club case worked by hand (rules/sroi/examples/lunch_club.yaml).

Arithmetic, written out so a reviewer can redo it with a calculator:

Inputs: grant £10,000.00 + 500 volunteer hours x £10.00 = £5,000.00 -> £15,000.00.

Less lonely: 40 people x £1,000.00 = £40,000.00 gross;
  x (1 - 25% deadweight) x (1 - 0% displacement) x (1 - 20% attribution) = £24,000.00 in year 1;
  year 2 after 50% drop-off = £12,000.00.
  Discounted at 3.5%, year 1 discounted (impact-map convention):
  24,000 / 1.035 = 23,188.4057...; 12,000 / 1.035^2 = 12,000 / 1.071225 = 11,202.1284...
  Present value 34,390.5342... -> £34,390.53.
Fewer GP visits: £42.00 in 2024 prices x 105/100 = £44.10 in 2026 prices; 60 x 44.10 = £2,646.00;
  x 0.9 x 1 x 0.5 = £1,190.70 in year 1; / 1.035 = 1,150.4347... -> £1,150.43.
Present value 35,540.9689... -> £35,540.97; net present value £20,540.97;
ratio 35,540.9689 / 15,000 = 2.3693... -> 2.37.
Payback: year-1 impact 24,000 + 1,190.70 = 25,190.70; 15,000 / (25,190.70 / 12) = 7.145... -> 7.1
months.
"""

from __future__ import annotations

from decimal import Decimal, getcontext
from fractions import Fraction
from pathlib import Path

import pytest

from rules.sroi import Case, calculate, load_case, report
from rules.sroi.sensitivity import switching_value

pytestmark = pytest.mark.pure
CASE = Path(__file__).resolve().parent.parent / "examples" / "lunch_club.yaml"


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case(CASE)


def test_headline_figures_to_the_penny(case: Case) -> None:
    data = calculate(case).to_dict()
    assert data["total_inputs"] == "15000.00"
    assert data["present_value"] == "35540.97"
    assert data["net_present_value"] == "20540.97"
    assert data["ratio"] == "2.37"
    assert data["net_ratio"] == "1.37"
    assert data["payback_months"] == "7.1"
    assert data["year_one_impact"] == "25190.70"


def test_each_outcome_year_by_year(case: Case) -> None:
    lonely, gp = calculate(case).to_dict()["outcomes"]
    assert [y["value"] for y in lonely["years"]] == ["24000.00", "12000.00"]
    assert [y["present_value"] for y in lonely["years"]] == ["23188.41", "11202.13"]
    assert lonely["present_value"] == "34390.53"
    assert gp["proxy"]["value_in_base_year"] == "44.10"
    assert gp["first_year_impact"] == "1190.70"
    assert gp["present_value"] == "1150.43"


def test_year_one_not_discounted_under_the_green_book_convention(case: Case) -> None:
    import dataclasses

    # 24,000 + 12,000 / 1.035 + 1,190.70 = 24,000 + 11,594.2028... + 1,190.70 = 36,784.9028...
    # (year 1 undiscounted, year 2 by one year)
    result = calculate(dataclasses.replace(case, discount_first_year=False))
    assert result.to_dict()["present_value"] == "36784.90"


def test_switching_value_of_attribution_worked_by_hand(case: Case) -> None:
    getcontext().prec = 40
    r = Decimal("1.035")
    others = Decimal("1190.70") / r  # the GP outcome's present value
    at_zero = Decimal(40000) * Decimal("0.75") * (1 / r + Decimal("0.5") / (r * r))
    # ratio 1 when PV = inputs: others + at_zero x (1 - x) = 15,000
    expected = 1 - (Decimal(15000) - others) / at_zero
    found = switching_value(case, "less-lonely", "attribution")
    assert found.value is not None
    assert abs(
        Decimal(found.value.numerator) / Decimal(found.value.denominator) - expected
    ) < Decimal("1e-30")
    assert round(expected * 100, 2) == Decimal("67.78")


def test_switching_values_that_do_not_exist_say_why(case: Case) -> None:
    # Even with 100% drop-off the club's first year alone is worth more than it cost.
    drop = switching_value(case, "less-lonely", "drop_off")
    assert drop.value is None and "above 1 even at 100%" in drop.note
    rate = switching_value(case, None, "discount_rate")
    assert rate.value is None and "above 1" in rate.note


def test_switching_value_of_quantity(case: Case) -> None:
    found = switching_value(case, "less-lonely", "quantity")
    assert found.value is not None
    pv_after = calculate(
        __import__("rules.sroi.sensitivity", fromlist=["x"]).with_assumption(
            case, "less-lonely", "quantity", found.value
        )
    )
    assert pv_after.ratio == 1  # exactly: solved in fractions, not by search
    # (15,000 - 1,150.4347...) / (34,390.5342... / 40 = 859.7633... per person) = 16.1086...
    assert round(float(found.value), 3) == 16.109


def test_drop_off_switching_value_found_by_bisection() -> None:
    from rules.sroi import case_from_dict

    # One outcome of £1,000 a year for 3 years with no discounting, inputs £2,000:
    # 1,000 (1 + (1 - d) + (1 - d)^2) = 2,000  ->  (1 - d)^2 + (1 - d) - 1 = 0
    # 1 - d = (sqrt(5) - 1) / 2 = 0.6180339...  ->  d = 0.3819660...
    case = case_from_dict(
        {
            "name": "golden",
            "base_year": 2026,
            "discount_rate": "0",
            "discount_rate_source": "none, for the test",
            "inputs": [{"name": "grant", "amount": "2000", "source": "test"}],
            "outcomes": [
                {
                    "id": "o",
                    "name": "o",
                    "stakeholder": "s",
                    "indicator": "i",
                    "quantity": "1",
                    "quantity_source": "t",
                    "proxy": {"value": "1000", "price_year": 2026, "source": "t"},
                    "deadweight": "0",
                    "deadweight_source": "t",
                    "attribution": "0",
                    "attribution_source": "t",
                    "drop_off": "0",
                    "drop_off_source": "t",
                    "duration_years": 3,
                }
            ],
        }
    )
    found = switching_value(case, "o", "drop_off")
    assert found.value is not None
    assert abs(found.value - Fraction(381966, 1_000_000)) <= Fraction(1, 1_000_000)


def test_sensitivity_table_varies_each_assumption_on_its_own(case: Case) -> None:
    rows = report(case)["sensitivity"]
    dw = [r for r in rows if r["outcome"] == "less-lonely" and r["assumption"] == "deadweight"]
    # 25% -> 15% and 35%: impact scales by 0.85/0.75 and 0.65/0.75
    assert [r["varied"] for r in dw] == ["15%", "35%"]
    # (1,150.4347... + 34,390.5342... x 0.85 / 0.75) / 15,000 = 2.6750...;
    # (1,150.4347... + 34,390.5342... x 0.65 / 0.75) / 15,000 = 2.0637...
    assert [r["ratio"] for r in dw] == ["2.68", "2.06"]
    assert report(case)["ratio"] == "2.37"
