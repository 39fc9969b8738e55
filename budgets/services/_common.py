"""Shared by every budgets service module: the domain error, money and key checks, today's date."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone

from accounts.models import AuditEvent
from budgets.models import (
    ZERO,
)
from rules.money import format_money
from wellbeing_hub.form_attempts import Refused

Action = AuditEvent.Action

# The most any one money field in a plan or a ledger entry may hold. Far above any real case and
# well inside the database columns (ten digits with pence), so no amount can overflow a column.
MAX_WEEKLY_COST = Decimal("100000.00")  # a plan line, its price each time, a top-up, a pool
MAX_TIMES_A_WEEK = Decimal("100")
MAX_TRANSACTION = Decimal("1000000.00")  # one payment, contribution, refund or allocation
# Idempotency keys: letters, digits, "-" and "_", at most 100 (a uuid4 hex from the form, or
# "account-<id>-first-allocation"). Nothing else can break a link or a CSV reference.
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,100}\Z")


class BudgetsError(Refused):
    """A request that cannot be done, with a message to show the person; ``field`` names the form
    field it is about (views show it there with ``wellbeing_hub.form_attempts.attempt``)."""


def _today() -> dt.date:
    return timezone.localdate()


def pounds(amount: Decimal) -> str:
    return format_money(amount)


def check_money(
    amount: Decimal | None,
    *,
    field: str,
    label: str,
    maximum: Decimal,
    minimum: Decimal = ZERO,
) -> Decimal:
    """``amount`` as pounds and pence within ``minimum``..``maximum``, or a BudgetsError naming
    the field and the range (never a database overflow)."""
    allowed = f"between {pounds(minimum)} and {pounds(maximum)}"
    if amount is None or not isinstance(amount, Decimal) or not amount.is_finite():
        raise BudgetsError(f"{label} must be an amount of money {allowed}", field=field)
    if amount < minimum or amount > maximum:
        raise BudgetsError(f"{label} must be {allowed}", field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise BudgetsError(f"{label} must be in pounds and pence, like 12.50", field=field)
    return amount.quantize(Decimal("0.01"))


def valid_key(key: str) -> bool:
    return isinstance(key, str) and KEY_PATTERN.match(key) is not None
