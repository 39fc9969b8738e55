"""Every app's money text comes from the one formatter, rules.money.format_money (issue 14): a
negative amount is "-£5.00" (not "£-5.00"), and half a penny rounds away from zero (not to even)."""

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from budgets import presentation, services, worklists
from budgets.templatetags import budgets_tags
from participation import counting
from participation import services as participation_services
from rules.money import format_money

CASES = [Decimal("-5"), Decimal("0.125"), Decimal("1234.5"), Decimal("0.005"), Decimal("0")]
FORMATTERS = [
    budgets_tags.pounds,
    worklists._pounds,
    services.pounds,
    presentation.money,
    participation_services._money,
]


@pytest.mark.parametrize("formatter", FORMATTERS, ids=lambda f: f"{f.__module__}.{f.__name__}")
@pytest.mark.parametrize("amount", CASES, ids=str)
def test_app_formatters_are_the_one_formatter(formatter: Callable[[Any], str], amount: Any) -> None:
    assert formatter(amount) == format_money(amount)


def test_the_vote_count_formats_exact_fractions_the_same_way() -> None:
    assert counting._money(Fraction(1, 8)) == "£0.13"  # 0.125 -> 0.13, not banker's 0.12
    assert counting._money(Fraction(-5)) == "-£5.00"
