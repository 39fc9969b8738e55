"""Assessment input: plain dataclasses built from a dict (YAML, JSON or a form)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Literal, cast

from rules.charging.errors import InputError, InputRangeError
from rules.charging.limits import (
    MAX_AGE,
    MAX_CAPITAL,
    MAX_CHILDREN,
    MAX_OWNERS,
    MAX_WEEKLY,
    MAX_WEEKS_IN_CARE_HOME,
)
from rules.charging.money import ZERO, parse_money


class IncomeType(StrEnum):
    """Weekly income types. The treatment of each is in rules.charging.income."""

    STATE_PENSION = "state_pension"
    OCCUPATIONAL_PENSION = "occupational_pension"
    PERSONAL_PENSION = "personal_pension"
    PENSION_CREDIT_GUARANTEE = "pension_credit_guarantee"
    PENSION_CREDIT_SAVINGS = "pension_credit_savings"
    UNIVERSAL_CREDIT = "universal_credit"
    ESA = "esa"
    INCOME_SUPPORT = "income_support"
    JSA = "jsa"
    CARERS_ALLOWANCE = "carers_allowance"
    ATTENDANCE_ALLOWANCE_HIGHER = "attendance_allowance_higher"
    ATTENDANCE_ALLOWANCE_LOWER = "attendance_allowance_lower"
    DLA_CARE_HIGHEST = "dla_care_highest"
    DLA_CARE_MIDDLE = "dla_care_middle"
    DLA_CARE_LOWEST = "dla_care_lowest"
    PIP_DAILY_LIVING_ENHANCED = "pip_daily_living_enhanced"
    PIP_DAILY_LIVING_STANDARD = "pip_daily_living_standard"
    OTHER_COUNTED = "other_counted"
    EARNINGS = "earnings"
    DLA_MOBILITY = "dla_mobility"
    PIP_MOBILITY = "pip_mobility"
    OTHER_DISREGARDED = "other_disregarded"


class CapitalKind(StrEnum):
    SAVINGS = "savings"
    INVESTMENT = "investment"
    PROPERTY = "property"  # a property that is not the person's main home
    OTHER = "other"


class FreeService(StrEnum):
    """Care that must be free of charge (Charging Regs regs 3-4)."""

    REABLEMENT = "reablement"  # intermediate care / reablement, up to 6 weeks
    EQUIPMENT = "equipment"  # community equipment and minor adaptations up to GBP 1,000
    S117_AFTERCARE = "s117_aftercare"  # Mental Health Act 1983 s.117 after-care
    CJD = "cjd"  # Creutzfeldt-Jakob disease


Setting = Literal["home", "care_home"]
Stay = Literal["permanent", "temporary"]


@dataclass(frozen=True)
class IncomeItem:
    type: IncomeType
    weekly: Decimal
    joint: bool = False  # paid to a couple: the person's share is half (Annex C para 5)


@dataclass(frozen=True)
class CapitalItem:
    kind: CapitalKind
    value: Decimal
    owners: int = 1  # jointly held capital is split equally between the owners (reg 24)
    secured_debt: Decimal = ZERO
    description: str = ""


@dataclass(frozen=True)
class Property:
    """The person's main home (or former home, for someone now in a care home)."""

    value: Decimal
    owners: int = 1
    secured_debt: Decimal = ZERO
    # A partner, a relative aged 60+ or incapacitated, or a child under 18 still lives there.
    occupied_by_qualifying_relative: bool = False


@dataclass(frozen=True)
class AssessmentInput:
    setting: Setting
    date: dt.date
    age: int
    couple: bool
    weekly_cost_of_care: Decimal
    incomes: tuple[IncomeItem, ...] = ()
    capital: tuple[CapitalItem, ...] = ()
    property: Property | None = None
    dre_claimed: Decimal = ZERO
    housing_costs: Decimal = ZERO
    reached_pension_credit_age: bool | None = None
    date_of_birth: dt.date | None = None
    dependent_children: int = 0
    disabled_children_lower: int = 0
    disabled_children_higher: int = 0
    disability_premium: bool = False
    enhanced_disability_premium: bool = False
    carer_premium: bool = False
    night_care_arranged: bool = False
    care_home_stay: Stay | None = None
    weeks_in_care_home: int | None = None
    half_pension_to_spouse_at_home: bool = False
    free_service: FreeService | None = None
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def from_dict(
        cls, data: Mapping[str, object], default_date: dt.date | None = None
    ) -> AssessmentInput:
        """Build and check an input; every problem found is reported at once, by field name."""
        return _Reader(data, default_date).read()


