"""Funding that follows a social prescribing referral: whether a micro-grant (pence) or a time
credit award (minutes) fits the community pot. Pure; the app posts the award exactly once."""

from __future__ import annotations

from rules.ledger.errors import DebitLimitExceeded
from rules.ledger.limits import check_debit_limit
from rules.ledger.units import Minutes, Money


def grant_problem(*, amount_pence: int, max_award_pence: int, remaining_pence: int) -> str | None:
    """Why a micro-grant of ``amount_pence`` cannot come from a pot with ``remaining_pence`` left
    and a cap of ``max_award_pence`` per award (0: no cap), or None when it can."""
    if amount_pence <= 0:
        return "Enter an amount more than £0"
    if max_award_pence and amount_pence > max_award_pence:
        return f"A micro-grant from this pot can be at most {Money(max_award_pence)}"
    try:
        check_debit_limit(
            Money(remaining_pence), -Money(amount_pence), Money(0), name="the community pot"
        )
    except DebitLimitExceeded:
        return (
            f"The community pot has {Money(max(remaining_pence, 0))} left: enter a smaller amount"
        )
    return None


def credits_problem(*, minutes: int, max_award_minutes: int) -> str | None:
    """Why an award of ``minutes`` time credits is refused (0 cap: no cap), or None."""
    if minutes <= 0:
        return "Enter a number of hours more than 0"
    if max_award_minutes and minutes > max_award_minutes:
        return f"Time credits from this pot can be at most {Minutes(max_award_minutes)} at a time"
    return None
