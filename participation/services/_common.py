"""What every participation service shares: the refusal people read, the staff check, amounts in
pounds and pence, and which neighbourhoods a round covers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from accounts.models import User
from directory import selectors as directory_selectors
from participation.models import (
    Round,
)
from participation.permissions import (
    is_round_staff,
)
from rules.money import format_money
from wellbeing_hub.form_attempts import Refused

if TYPE_CHECKING:
    # Only a type: the neighbourhoods themselves are read through directory.selectors.
    from directory.models import Neighbourhood


class ParticipationError(Refused):
    """A request refused, with a message for the person who made it; ``field`` names the form
    field it is about (views show it there with ``wellbeing_hub.form_attempts.attempt``)."""


def _require_staff(user: User) -> None:
    if not is_round_staff(user):
        raise ParticipationError("Only commissioners and coordinators can do this.")


def _money(amount: Decimal) -> str:
    return format_money(amount)


MAX_AMOUNT = Decimal("9999999999.99")
"""The largest amount in pounds anywhere in a round (the tables hold 12 digits, 2 after the point)."""
MAX_AMOUNT_TEXT = format_money(MAX_AMOUNT)


def _pence(value: Any, what: str, field: str | None = None) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ParticipationError(
            f"{what} must be an amount in pounds, like 1250.00", field
        ) from None
    if not amount.is_finite():
        raise ParticipationError(f"{what} must be an amount in pounds, like 1250.00", field)
    # Compared before quantize: quantize of a 29-digit or 1e999999999 amount raises.
    if amount.copy_abs() > MAX_AMOUNT:
        raise ParticipationError(f"{what} must be no more than {MAX_AMOUNT_TEXT}", field)
    if amount != amount.quantize(Decimal("0.01")):
        raise ParticipationError(f"{what} must be in pounds and pence, like 1250.50", field)
    return amount.quantize(Decimal("0.01"))


def is_split(round_: Round) -> bool:
    return round_.district_pots.exists()


def eligible_neighbourhoods(round_: Round) -> list[Neighbourhood]:
    if is_split(round_):
        return [pot.neighbourhood for pot in round_.district_pots.select_related("neighbourhood")]
    chosen = list(round_.neighbourhoods.all())
    return chosen or list(directory_selectors.neighbourhoods())
