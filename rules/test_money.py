"""rules.money: the one money formatter, at every rounding boundary (issue 14)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from rules.money import format_money, format_pence, to_pence

D = Decimal


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (D("0"), "£0.00"),
        (D("0.01"), "£0.01"),
        (D("0.0049"), "£0.00"),  # just under half a penny: down
        (D("0.005"), "£0.01"),  # exactly half: away from zero
        (D("0.0051"), "£0.01"),
        (D("0.015"), "£0.02"),  # half, odd penny below: still up (not banker's rounding)
        (D("0.025"), "£0.03"),  # half, even penny below: still up
        (D("2.675"), "£2.68"),  # a float would give 2.67
        (D("-0.0049"), "£0.00"),  # rounds to nothing: no minus sign
        (D("-0.005"), "-£0.01"),
        (D("-0.01"), "-£0.01"),
        (D("-1234.5"), "-£1,234.50"),
        (D("999.995"), "£1,000.00"),  # carries into the thousands
        (D("999.994"), "£999.99"),
        (D("1234567.891"), "£1,234,567.89"),
        (D("1E+3"), "£1,000.00"),
        (0, "£0.00"),
        (-7, "-£7.00"),
        (1000000, "£1,000,000.00"),
        (Fraction(1, 3), "£0.33"),
        (Fraction(2, 3), "£0.67"),
        (Fraction(1, 200), "£0.01"),
        (Fraction(-1, 200), "-£0.01"),
        (Fraction(1, 201), "£0.00"),
    ],
)
def test_format_money_rounds_to_the_nearest_penny_halves_away_from_zero(
    amount: Decimal | Fraction | int, text: str
) -> None:
    assert format_money(amount) == text


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (0, "£0.00"),
        (5, "£0.05"),
        (-5, "-£0.05"),
        (99, "£0.99"),
        (100, "£1.00"),
        (-100, "-£1.00"),
        (123450, "£1,234.50"),
        (100000, "£1,000.00"),
        (99999, "£999.99"),
    ],
)
def test_format_pence(pence: int, text: str) -> None:
    assert format_pence(pence) == text


def test_another_currency_symbol() -> None:
    assert format_money(D("-1234.5"), symbol="") == "-1,234.50"
    assert format_pence(5, symbol="zł ") == "zł 0.05"


@pytest.mark.parametrize(
    ("amount", "pence"), [(D("0.005"), 1), (D("-0.005"), -1), (D("0.0049"), 0)]
)
def test_to_pence(amount: Decimal, pence: int) -> None:
    assert to_pence(amount) == pence


@pytest.mark.parametrize("bad", [1.5, True, "1.00", None])
def test_floats_bools_and_text_are_refused(bad: object) -> None:
    with pytest.raises(TypeError, match="money must be a Decimal, Fraction or int"):
        to_pence(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [D("NaN"), D("Infinity"), D("-Infinity")])
def test_non_finite_decimals_are_refused(bad: Decimal) -> None:
    with pytest.raises(ValueError, match="money must be a finite amount"):
        to_pence(bad)


@pytest.mark.parametrize("bad", [1.0, True])
def test_format_pence_refuses_what_is_not_whole_pence(bad: object) -> None:
    with pytest.raises(TypeError, match="pence must be an int"):
        format_pence(bad)  # type: ignore[arg-type]
