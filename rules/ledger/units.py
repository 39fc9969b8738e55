"""The two units the ledger counts in, on one generic core.

``Quantity`` is an immutable whole number of a unit's smallest part (``units``): pence for
:class:`Money`, minutes for :class:`Minutes`. The ledger logic is written once against ``Quantity``
and never sees floats. The two subclasses are thin: each adds its constructors, its formatting and
the transaction kinds that are allowed in its ledger.

Adding or comparing a ``Money`` with a ``Minutes`` is a type error for mypy and raises ``TypeError``
at run time.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import ClassVar, Self, TypeVar

from rules.ledger.errors import InvalidAmount
from rules.ledger.formatting import format_minutes, format_minutes_short, format_pence

PENNY = Decimal("0.01")


class MoneyKind(StrEnum):
    """What a money transaction is for (budget accounts, self-directed support)."""

    ALLOCATION = "allocation"
    """Money allocated to a budget account (for example by the council)."""
    CONTRIBUTION = "contribution"
    """A person's own contribution paid into their budget."""
    PROVIDER_PAYMENT = "provider_payment"
    """A payment from a budget to a care or support provider."""
    REFUND = "refund"
    """Money coming back from a provider."""
    REVERSAL = "reversal"
    """A correction: the exact opposite of an earlier transaction."""


class TimeKind(StrEnum):
    """What a time-bank transaction is for."""

    EXCHANGE = "exchange"
    """Time given by one member to another."""
    JOINING_CREDIT = "joining_credit"
    """Hours credited to a new member when they join."""
    ISSUE = "issue"
    """Hours issued by the time bank (for example for volunteering with the hub)."""
    REDEMPTION = "redemption"
    """Hours spent with the time bank itself (events, donated to a pool)."""
    REVERSAL = "reversal"
    """A correction: the exact opposite of an earlier transaction."""


REVERSAL_VALUE = "reversal"
"""Every unit's kind enumeration has a member with this value, used for corrections."""


class Quantity:
    """An immutable whole number of a unit's smallest part. Subclass per unit; never instantiate."""

    __slots__ = ("units",)
    units: int

    kinds: ClassVar[type[StrEnum]]
    """The transaction kinds allowed in a ledger of this unit."""
    unit_name: ClassVar[str] = "unit"
    """The smallest part, in words, for error messages ("pence", "minutes")."""

    def __init__(self, units: int) -> None:
        if isinstance(units, bool) or not isinstance(units, int):
            raise InvalidAmount(
                f"An amount must be a whole number of {self.unit_name}, not {units!r}."
            )
        object.__setattr__(self, "units", units)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    @classmethod
    def zero(cls) -> Self:
        return cls(0)

    @classmethod
    def total(cls, amounts: Iterable[Self]) -> Self:
        """The sum of ``amounts`` (zero when empty), refusing amounts of another unit."""
        result = 0
        for amount in amounts:
            if type(amount) is not cls:
                raise TypeError(f"cannot add {type(amount).__name__} to {cls.__name__}")
            result += amount.units
        return cls(result)

    def format(self) -> str:
        """The amount for people to read."""
        return str(self.units)

    def _same(self, other: object) -> bool:
        return type(other) is type(self)

    def __add__(self, other: Self) -> Self:
        if not self._same(other):
            return NotImplemented
        return type(self)(self.units + other.units)

    def __sub__(self, other: Self) -> Self:
        if not self._same(other):
            return NotImplemented
        return type(self)(self.units - other.units)

    def __mul__(self, factor: int) -> Self:
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return type(self)(self.units * factor)

    __rmul__ = __mul__

    def __neg__(self) -> Self:
        return type(self)(-self.units)

    def __abs__(self) -> Self:
        return type(self)(abs(self.units))

    def __bool__(self) -> bool:
        return self.units != 0

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Quantity) and type(other) is type(self) and other.units == self.units
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.units))

    def _check(self, other: object) -> int:
        if not isinstance(other, Quantity) or type(other) is not type(self):
            raise TypeError(f"cannot compare {type(self).__name__} with {type(other).__name__}")
        return other.units

    def __lt__(self, other: Self) -> bool:
        return self.units < self._check(other)

    def __le__(self, other: Self) -> bool:
        return self.units <= self._check(other)

    def __gt__(self, other: Self) -> bool:
        return self.units > self._check(other)

    def __ge__(self, other: Self) -> bool:
        return self.units >= self._check(other)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.units})"

    def __str__(self) -> str:
        return self.format()

    def __reduce__(self) -> tuple[type[Self], tuple[int]]:
        return (type(self), (self.units,))


Q = TypeVar("Q", bound=Quantity)
"""Any unit: ``Money`` or ``Minutes``."""


class Money(Quantity):
    """Pounds sterling, held as whole pence. ``Money(150)`` is £1.50.

    Build from pounds with :meth:`from_pounds`, which accepts ``Decimal``, ``str`` or ``int`` and
    refuses floats and fractions of a penny (``Money.from_pounds("1.005")`` raises
    :class:`InvalidAmount`).
    """

    __slots__ = ()
    kinds = MoneyKind
    unit_name = "pence"

    @classmethod
    def from_pounds(cls, pounds: Decimal | str | int) -> Money:
        if isinstance(pounds, float | bool) or not isinstance(pounds, Decimal | str | int):
            raise InvalidAmount(
                f"Money must be given as a Decimal or a string such as '12.50', not {pounds!r}."
            )
        try:
            value = Decimal(pounds.strip().replace(",", "") if isinstance(pounds, str) else pounds)
        except InvalidOperation:
            raise InvalidAmount(f"'{pounds}' is not an amount of money.") from None
        if not value.is_finite():
            raise InvalidAmount(f"'{pounds}' is not an amount of money.")
        pence = value * 100
        if pence != pence.to_integral_value():
            raise InvalidAmount(f"£{value} has a fraction of a penny; amounts must be whole pence.")
        return cls(int(pence))

    @property
    def pence(self) -> int:
        return self.units

    @property
    def pounds(self) -> Decimal:
        """The amount in pounds, quantised to pence (``Decimal('1234.50')``)."""
        return (Decimal(self.units) / 100).quantize(PENNY)

    def format(self) -> str:
        """``"£1,234.50"``."""
        return format_pence(self.units)


class Minutes(Quantity):
    """Time, held as whole minutes. ``Minutes(90)`` is 1 hour 30 minutes."""

    __slots__ = ()
    kinds = TimeKind
    unit_name = "minutes"

    @classmethod
    def from_hours(cls, hours: int, minutes: int = 0) -> Minutes:
        """``Minutes.from_hours(2, 30)`` is 150 minutes; ``from_hours(-10)`` is -600."""
        if isinstance(hours, bool) or not isinstance(hours, int):
            raise InvalidAmount(f"Hours must be a whole number, not {hours!r}.")
        return cls(hours * 60 + minutes)

    @property
    def minutes(self) -> int:
        return self.units

    def format(self) -> str:
        """``"2 hours 30 minutes"``."""
        return format_minutes(self.units)

    def short(self) -> str:
        """``"2h 30m"``."""
        return format_minutes_short(self.units)
