"""Money and time for people to read: ``{{ amount|pounds }}`` and ``{{ minutes|hours }}``."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms, template
from django.utils.safestring import SafeString

from rules.ledger import Money, format_minutes
from rules.money import format_money

if TYPE_CHECKING:
    from budgets.models import BudgetAccount, LedgerTransaction
    from budgets.presentation import ChargeSummary

register = template.Library()


@register.filter
def pounds(value: Decimal | str | int | None) -> str:
    if value is None or value == "":
        return ""
    return format_money(Decimal(str(value)))


@register.filter
def hours(minutes: int | None) -> str:
    return format_minutes(int(minutes or 0))


@register.filter
def get(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key, "") if mapping else ""


@register.filter
def entry_amount(row: LedgerTransaction, account: BudgetAccount) -> Money:
    """What one ledger entry adds to (negative: takes from) this budget account."""
    from budgets import selectors

    return Money(selectors.amount_for(account, row))


@register.simple_tag(takes_context=True)
def whose(context: template.Context, person: object, capital: bool = True) -> str:
    """ "Your" to the person; "Pat's" to a broker, carer or anyone else on a shared page."""
    from budgets.presentation import whose as _whose

    return _whose(context.get("user"), person, capital=capital)


@register.simple_tag(takes_context=True)
def money_in_words(context: template.Context, totals: object, person: object) -> str:
    from budgets.presentation import money_in_words as _words

    return _words(totals, context.get("user"), person)


@register.filter
def charge_steps(breakdown: object) -> list[str]:
    from budgets.presentation import charge_steps as _steps

    return _steps(breakdown)


@register.filter
def provisional_figures(values: object) -> list[str]:
    from budgets.presentation import provisional_figures as _figures

    return _figures(values)


@register.simple_tag
def charge_summary(result: Any, cost: Decimal | str | None) -> ChargeSummary:
    from budgets.presentation import charge_summary as _summary

    return _summary(result, cost)


@register.filter
def budget_explanation(lines: object) -> list[str]:
    from budgets.presentation import budget_explanation as _explain

    return _explain(lines)


@register.filter
def price_text(cost: object) -> str:
    from budgets.presentation import price_text as _price

    return _price(cost)


INPUT_TAG = re.compile(r"<input\b[^>]*>")


@register.simple_tag
def money_field(field: forms.BoundField, **options: Any) -> SafeString:
    """A money input with the GOV.UK "£" prefix (input prefix pattern); otherwise as govuk_field."""
    from wellbeing_hub.templatetags.govuk import govuk_field

    html = str(govuk_field(field, **options))
    return SafeString(
        INPUT_TAG.sub(
            lambda m: (
                '<div class="govuk-input__wrapper"><div class="govuk-input__prefix" '
                f'aria-hidden="true">£</div>{m.group(0)}</div>'
            ),
            html,
            count=1,
        )
    )
