"""Council overrides: local figures that may only be more generous than the national ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rules.charging.errors import OverrideError
from rules.charging.money import parse_money


@dataclass(frozen=True)
class LocalOverride:
    """A council's own figure for one parameter, in force from ``applies_from``."""

    value: Decimal
    applies_from: dt.date
    note: str = ""


# What the Django admin passes in: parameter name -> one override or its dated history.
Overrides = Mapping[str, LocalOverride | Sequence[LocalOverride]]


def override_in_force(
    name: str, entry: LocalOverride | Sequence[LocalOverride], on: dt.date
) -> LocalOverride | None:
    """The latest override for ``name`` that applies on ``on`` (None if none yet)."""
    history = [entry] if isinstance(entry, LocalOverride) else list(entry)
    for item in history:
        if not isinstance(item, LocalOverride):
            raise OverrideError(name, f"expected LocalOverride, got {type(item).__name__}")
    current = [item for item in history if item.applies_from <= on]
    if not current:
        return None
    return max(current, key=lambda item: item.applies_from)


def overrides_from_dict(data: Mapping[str, object]) -> dict[str, list[LocalOverride]]:
    """Build overrides from plain data (what the Django admin stores), e.g.
    ``{"local.minimum_charge_threshold": [{"value": "1.25", "applies_from": "2024-04-01"}]}``.

    A single mapping instead of a list is accepted too.
    """
    result: dict[str, list[LocalOverride]] = {}
    for name, raw in data.items():
        rows = raw if isinstance(raw, list) else [raw]
        parsed: list[LocalOverride] = []
        for index, row in enumerate(rows):
            where = f"overrides.{name}[{index}]"
            if not isinstance(row, Mapping):
                raise OverrideError(name, f"{where} must be a mapping with value and applies_from")
            missing = {"value", "applies_from"} - set(row)
            extra = set(row) - {"value", "applies_from", "note"}
            if missing or extra:
                raise OverrideError(
                    name,
                    f"{where}: missing {sorted(missing)}, unknown {sorted(extra)}",
                )
            applies_from = row["applies_from"]
            if isinstance(applies_from, str):
                try:
                    applies_from = dt.date.fromisoformat(applies_from)
                except ValueError:
                    raise OverrideError(name, f"{where}.applies_from is not a date") from None
            if not isinstance(applies_from, dt.date):
                raise OverrideError(name, f"{where}.applies_from is not a date")
            parsed.append(
                LocalOverride(
                    value=parse_money(row["value"], f"{where}.value"),
                    applies_from=applies_from,
                    note=str(row.get("note", "")),
                )
            )
        result[str(name)] = parsed
    return result
