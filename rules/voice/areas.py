"""Feedback clocks per area: a dated, sourced file (``rules/voice/data/area_clocks.yaml``) that
lets an area replace the default clocks of :mod:`rules.voice.parameters` for some kinds.

The loader checks every entry: an area must say when its numbers were checked and where they
come from; a complaint must be acknowledged within the statutory 3 working days (Local
Authority Social Services and NHS Complaints (England) Regulations 2009, reg 13(2)), so an area
may shorten that but never lengthen it; no clock may exceed ``MAX_WORKING_DAYS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rules.voice.clock import Clock
from rules.voice.parameters import DEFAULT_CLOCKS

DATA = Path(__file__).parent / "data" / "area_clocks.yaml"
STATUTORY_ACKNOWLEDGE_MAX = {"complaint": 3}
MAX_WORKING_DAYS = 65


class AreaClockError(ValueError):
    """An area's entry is incomplete or outside the law."""


@dataclass(frozen=True)
class AreaClocks:
    area: str
    name: str
    dated: dt.date
    source: str
    clocks: Mapping[str, Clock]

    def clock_for(self, kind: str) -> Clock:
        return self.clocks.get(kind, DEFAULT_CLOCKS[kind])


def _days(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AreaClockError(f"{where}: working days must be a whole number")
    if not 0 <= value <= MAX_WORKING_DAYS:
        raise AreaClockError(f"{where}: working days must be from 0 to {MAX_WORKING_DAYS}")
    return value


def parse_areas(data: Mapping[str, Any]) -> dict[str, AreaClocks]:
    """Check and convert the file's contents (already parsed from YAML)."""
    areas = data.get("areas")
    if not isinstance(areas, Mapping):
        raise AreaClockError("the file needs an 'areas' mapping")
    found: dict[str, AreaClocks] = {}
    for code, entry in areas.items():
        if not isinstance(entry, Mapping):
            raise AreaClockError(f"{code}: an area is a mapping")
        for key in ("name", "dated", "source", "clocks"):
            if not entry.get(key):
                raise AreaClockError(f"{code}: '{key}' is required")
        if not isinstance(entry["dated"], dt.date):
            raise AreaClockError(f"{code}: 'dated' must be a date (YYYY-MM-DD)")
        clocks: dict[str, Clock] = {}
        for kind, numbers in entry["clocks"].items():
            where = f"{code}, {kind}"
            if kind not in DEFAULT_CLOCKS:
                raise AreaClockError(f"{where}: unknown kind (known: {', '.join(DEFAULT_CLOCKS)})")
            if not isinstance(numbers, Mapping) or set(numbers) != {"acknowledge", "respond"}:
                raise AreaClockError(f"{where}: give exactly 'acknowledge' and 'respond'")
            clock = Clock(
                acknowledge=_days(numbers["acknowledge"], f"{where}, acknowledge"),
                respond=_days(numbers["respond"], f"{where}, respond"),
            )
            limit = STATUTORY_ACKNOWLEDGE_MAX.get(kind)
            if limit is not None and clock.acknowledge > limit:
                raise AreaClockError(
                    f"{where}: a complaint must be acknowledged within {limit} working days "
                    "(2009 Regulations, reg 13(2)); an area may shorten this, not lengthen it"
                )
            clocks[kind] = clock
        found[str(code)] = AreaClocks(
            area=str(code),
            name=str(entry["name"]),
            dated=entry["dated"],
            source=str(entry["source"]).strip(),
            clocks=clocks,
        )
    return found


def load_areas(path: Path = DATA) -> dict[str, AreaClocks]:
    return parse_areas(yaml.safe_load(path.read_text(encoding="utf-8")))


def clock_for(kind: str, area: str = "", areas: Mapping[str, AreaClocks] | None = None) -> Clock:
    """The clock for ``kind`` in ``area`` (the defaults when the area is not listed)."""
    listed = (load_areas() if areas is None else areas).get(area)
    return listed.clock_for(kind) if listed is not None else DEFAULT_CLOCKS[kind]