REQUIRED = ("setting", "age", "couple", "weekly_cost_of_care")
OPTIONAL = (
    "date",
    "incomes",
    "joint_incomes",
    "capital",
    "property",
    "dre_claimed",
    "housing_costs",
    "reached_pension_credit_age",
    "date_of_birth",
    "dependent_children",
    "disabled_children_lower",
    "disabled_children_higher",
    "disability_premium",
    "enhanced_disability_premium",
    "carer_premium",
    "night_care_arranged",
    "care_home_stay",
    "weeks_in_care_home",
    "half_pension_to_spouse_at_home",
    "free_service",
    "notes",
)
CAPITAL_FIELDS = ("kind", "value", "owners", "secured_debt", "description")
PROPERTY_FIELDS = ("value", "owners", "secured_debt", "occupied_by_qualifying_relative")


class _Reader:
    """Collects every error with its field path before raising one InputError."""

    def __init__(self, data: Mapping[str, object], default_date: dt.date | None) -> None:
        self.data = data
        self.default_date = default_date
        self.errors: list[tuple[str, str]] = []
        self.out_of_range = False

    def fail(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    def check_keys(
        self, mapping: Mapping[str, object], allowed: tuple[str, ...], path: str
    ) -> None:
        for key in mapping:
            if key not in allowed:
                self.fail(f"{path}{key}", "unknown field")

    def money(self, raw: object, path: str, maximum: Decimal = MAX_WEEKLY) -> Decimal:
        try:
            return parse_money(raw, path, maximum)
        except InputError as error:
            self.out_of_range |= isinstance(error, InputRangeError)
            self.fail(path, str(error).removeprefix(f"{path}: "))
            return ZERO

    def capital_money(self, raw: object, path: str) -> Decimal:
        return self.money(raw, path, MAX_CAPITAL)

    def boolean(self, raw: object, path: str) -> bool:
        if not isinstance(raw, bool):
            self.fail(path, "must be true or false")
            return False
        return raw

    def count(self, raw: object, path: str, minimum: int, maximum: int) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.fail(path, f"must be a whole number from {minimum} to {maximum}")
            return minimum
        if not minimum <= raw <= maximum:
            self.out_of_range = True
            self.fail(path, f"must be a whole number from {minimum} to {maximum}")
            return minimum
        return raw

    def read(self) -> AssessmentInput:
        data = self.data
        if not isinstance(data, Mapping):
            raise InputError("input must be a mapping of field names to values")
        self.check_keys(data, REQUIRED + OPTIONAL, "")
        for name in REQUIRED:
            if name not in data:
                self.fail(name, "missing")
        on = self.read_date()
        setting = data.get("setting")
        if "setting" in data and setting not in ("home", "care_home"):
            self.fail("setting", "must be 'home' or 'care_home'")
        age = self.count(data["age"], "age", 18, MAX_AGE) if "age" in data else 18
        couple = self.boolean(data["couple"], "couple") if "couple" in data else False
        cost = (
            self.money(data["weekly_cost_of_care"], "weekly_cost_of_care")
            if "weekly_cost_of_care" in data
            else ZERO
        )
        incomes = self.read_incomes("incomes", joint=False) + self.read_incomes(
            "joint_incomes", joint=True
        )
        if any(item.joint for item in incomes) and not couple:
            self.fail("joint_incomes", "only a member of a couple can have joint income")
        stay = data.get("care_home_stay")
        weeks = data.get("weeks_in_care_home")
        if setting == "care_home":
            if stay not in ("permanent", "temporary"):
                self.fail("care_home_stay", "missing: must be 'permanent' or 'temporary'")
            if weeks is None:
                self.fail("weeks_in_care_home", "missing: whole weeks since the stay began")
            else:
                weeks = self.count(weeks, "weeks_in_care_home", 0, MAX_WEEKS_IN_CARE_HOME)
        elif stay is not None or weeks is not None:
            self.fail("care_home_stay", "only for setting 'care_home'")
        pension_age = data.get("reached_pension_credit_age")
        if pension_age is not None:
            pension_age = self.boolean(pension_age, "reached_pension_credit_age")
        born = self.read_birth_date(on)
        flags = {
            name: self.boolean(data[name], name) if name in data else False
            for name in (
                "disability_premium",
                "enhanced_disability_premium",
                "carer_premium",
                "night_care_arranged",
                "half_pension_to_spouse_at_home",
            )
        }
        counts = {
            name: self.count(data[name], name, 0, MAX_CHILDREN) if name in data else 0
            for name in (
                "dependent_children",
                "disabled_children_lower",
                "disabled_children_higher",
            )
        }
        if (
            counts["disabled_children_lower"] + counts["disabled_children_higher"]
            > counts["dependent_children"]
        ):
            self.fail("disabled_children_lower", "more disabled children than dependent_children")
        free_service = None
        if data.get("free_service") is not None:
            try:
                free_service = FreeService(str(data["free_service"]))
            except ValueError:
                self.fail("free_service", f"must be one of {[f.value for f in FreeService]}")
        notes_raw = data.get("notes", [])
        notes = tuple(str(note) for note in notes_raw) if isinstance(notes_raw, list) else ()
        result = AssessmentInput(
            setting=cast(Setting, setting),
            date=on,
            age=age,
            couple=couple,
            weekly_cost_of_care=cost,
            incomes=incomes,
            capital=self.read_capital(),
            property=self.read_property(),
            dre_claimed=self.money(data.get("dre_claimed", "0"), "dre_claimed"),
            housing_costs=self.money(data.get("housing_costs", "0"), "housing_costs"),
            reached_pension_credit_age=pension_age,
            date_of_birth=born,
            care_home_stay=cast(Stay | None, stay),
            weeks_in_care_home=cast(int | None, weeks),
            free_service=free_service,
            notes=notes,
            disability_premium=flags["disability_premium"],
            enhanced_disability_premium=flags["enhanced_disability_premium"],
            carer_premium=flags["carer_premium"],
            night_care_arranged=flags["night_care_arranged"],
            half_pension_to_spouse_at_home=flags["half_pension_to_spouse_at_home"],
            dependent_children=counts["dependent_children"],
            disabled_children_lower=counts["disabled_children_lower"],
            disabled_children_higher=counts["disabled_children_higher"],
        )
        if self.errors:
            detail = "; ".join(f"{path}: {message}" for path, message in self.errors)
            error = InputRangeError if self.out_of_range else InputError
            raise error(f"Invalid assessment input - {detail}", [p for p, _ in self.errors])
        return result

    def read_birth_date(self, on: dt.date) -> dt.date | None:
        raw = self.data.get("date_of_birth")
        if raw is None:
            return None
        born: dt.date | None = None
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            born = raw
        elif isinstance(raw, str):
            try:
                born = dt.date.fromisoformat(raw)
            except ValueError:
                born = None
        if born is None:
            self.fail("date_of_birth", f"{raw!r} is not a date (YYYY-MM-DD)")
        elif born > on or born < dt.date(on.year - 130, 1, 1):
            self.fail("date_of_birth", "must be a real date of birth before the assessment date")
            born = None
        return born

    def read_date(self) -> dt.date:
        raw = self.data.get("date")
        if raw is None:
            if self.default_date is None:
                self.fail("date", "missing (give it in the input or with --date)")
                return dt.date(2000, 1, 1)
            return self.default_date
        if isinstance(raw, dt.datetime):
            self.fail("date", "give a date, not a date and time")
        elif isinstance(raw, dt.date):
            return raw
        elif isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
        self.fail("date", f"{raw!r} is not a date (YYYY-MM-DD)")
        return dt.date(2000, 1, 1)

    def read_incomes(self, key: str, joint: bool) -> tuple[IncomeItem, ...]:
        raw = self.data.get(key, {})
        if raw is None:
            return ()
        if not isinstance(raw, Mapping):
            self.fail(key, "must map income type to a weekly amount")
            return ()
        items: list[IncomeItem] = []
        for name, amount in raw.items():
            path = f"{key}.{name}"
            try:
                income_type = IncomeType(str(name))
            except ValueError:
                self.fail(path, "unknown income type (see rules.charging.inputs.IncomeType)")
                continue
            items.append(IncomeItem(income_type, self.money(amount, path), joint))
        return tuple(items)

    def read_capital(self) -> tuple[CapitalItem, ...]:
        raw = self.data.get("capital", [])
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.fail("capital", "must be a list of items")
            return ()
        items: list[CapitalItem] = []
        for index, row in enumerate(raw):
            path = f"capital[{index}]"
            if not isinstance(row, Mapping):
                self.fail(path, "must be a mapping with kind and value")
                continue
            self.check_keys(row, CAPITAL_FIELDS, f"{path}.")
            for name in ("kind", "value"):
                if name not in row:
                    self.fail(f"{path}.{name}", "missing")
            try:
                kind = CapitalKind(str(row.get("kind", "savings")))
            except ValueError:
                self.fail(f"{path}.kind", f"must be one of {[k.value for k in CapitalKind]}")
                kind = CapitalKind.OTHER
            items.append(
                CapitalItem(
                    kind=kind,
                    value=self.capital_money(row.get("value", "0"), f"{path}.value"),
                    owners=self.count(row.get("owners", 1), f"{path}.owners", 1, MAX_OWNERS),
                    secured_debt=self.capital_money(
                        row.get("secured_debt", "0"), f"{path}.secured_debt"
                    ),
                    description=str(row.get("description", "")),
                )
            )
        return tuple(items)

    def read_property(self) -> Property | None:
        raw = self.data.get("property")
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            self.fail("property", "must be a mapping with value")
            return None
        self.check_keys(raw, PROPERTY_FIELDS, "property.")
        if "value" not in raw:
            self.fail("property.value", "missing")
        occupied = raw.get("occupied_by_qualifying_relative", False)
        return Property(
            value=self.capital_money(raw.get("value", "0"), "property.value"),
            owners=self.count(raw.get("owners", 1), "property.owners", 1, MAX_OWNERS),
            secured_debt=self.capital_money(raw.get("secured_debt", "0"), "property.secured_debt"),
            occupied_by_qualifying_relative=self.boolean(
                occupied, "property.occupied_by_qualifying_relative"
            ),
        )
