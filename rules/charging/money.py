"""Money helpers: Decimal pounds quantised to pence, never floats."""

from decimal import ROUND_DOWN, ROUND_UP, Decimal, InvalidOperation

from rules.money import format_money

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


def parse_money(raw: object, field: str, maximum: Decimal | None = None) -> Decimal:
    """Read a money amount from YAML/JSON/form data; floats are refused (they lose pence).

    An amount below zero or above ``maximum`` raises ``InputRangeError`` before any rounding, so
    a huge number (``1e26``, a thousand digits) is refused rather than overflowing ``decimal``.
    """
    from rules.charging.errors import InputError, InputRangeError

    if isinstance(raw, bool | float):
        raise InputError(
            f'{field}: give money as a string such as "12.50" or a whole number, not {raw!r}',
            [field],
        )
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int | str):
        try:
            value = Decimal(str(raw).strip().replace(",", "").lstrip("£"))
        except InvalidOperation:
            raise InputError(f"{field}: {raw!r} is not an amount of money", [field]) from None
    else:
        raise InputError(f"{field}: {raw!r} is not an amount of money", [field])
    if not value.is_finite():
        raise InputError(f"{field}: {raw!r} is not an amount of money", [field])
    if value < 0 or (maximum is not None and value > maximum):
        allowed = (
            f"from {pounds(ZERO)} to {pounds(maximum)}" if maximum is not None else "£0.00 or more"
        )
        raise InputRangeError(f"{field}: must be {allowed}", [field])
    if value != value.quantize(PENNY):
        raise InputError(f"{field}: {raw!r} has fractions of a penny", [field])
    return value.quantize(PENNY)


# Charging Regs reg 11: a fraction of a penny is rounded in the person's favour.
def round_for_person_down(amount: Decimal) -> Decimal:
    """Round something the person pays or is assessed on (income, capital, charge) down."""
    return amount.quantize(PENNY, rounding=ROUND_DOWN)


def round_for_person_up(amount: Decimal) -> Decimal:
    """Round something the person keeps (allowances, disregards) up."""
    return amount.quantize(PENNY, rounding=ROUND_UP)


def pounds(amount: Decimal) -> str:
    """Plain-English money: £1,234.50 (the project's one formatter, :func:`rules.money.format_money`)."""
    return format_money(amount)


def as_string(amount: Decimal) -> str:
    """Machine money string: 1234.50 (no symbol, no thousands separator)."""
    return f"{amount.quantize(PENNY):f}"
