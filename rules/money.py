"""Money as people read it: the one formatter for pounds and pence (issue 14).

``format_money(Decimal("1234.5"))`` is ``"£1,234.50"``; a negative amount puts the minus sign
before the pound sign (``"-£0.05"``, GOV.UK style); an amount between pennies is rounded to the
nearest penny with halves away from zero (``0.005`` -> ``£0.01``, ``-0.005`` -> ``-£0.01``), done
exactly (no binary floats: ``2.675`` is ``£2.68``); an amount that rounds to nothing is ``"£0.00"``,
never ``"-£0.00"``. Rules that must round a person's money a particular way (down for a charge,
up for what they keep) round first and then format: a penny amount is shown as it is.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

Amount = Decimal | Fraction | int


def to_pence(amount: Amount) -> int:
    """Whole pence nearest to ``amount`` pounds, halves away from zero. Refuses floats, bools and
    non-finite decimals (a float has already lost the penny)."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | Fraction | int):
        raise TypeError(f"money must be a Decimal, Fraction or int, not {type(amount).__name__}")
    if isinstance(amount, Decimal) and not amount.is_finite():
        raise ValueError(f"money must be a finite amount, not {amount}")
    exact = Fraction(amount) * 100
    whole, rest = divmod(abs(exact.numerator), exact.denominator)
    if 2 * rest >= exact.denominator:
        whole += 1
    return -whole if exact < 0 else whole


def format_pence(pence: int, symbol: str = "£") -> str:
    """``123450`` -> ``"£1,234.50"``; ``-5`` -> ``"-£0.05"``."""
    if isinstance(pence, bool) or not isinstance(pence, int):
        raise TypeError(f"pence must be an int, not {type(pence).__name__}")
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}{symbol}{pounds:,}.{rest:02d}"


def format_money(amount: Amount, symbol: str = "£") -> str:
    """``amount`` pounds as text to the nearest penny: ``"£1,234.50"``, ``"-£0.05"``."""
    return format_pence(to_pence(amount), symbol)
