"""Dated parameters with a status per value; picks the values in force on a date."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

import yaml

from rules.charging.errors import OverrideError, UnknownParameterError
from rules.charging.overrides import LocalOverride, Overrides, override_in_force

Status = Literal["verified", "single_source", "derived", "estimate", "unknown"]
Setting = Literal["home", "care_home"]

STATUSES: frozenset[str] = frozenset(
    {"verified", "single_source", "derived", "estimate", "unknown"}
)
DEFAULT_PARAMETER_FILE = Path(__file__).parent / "data" / "england_parameters.yaml"
_OVERRIDABLE = {"home": {"home"}, "care_home": {"care_home"}, "both": {"home", "care_home"}}


@dataclass(frozen=True)
class ParameterValue:
    """One dated value of one parameter, with where it came from."""

    name: str
    value: Decimal | None
    status: Status
    applies_from: dt.date
    refs: tuple[str, ...] = ()
    note: str = ""
    source: Literal["national", "local"] = "national"

    @property
    def is_usable(self) -> bool:
        return self.value is not None and self.status != "unknown"


@dataclass(frozen=True)
class ParameterSeries:
    """All dated values of one parameter."""

    name: str
    description: str
    legal_basis: str
    overridable: frozenset[str]
    values: tuple[ParameterValue, ...]

    def in_force(self, on: dt.date) -> ParameterValue | None:
        current = [value for value in self.values if value.applies_from <= on]
        return max(current, key=lambda value: value.applies_from) if current else None


class ParameterFileError(ValueError):
    """The parameter file itself is malformed (a packaging error, not a user error)."""


def _parse_series(name: str, node: object) -> ParameterSeries:
    if not isinstance(node, Mapping) or not isinstance(node.get("values"), list):
        raise ParameterFileError(f"parameters.{name}: needs a 'values' list")
    overridable_raw = node.get("overridable")
    if overridable_raw is not None and overridable_raw not in _OVERRIDABLE:
        raise ParameterFileError(f"parameters.{name}.overridable: {overridable_raw!r}")
    values: list[ParameterValue] = []
    for index, row in enumerate(node["values"]):
        where = f"parameters.{name}.values[{index}]"
        if not isinstance(row, Mapping):
            raise ParameterFileError(f"{where}: not a mapping")
        status = row.get("status")
        if status not in STATUSES:
            raise ParameterFileError(f"{where}.status: {status!r}")
        try:
            applies_from = dt.date.fromisoformat(str(row["from"]))
        except (KeyError, ValueError):
            raise ParameterFileError(f"{where}.from: missing or not a date") from None
        raw_value = row.get("value")
        if isinstance(raw_value, float):
            raise ParameterFileError(f"{where}.value: write money as a string, not a float")
        try:
            value = None if raw_value is None else Decimal(str(raw_value))
        except InvalidOperation:
            raise ParameterFileError(f"{where}.value: {raw_value!r}") from None
        if (value is None) != (status == "unknown"):
            raise ParameterFileError(f"{where}: a null value needs status unknown, and only it")
        refs = row.get("ref") or []
        values.append(
            ParameterValue(
                name=name,
                value=value,
                status=status,
                applies_from=applies_from,
                refs=tuple(str(ref) for ref in refs),
                note=str(row.get("note", "")),
            )
        )
    return ParameterSeries(
        name=name,
        description=str(node.get("description", "")),
        legal_basis=str(node.get("legal_basis", "")),
        overridable=frozenset(_OVERRIDABLE.get(str(overridable_raw), set())),
        values=tuple(sorted(values, key=lambda value: value.applies_from)),
    )


@functools.cache
def load_parameter_file(path: Path = DEFAULT_PARAMETER_FILE) -> dict[str, ParameterSeries]:
    """Read and check the parameter file; cached because it never changes at run time."""
    with path.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, Mapping) or not isinstance(document.get("parameters"), Mapping):
        raise ParameterFileError(f"{path}: needs a 'parameters' mapping")
    return {
        str(name): _parse_series(str(name), node) for name, node in document["parameters"].items()
    }


@dataclass
class ParametersInForce:
    """The parameter values in force on one date, with any local figures applied.

    ``value(name)`` refuses unknown values and records what it handed out, so the result can say
    which figures it rests on and whether any is an estimate.
    """

    on: dt.date
    series: Mapping[str, ParameterSeries]
    local: Mapping[str, LocalOverride] = field(default_factory=dict)
    used: dict[str, ParameterValue] = field(default_factory=dict)
    # A local figure that relies on a national estimate for its generosity check.
    estimate_checks: set[str] = field(default_factory=set)

    def national(self, name: str) -> ParameterValue | None:
        if name not in self.series:
            raise KeyError(f"no parameter called {name!r}")
        return self.series[name].in_force(self.on)

    def value(self, name: str) -> Decimal:
        """The value to use for ``name``, raising UnknownParameterError if it is not known."""
        national = self.national(name)
        local = self.local.get(name)
        if national is None or not national.is_usable:
            reason = (
                f"no value before {self.series[name].values[0].applies_from}"
                if national is None
                else f"status unknown from {national.applies_from}"
                + (f": {national.note}" if national.note else "")
            )
            if local is not None:
                reason += "; a local figure cannot be checked against an unknown national one"
            raise UnknownParameterError(name, self.on.isoformat(), reason)
        assert national.value is not None
        if local is None:
            self.used[name] = national
            return national.value
        if national.status == "estimate":
            self.estimate_checks.add(name)
        self.used[name] = ParameterValue(
            name=name,
            value=local.value,
            status=national.status if national.status == "estimate" else "verified",
            applies_from=local.applies_from,
            note=local.note or "local figure set by the council",
            source="local",
        )
        return local.value

    @property
    def provisional_values(self) -> list[str]:
        """Names of the values used that are estimates (or checked against an estimate)."""
        return sorted(
            name
            for name, used in self.used.items()
            if used.status == "estimate" or name in self.estimate_checks
        )

    def snapshot(self) -> dict[str, ParameterValue | None]:
        """Every national value in force on the date (for display), local figures applied."""
        result: dict[str, ParameterValue | None] = {}
        for name in self.series:
            national = self.national(name)
            local = self.local.get(name)
            if local is not None and national is not None and national.is_usable:
                result[name] = ParameterValue(
                    name=name,
                    value=local.value,
                    status=national.status,
                    applies_from=local.applies_from,
                    note=local.note,
                    source="local",
                )
            else:
                result[name] = national
        return result


def parameters_in_force(
    on: dt.date,
    overrides: Overrides | None = None,
    setting: Setting | None = None,
    path: Path = DEFAULT_PARAMETER_FILE,
) -> ParametersInForce:
    """Select the values in force on ``on``; apply the council's local figures.

    A local figure is rejected if its name is unknown, if the parameter may not be set locally, or
    if it is less generous (lower) than the national value in force. With ``setting`` given, local
    figures that do not apply to that setting (e.g. a higher capital limit in a care home) are
    left out.
    """
    series = load_parameter_file(path)
    local: dict[str, LocalOverride] = {}
    for name, entry in (overrides or {}).items():
        if name not in series:
            raise OverrideError(name, "there is no parameter with that name")
        if not series[name].overridable:
            raise OverrideError(name, "this figure is set nationally and cannot be changed locally")
        current = override_in_force(name, entry, on)
        if current is None:
            continue
        if setting is not None and setting not in series[name].overridable:
            continue
        national = series[name].in_force(on)
        if national is not None and national.value is not None and current.value < national.value:
            raise OverrideError(
                name,
                f"{current.value} is less generous than the national {national.value} "
                f"in force on {on.isoformat()}",
            )
        local[name] = current
    return ParametersInForce(on=on, series=series, local=local)
