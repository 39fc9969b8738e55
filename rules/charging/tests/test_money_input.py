"""Reading an amount of money (``rules.charging.money.parse_money``): every amount a person,
a council or the admin types goes through it, so what it accepts and how it refuses is pinned
here, each refusal with its wording and the field it names (the form shows it against that
field)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rules.charging.errors import InputError, InputRangeError
from rules.charging.money import parse_money

D = Decimal
TOP = D("1000000.00")  # rules.charging.limits.MAX_WEEKLY


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.50", "12.50"),
        ("  12.5 ", "12.50"),
        (300, "300.00"),
        ("£1,234.50", "1234.50"),
        ("1,000", "1000.00"),
        (D("7.1"), "7.10"),
        ("0", "0.00"),
        ("0.01", "0.01"),
        ("1000000.00", "1000000.00"),
    ],
)
def test_amounts_that_are_read(raw: object, expected: str) -> None:
    """Strings, whole numbers and Decimals; a leading pound sign and thousands commas are
    dropped; the result is in pence. £0.00 and a penny are amounts, and so is the maximum
    itself."""
    value = parse_money(raw, "income", TOP)
    assert isinstance(value, Decimal)
    assert str(value) == expected


@pytest.mark.parametrize("raw", [1.5, True, False])
def test_floats_and_booleans_are_refused(raw: object) -> None:
    """A float has already lost pence (0.1 is not 0.10), and YAML reads `yes` as a boolean."""
    with pytest.raises(InputError) as error:
        parse_money(raw, "income")
    assert str(error.value) == (
        f'income: give money as a string such as "12.50" or a whole number, not {raw!r}'
    )
    assert error.value.fields == ["income"]
    assert not isinstance(error.value, InputRangeError)


@pytest.mark.parametrize("raw", ["abc", "X12.50", "12.50p", "£", None, [12], "NaN", "Infinity"])
def test_what_is_not_an_amount_is_refused(raw: object) -> None:
    """Words, other text before or after the figure, nothing, a list, and the non-numbers
    Python's Decimal would otherwise accept."""
    with pytest.raises(InputError) as error:
        parse_money(raw, "income")
    assert str(error.value) == f"income: {raw!r} is not an amount of money"
    assert error.value.fields == ["income"]
    assert not isinstance(error.value, InputRangeError)


@pytest.mark.parametrize(
    ("raw", "maximum", "allowed"),
    [
        ("-0.01", None, "£0.00 or more"),
        ("-1", TOP, "from £0.00 to £1,000,000.00"),
        ("1000000.01", TOP, "from £0.00 to £1,000,000.00"),
        ("1e26", TOP, "from £0.00 to £1,000,000.00"),
    ],
)
def test_amounts_out_of_range_are_refused_with_the_range(
    raw: str, maximum: Decimal | None, allowed: str
) -> None:
    """Below £0.00, or a penny above the maximum (checked before rounding, so a huge number
    is refused rather than overflowing), raises InputRangeError naming the range."""
    with pytest.raises(InputRangeError) as error:
        parse_money(raw, "income", maximum)
    assert str(error.value) == f"income: must be {allowed}"
    assert error.value.fields == ["income"]


def test_without_a_maximum_any_amount_of_zero_or_more_is_read() -> None:
    assert parse_money("123456789012.34", "capital") == D("123456789012.34")


@pytest.mark.parametrize("raw", ["12.345", "0.001", D("1.005")])
def test_fractions_of_a_penny_are_refused_not_rounded(raw: object) -> None:
    """Rounding is the calculator's (in the person's favour, Charging Regs reg 11), never the
    reader's: an amount with fractions of a penny is refused."""
    with pytest.raises(InputError) as error:
        parse_money(raw, "income", TOP)
    assert str(error.value) == f"income: {raw!r} has fractions of a penny"
    assert error.value.fields == ["income"]
