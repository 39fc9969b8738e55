"""Money and time for people to read: ``{{ amount|pounds }}`` and ``{{ minutes|hours }}``."""

from __future__ import annotations

from decimal import Decimal

from django import template

from rules.ledger import format_minutes, format_pence

register = template.Library()


@register.filter
def pounds(value: Decimal | str | int | None) -> str:
    if value is None or value == "":
        return ""
    return format_pence(int((Decimal(str(value)) * 100).to_integral_value()))


@register.filter
def hours(minutes: int | None) -> str:
    return format_minutes(int(minutes or 0))


@register.filter
def get(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key, "") if mapping else ""


@register.filter
def entry_amount(row: object, account: object) -> object:
    """What one ledger entry adds to (negative: takes from) this budget account."""
    from budgets import selectors
    from rules.ledger import Money

    return Money(selectors.amount_for(account, row))  # type: ignore[arg-type]
