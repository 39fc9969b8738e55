"""Dated parameters with a status per value; picks the values in force on a date."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
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
    expected_rise: Decimal | None = None
    """For an unknown value: the rise over the previous value that has been announced or is
    expected (0.07 = 7%), so a result on the previous year's figure can say how far off it may be."""

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
        rise_raw = row.get("expected_rise")
        try:
            expected_rise = None if rise_raw is None else Decimal(str(rise_raw))
        except InvalidOperation:
            raise ParameterFileError(f"{where}.expected_rise: {rise_raw!r}") from None
        if expected_rise is not None and (status != "unknown" or isinstance(rise_raw, float)):
            raise ParameterFileError(f"{where}.expected_rise: only on unknown rows, as a string")
        values.append(
            ParameterValue(
                name=name,
                value=value,
                status=status,
                applies_from=applies_from,
                refs=tuple(str(ref) for ref in refs),
                note=str(row.get("note", "")),
                expected_rise=expected_rise,
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


@dataclass(frozen=True)
class NationalFigure:
    """A national figure added after the parameter file was written (for example from the DHSC
    circular for a new year, entered and confirmed by two people). It replaces the file's row for
    the same date, or adds a row."""

    value: Decimal
    applies_from: dt.date
    note: str = ""
    refs: tuple[str, ...] = ()


NationalFigures = Mapping[str, Sequence[NationalFigure]]


def with_national_figures(
    series: Mapping[str, ParameterSeries], figures: NationalFigures | None
) -> dict[str, ParameterSeries]:
    """The parameter file's series with ``figures`` merged in (status "verified": read in the
    circular and checked by a second person). Unknown names and negative values are refused."""
    merged = dict(series)
    for name, rows in (figures or {}).items():
        if name not in merged:
            raise OverrideError(name, "there is no national figure with that name")
        old = merged[name]
        values = {value.applies_from: value for value in old.values}
        for row in rows:
            if row.value < 0:
                raise OverrideError(name, "a national figure cannot be negative")
            values[row.applies_from] = ParameterValue(
                name=name,
                value=row.value,
                status="verified",
                applies_from=row.applies_from,
                refs=row.refs,
                note=row.note or "national figure entered and confirmed in the admin",
            )
        merged[name] = ParameterSeries(
            name=name,
            description=old.description,
            legal_basis=old.legal_basis,
            overridable=old.overridable,
            values=tuple(sorted(values.values(), key=lambda value: value.applies_from)),
        )
    return merged


def national_figures_from_dict(data: Mapping[str, object]) -> dict[str, list[NationalFigure]]:
    """``{"capital.upper_limit": [{"value": "23250.00", "applies_from": "2026-04-06"}]}`` (the
    shape of the CLI's ``--national`` file) as NationalFigures; same checks as local figures."""
    from rules.charging.overrides import overrides_from_dict

    return {
        name: [NationalFigure(r.value, r.applies_from, r.note) for r in rows]
        for name, rows in overrides_from_dict(data).items()
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
    national: NationalFigures | None = None,
) -> ParametersInForce:
    """Select the values in force on ``on``; apply the council's local figures.

    A local figure is rejected if its name is unknown, if the parameter may not be set locally, or
    if it is less generous (lower) than the national value in force. With ``setting`` given, local
    figures that do not apply to that setting (e.g. a higher capital limit in a care home) are
    left out.
    """
    series = with_national_figures(load_parameter_file(path), national)
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
        in_force = series[name].in_force(on)
        if in_force is not None and in_force.value is not None and current.value < in_force.value:
            raise OverrideError(
                name,
                f"{current.value} is less generous than the national {in_force.value} "
                f"in force on {on.isoformat()}",
            )
        local[name] = current
    return ParametersInForce(on=on, series=series, local=local)
