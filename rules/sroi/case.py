"""An SROI case: who is involved, what went in, what changed, and every assumption with its source.

A case is read from a plain dict (YAML, JSON or a web form) by ``case_from_dict``, which checks every
field and raises ``CaseError`` naming the first one that is wrong. Numbers are exact: money and rates
are given as strings (``"12.50"``, ``"0.25"`` or ``"25%"``); floats are refused because they cannot
hold pence or percentages exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from rules.sroi.errors import CaseError

# Sectors that invest or save, named as commissioners use them (issue 18's list).
SECTORS = (
    "adult_social_care",
    "nhs",
    "housing",
    "police",
    "voluntary_sector",
    "people_and_families",
    "other",
)
INPUT_KINDS = ("money", "in_kind", "hours")
MAX_MONEY = Decimal("1000000000")  # £1bn: a larger figure in a local case is a typing mistake
MAX_QUANTITY = Decimal("10000000")
MAX_YEARS = 30  # the Green Book's 3.5% applies to years 0-30
MAX_EXPONENT = 30  # a typed number has at most 30 characters, so no exact figure needs more


@dataclass(frozen=True)
class Sourced:
    """A number and where it came from. ``source`` is required: an unsourced figure is what makes
    two SROI reports of the same case disagree."""

    value: Fraction
    source: str


@dataclass(frozen=True)
class Input:
    id: str
    name: str
    stakeholder: str
    kind: str
    sector: str
    # money and in_kind: the amount; hours: hours x rate
    amount: Fraction
    source: str
    hours: Fraction | None = None
    rate: Fraction | None = None
    # what was counted, when the figure came from the platform (e.g. time-bank exchanges)
    note: str = ""


@dataclass(frozen=True)
class Proxy:
    description: str
    value: Fraction
    price_year: int
    source: str


@dataclass(frozen=True)
class Outcome:
    id: str
    name: str
    stakeholder: str
    indicator: str
    quantity: Sourced
    proxy: Proxy
    deadweight: Sourced
    displacement: Sourced
    attribution: Sourced
    drop_off: Sourced
    duration_years: int
    start_year: int = 1
    # who gains the value (for the who-invests / who-saves matrix), and whether it is cashable
    benefits_sector: str = "people_and_families"
    saving_kind: str = "non_cashable"


@dataclass(frozen=True)
class Case:
    name: str
    base_year: int
    discount_rate: Sourced
    discount_first_year: bool
    inputs: tuple[Input, ...]
    outcomes: tuple[Outcome, ...]
    deflator: Mapping[int, Fraction] = field(default_factory=dict)
    deflator_source: str = ""

    def outcome(self, outcome_id: str) -> Outcome:
        for outcome in self.outcomes:
            if outcome.id == outcome_id:
                return outcome
        raise KeyError(outcome_id)


# --- reading -----------------------------------------------------------------------------------


def _exact(raw: object, path: str) -> Fraction:
    if isinstance(raw, bool | float):
        raise CaseError(path, f'give numbers as text such as "12.50" or "25%", not {raw!r}')
    if isinstance(raw, int):
        return Fraction(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise CaseError(path, f"{raw!r} is not a number")
        return Fraction(raw)
    if isinstance(raw, str):
        text = raw.strip().replace(",", "").lstrip("£")
        percent = text.endswith("%")
        if percent:
            text = text[:-1].strip()
        if not text or len(text) > 30:
            raise CaseError(path, f"{raw!r} is not a number")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CaseError(path, f"{raw!r} is not a number") from None
        if not number.is_finite():
            raise CaseError(path, f"{raw!r} is not a number")
        exponent = number.as_tuple().exponent
        if not isinstance(exponent, int) or not -MAX_EXPONENT <= exponent <= MAX_EXPONENT:
            # "1e-999999999" is short but its exact fraction has a billion-digit denominator.
            raise CaseError(path, f"{raw!r} is not a number we can use: write it out in full")
        value = Fraction(number)
        return value / 100 if percent else value
    raise CaseError(path, f"{raw!r} is not a number")


def _money(raw: object, path: str) -> Fraction:
    value = _exact(raw, path)
    if value < 0:
        raise CaseError(path, "cannot be negative")
    if value > MAX_MONEY:
        raise CaseError(path, "is more than £1,000,000,000: check the figure")
    if (value * 100).denominator != 1:
        raise CaseError(path, "has fractions of a penny")
    return value


def _share(raw: object, path: str) -> Fraction:
    """A proportion from 0 to 1 (given as "0.25" or "25%")."""
    value = _exact(raw, path)
    if not 0 <= value <= 1:
        raise CaseError(path, "must be from 0% to 100%")
    return value


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _text(data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
    raw = data.get(key, "")
    if raw is None:
        raw = ""
    if not isinstance(raw, str | int):
        raise CaseError(_at(path, key), "must be text")
    text = str(raw).strip()
    if required and not text:
        raise CaseError(_at(path, key), "is required")
    if len(text) > 2000:
        raise CaseError(_at(path, key), "is longer than 2,000 characters")
    return text


def _int(raw: object, path: str, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise CaseError(path, f"must be a whole number from {low} to {high}")
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise CaseError(path, f"must be a whole number from {low} to {high}") from None
    if not low <= value <= high:
        raise CaseError(path, f"must be a whole number from {low} to {high}")
    return value


def _sourced(
    data: Mapping[str, Any], key: str, path: str, reader: Any, default: str | None = None
) -> Sourced:
    """``key: "25%"`` with ``key_source: "..."`` beside it, or ``key: {value: .., source: ..}``."""
    raw = data.get(key, default)
    if raw is None:
        raise CaseError(_at(path, key), "is required")
    if isinstance(raw, Mapping):
        value = reader(raw.get("value"), f"{path}.{key}.value")
        source = _text(raw, "source", _at(path, key))
        return Sourced(value, source)
    value = reader(raw, _at(path, key))
    source = str(data.get(f"{key}_source", "") or "").strip()
    if not source:
        if key not in data and default is not None:
            source = "not given: assumed none"
        else:
            raise CaseError(
                _at(path, f"{key}_source"),
                f"say where the {key.replace('_', '-')} figure comes from",
            )
    return Sourced(value, source)


def _choice(
    data: Mapping[str, Any], key: str, path: str, allowed: Sequence[str], default: str
) -> str:
    raw = data.get(key, default)
    if raw not in allowed:
        raise CaseError(_at(path, key), f"must be one of: {', '.join(allowed)}")
    return str(raw)


def _list(data: Mapping[str, Any], key: str, limit: int) -> list[Mapping[str, Any]]:
    raw = data.get(key)
    if not isinstance(raw, list) or not raw:
        raise CaseError(key, "give at least one")
    if len(raw) > limit:
        raise CaseError(key, f"at most {limit}")
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise CaseError(f"{key}[{index}]", "must be a set of fields")
    return raw


def input_from_dict(data: Mapping[str, Any], path: str) -> Input:
    kind = _choice(data, "kind", path, INPUT_KINDS, "money")
    sector = _choice(data, "sector", path, SECTORS, "other")
    hours = rate = None
    if kind == "hours":
        if data.get("minutes") is not None:
            # Counted minutes stay exact (50 minutes is not a terminating decimal of hours).
            minutes = _int(data.get("minutes"), f"{path}.minutes", 0, int(MAX_QUANTITY) * 60)
            hours = Fraction(minutes, 60)
        else:
            hours = _exact(data.get("hours"), f"{path}.hours")
        if not 0 <= hours <= MAX_QUANTITY:
            raise CaseError(f"{path}.hours", "must be from 0 to 10,000,000")
        rate = _money(data.get("rate"), f"{path}.rate")
        amount = hours * rate
        source = _text(data, "rate_source", path)
    else:
        amount = _money(data.get("amount"), f"{path}.amount")
        source = _text(data, "source", path)
    return Input(
        id=_text(data, "id", path, required=False) or path,
        name=_text(data, "name", path),
        stakeholder=_text(data, "stakeholder", path, required=False),
        kind=kind,
        sector=sector,
        amount=amount,
        source=source,
        hours=hours,
        rate=rate,
        note=_text(data, "note", path, required=False),
    )


def outcome_from_dict(data: Mapping[str, Any], path: str) -> Outcome:
    proxy_raw = data.get("proxy")
    if not isinstance(proxy_raw, Mapping):
        raise CaseError(f"{path}.proxy", "give the financial proxy: value, price_year and source")
    proxy = Proxy(
        description=_text(proxy_raw, "description", f"{path}.proxy", required=False),
        value=_money(proxy_raw.get("value"), f"{path}.proxy.value"),
        price_year=_int(proxy_raw.get("price_year"), f"{path}.proxy.price_year", 1950, 2100),
        source=_text(proxy_raw, "source", f"{path}.proxy"),
    )

    def quantity(raw: object, where: str) -> Fraction:
        value = _exact(raw, where)
        if not 0 <= value <= MAX_QUANTITY:
            raise CaseError(where, "must be from 0 to 10,000,000")
        return value

    return Outcome(
        id=_text(data, "id", path),
        name=_text(data, "name", path),
        stakeholder=_text(data, "stakeholder", path),
        indicator=_text(data, "indicator", path),
        quantity=_sourced(data, "quantity", path, quantity),
        proxy=proxy,
        deadweight=_sourced(data, "deadweight", path, _share),
        displacement=_sourced(data, "displacement", path, _share, default="0"),
        attribution=_sourced(data, "attribution", path, _share),
        drop_off=_sourced(data, "drop_off", path, _share, default="0"),
        duration_years=_int(data.get("duration_years", 1), f"{path}.duration_years", 1, MAX_YEARS),
        start_year=_int(data.get("start_year", 1), f"{path}.start_year", 1, MAX_YEARS),
        benefits_sector=_choice(data, "benefits_sector", path, SECTORS, "people_and_families"),
        saving_kind=_choice(
            data, "saving_kind", path, ("cashable", "non_cashable", "levered"), "non_cashable"
        ),
    )


@dataclass(frozen=True)
class CaseSettings:
    """The case-wide fields: what a project has before any input or outcome is added."""

    name: str
    base_year: int
    discount_rate: Sourced
    discount_first_year: bool
    deflator: Mapping[int, Fraction]
    deflator_source: str


def case_settings_from_dict(data: Mapping[str, Any]) -> CaseSettings:
    base_year = _int(data.get("base_year"), "base_year", 1950, 2100)
    deflator: dict[int, Fraction] = {}
    raw_deflator = data.get("deflator") or {}
    if not isinstance(raw_deflator, Mapping):
        raise CaseError("deflator", "must map years to index values")
    series = raw_deflator.get("series", raw_deflator)
    if not isinstance(series, Mapping):
        raise CaseError("deflator.series", "must map years to index values")
    for year, index in series.items():
        y = _int(year, f"deflator.series.{year}", 1950, 2100)
        value = _exact(index, f"deflator.series.{year}")
        if value <= 0:
            raise CaseError(f"deflator.series.{year}", "must be more than 0")
        deflator[y] = value
    deflator_source = ""
    if deflator:
        deflator_source = _text(raw_deflator, "source", "deflator")
    rate = _sourced(data, "discount_rate", "", _exact)
    if not 0 <= rate.value <= Fraction(1, 5):
        raise CaseError("discount_rate", "must be from 0% to 20% a year")
    first = data.get("discount_first_year", True)
    if not isinstance(first, bool):
        raise CaseError("discount_first_year", "must be true or false")
    return CaseSettings(
        name=_text(data, "name", ""),
        base_year=base_year,
        discount_rate=rate,
        discount_first_year=first,
        deflator=deflator,
        deflator_source=deflator_source,
    )


def case_from_dict(data: object) -> Case:
    if not isinstance(data, Mapping):
        raise CaseError("case", "must be a set of fields (name, base_year, inputs, outcomes)")
    inputs = tuple(
        input_from_dict(item, f"inputs[{i}]") for i, item in enumerate(_list(data, "inputs", 200))
    )
    outcomes = tuple(
        outcome_from_dict(item, f"outcomes[{i}]")
        for i, item in enumerate(_list(data, "outcomes", 200))
    )
    seen: set[str] = set()
    for i, outcome in enumerate(outcomes):
        if outcome.id in seen:
            raise CaseError(f"outcomes[{i}].id", f"{outcome.id!r} is used twice")
        seen.add(outcome.id)
    settings = case_settings_from_dict(data)
    for i, outcome in enumerate(outcomes):
        if outcome.proxy.price_year != settings.base_year:
            for year in (outcome.proxy.price_year, settings.base_year):
                if year not in settings.deflator:
                    raise CaseError(
                        f"outcomes[{i}].proxy.price_year",
                        f"the value is in {outcome.proxy.price_year} prices and the report in "
                        f"{settings.base_year} prices: load a deflator series with both years "
                        f"({year} is missing)",
                    )
    return Case(
        name=settings.name,
        base_year=settings.base_year,
        discount_rate=settings.discount_rate,
        discount_first_year=settings.discount_first_year,
        inputs=inputs,
        outcomes=outcomes,
        deflator=settings.deflator,
        deflator_source=settings.deflator_source,
    )
