"""Decimal money helpers for the RAS (pence; never floats)."""

from decimal import ROUND_HALF_UP, Decimal

from rules.money import format_money

PENNY = Decimal("0.01")
POUND = Decimal("1")


def to_pence(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def to_nearest_pound(amount: Decimal) -> Decimal:
    # Halves go up (109.50 -> 110.00), the usual reading of "nearest pound".
    return amount.quantize(POUND, rounding=ROUND_HALF_UP).quantize(PENNY)


def pounds(amount: Decimal) -> str:
    """£1,234.50 (the project's one formatter, :func:`rules.money.format_money`)."""
    return format_money(amount)


def as_string(amount: Decimal) -> str:
    return f"{to_pence(amount):f}"


def points_text(points: Decimal) -> str:
    """Points without trailing zeros: 39.75, 14, 10.5."""
    text = f"{points.normalize():f}"
    return text
