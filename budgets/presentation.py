"""Words for people: the calculator's and the budget's results as a short summary in plain words,
the working without developer text (parameter keys, configuration ids, "PROVISIONAL"), money
that explains its own arithmetic, and the right voice ("Your" for the person, "Pat's" for staff).

Pure presentation: nothing here changes a figure. The rules packages stay the single source of
each number; this module only says them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import cache
from typing import Any

from rules.ledger import SpendStatus
from rules.money import format_money

ZERO = Decimal("0")
PENNY = Decimal("0.01")


def money(value: Decimal | int | str | None) -> str:
    """£1,234.50: the project's one money format (``rules.money.format_money``)."""
    return format_money(Decimal(str(value or 0)))


def whose(viewer: Any, person: Any, *, capital: bool = True) -> str:
    """ "Your" to the person themselves; "Pat's" to anyone else (a broker, a carer)."""
    if getattr(viewer, "pk", None) is not None and viewer.pk == getattr(person, "pk", None):
        return "Your" if capital else "your"
    name = person.get_full_name() if hasattr(person, "get_full_name") else str(person)
    return f"{name or 'This person'}'s"


# --- the charging calculator ---------------------------------------------------------------------


@cache
def _parameter_descriptions() -> dict[str, str]:
    from rules.charging.parameters import load_parameter_file

    return {
        name: series.description.rstrip(".")
        for name, series in load_parameter_file().items()
        if series.description
    }


PARAMETER_KEY = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b")


def parameter_label(name: str) -> str:
    """A national or local figure's name as people read it (never its key)."""
    description = _parameter_descriptions().get(name)
    if description:
        return description
    return "one of the national figures"


def _unkey(text: str) -> str:
    known = _parameter_descriptions()
    return PARAMETER_KEY.sub(
        lambda m: parameter_label(m.group(0)) if m.group(0) in known else m.group(0), text
    )


def _field(line: Any, name: str) -> Any:
    return line.get(name) if isinstance(line, dict) else getattr(line, name, None)


def charge_steps(breakdown: Any) -> list[str]:
    """The working, one sentence a step, without the calculator's developer note (the page says
    once, in words, which figures are provisional) and without parameter keys."""
    steps = []
    for line in breakdown or ():
        if _field(line, "step") == "note" and "PROVISIONAL" in str(_field(line, "text")):
            continue
        steps.append(_unkey(str(_field(line, "text"))))
    return steps


def provisional_figures(values: Any) -> list[str]:
    """The figures not yet checked against the official tables, by name."""
    labels: list[str] = []
    for name in values or ():
        label = parameter_label(str(name))
        if label not in labels:
            labels.append(label)
    return labels


@dataclass(frozen=True)
class ChargeSummary:
    counted_income: Decimal
    tariff_income: Decimal
    protected: Decimal
    charge: Decimal
    cost: Decimal | None

    @property
    def sentences(self) -> list[tuple[str, str]]:
        """(heading, sentence) for "What counts", "What is protected" and "The result"."""
        counts = f"{money(self.counted_income)} a week of income"
        if self.tariff_income:
            counts += f", plus {money(self.tariff_income)} a week for savings (tariff income)"
        rows = [("What counts", counts + ".")]
        if self.protected:
            rows.append(
                (
                    "What is protected",
                    f"You keep at least {money(self.protected)} a week to live on "
                    "(the guarantee and the costs allowed for).",
                )
            )
        result = f"You might pay {money(self.charge)} a week"
        if self.cost:
            council = max(ZERO, self.cost - self.charge)
            result += (
                f" of care costing {money(self.cost)} a week; the council would pay the other "
                f"{money(council)} a week."
            )
        else:
            result += "."
        rows.append(("The result", result))
        return rows


def charge_summary(result: Any, cost: Decimal | str | None) -> ChargeSummary:
    """What counts, what is protected and the result, from the calculator's own working."""
    breakdown = _field(result, "breakdown") or ()

    def total(step: str) -> Decimal:
        return sum(
            (
                Decimal(str(_field(line, "amount")))
                for line in breakdown
                if _field(line, "step") == step and _field(line, "amount") is not None
            ),
            ZERO,
        )

    return ChargeSummary(
        counted_income=total("income_counted"),
        tariff_income=total("tariff_income"),
        protected=total("allowance"),
        charge=Decimal(str(_field(result, "weekly_charge"))),
        cost=Decimal(str(cost)) if cost not in (None, "") else None,
    )


# --- the indicative budget -----------------------------------------------------------------------

CONFIGURATION_LINE = re.compile(r"^This uses the '(?P<status>[^']*)' configuration \S+")
ANSWER_CODE = re.compile(r'" \([A-Z0-9]{1,3}\)')
SHORT_PENCE = re.compile(r"£(\d[\d,]*)\.(\d)(?!\d)")
EXACT_POUNDS = re.compile(r"= £(\d[\d,]*(?:\.\d+)?)(?=,)")


def budget_explanation(lines: Any) -> list[str]:
    """The budget's working without the configuration's id (a short plain sentence instead) and
    with every sum of money in pounds and pence (£98.60, never £98.6)."""
    out = []
    for raw in lines or ():
        line = str(raw)
        if CONFIGURATION_LINE.match(line):
            out.append(
                "These prices are an example: the council has not agreed its own prices yet."
            )
            continue
        line = ANSWER_CODE.sub('"', line)  # 'you answered "…" (C)': the code is for staff
        line = EXACT_POUNDS.sub(lambda m: "= " + _pounds_text(m.group(1)), line)
        line = SHORT_PENCE.sub(lambda m: f"£{m.group(1)}.{m.group(2)}0", line)
        out.append(line)
    return out


def _pounds_text(raw: str) -> str:
    value = Decimal(raw.replace(",", ""))
    if value == value.quantize(PENNY):
        return money(value)
    return f"£{value.normalize():,f}"


# --- money in the plan and the account -----------------------------------------------------------


def money_in_words(totals: Any, viewer: Any, person: Any) -> str:
    """Where the budget's money comes from, with its sum; and why the council may pay £0."""
    if totals.budget_weekly is None:
        return ""
    own, Own = whose(viewer, person, capital=False), whose(viewer, person)
    budget, contribution = totals.budget_weekly, totals.contribution_weekly
    council = totals.council_weekly
    if contribution and council == 0:
        return (
            f"{Own} assessed contribution is at least the whole budget of {money(budget)} a "
            f"week, so {own} contribution pays for all of it and the council pays £0.00. The "
            f"plan's paid support ({money(totals.paid_weekly)} a week) is paid from {own} "
            "contribution."
        )
    if contribution:
        return (
            f"The budget is {money(budget)} a week: {own} contribution of {money(contribution)} "
            f"plus the council's {money(council)} ({money(contribution)} + {money(council)} = "
            f"{money(budget)})."
        )
    return f"The council pays the whole budget: {money(budget)} a week."


@dataclass(frozen=True)
class Projection:
    """Where the account's balance is heading by ``until``, with the sums that get there."""

    status: str  # "overspend", "underspend" or "on_track"
    balance: Decimal
    until: dt.date
    days: int
    weekly_out: Decimal
    weekly_in: Decimal
    out_total: Decimal
    in_total: Decimal
    scheduled_out: Decimal
    projected: Decimal
    threshold: Decimal
    runs_out_on: dt.date | None

    @property
    def needs_attention(self) -> bool:
        return self.status != "on_track"

    @property
    def message(self) -> str:
        return " ".join(self.sentences)

    @property
    def sentences(self) -> list[str]:
        end = f"{self.until.day} {self.until:%B %Y}"
        said = [f"Balance now: {money(self.balance)}."]
        said.append(
            f"In the next {self.days} days, to {end}, the plan spends {money(self.weekly_out)} "
            f"a week ({money(self.out_total)} in all) and {money(self.weekly_in)} a week is due "
            f"in ({money(self.in_total)} in all)."
        )
        sum_text = f"{money(self.balance)} + {money(self.in_total)} − {money(self.out_total)}"
        if self.scheduled_out > 0:
            sum_text += f" − {money(self.scheduled_out)}"
            said.append(f"{money(self.scheduled_out)} of payments are already scheduled by then.")
        elif self.scheduled_out < 0:
            sum_text += f" + {money(-self.scheduled_out)}"
            said.append(f"{money(-self.scheduled_out)} of refunds are already scheduled by then.")
        if self.projected < 0:
            said.append(
                f"{sum_text} = −{money(-self.projected)}: the money runs out"
                + (
                    f" around {self.runs_out_on.day} {self.runs_out_on:%B %Y}"
                    if self.runs_out_on
                    else ""
                )
                + f", a shortfall of {money(-self.projected)} by {end}."
            )
        elif self.status == "underspend":
            said.append(
                f"{sum_text} = {money(self.projected)} left on {end}, more than the "
                f"{money(self.threshold)} the account needs to hold."
            )
        else:
            said.append(f"{sum_text} = {money(self.projected)} left on {end}.")
        return said


def project(
    *,
    balance: Decimal,
    weekly_out: Decimal,
    weekly_in: Decimal,
    scheduled_out: Decimal,
    as_of: dt.date,
    until: dt.date,
    threshold: Decimal,
) -> Projection:
    """Spend ``weekly_out`` and receive ``weekly_in`` evenly, a seventh a day, for each day after
    ``as_of`` up to ``until``. Costs round up and money in rounds down to the penny, so a
    warning is never missed by rounding. Overspend below £0; underspend above ``threshold``."""
    days = max(0, (until - as_of).days)
    out_total = (weekly_out * days / 7).quantize(PENNY, rounding=ROUND_CEILING)
    in_total = (weekly_in * days / 7).quantize(PENNY, rounding=ROUND_FLOOR)
    projected = balance + in_total - out_total - scheduled_out
    runs_out_on = None
    net = weekly_out - weekly_in
    if projected < 0 and net > 0:
        available = max(ZERO, balance - scheduled_out)
        runs_out_on = as_of + dt.timedelta(days=int(available * 7 / net))
    status = (
        SpendStatus.OVERSPEND
        if projected < 0
        else SpendStatus.UNDERSPEND
        if projected > threshold
        else SpendStatus.ON_TRACK
    )
    return Projection(
        status,
        balance,
        until,
        days,
        weekly_out,
        weekly_in,
        out_total,
        in_total,
        scheduled_out,
        projected,
        threshold,
        runs_out_on,
    )


# --- directory prices ----------------------------------------------------------------------------

PRICE_WORD = re.compile(r"^\s*(price|cost|fee|charge)s?\b[:\s]*", re.I)


def price_text(cost: Any) -> str:
    """ "£6.00 a session": a cost option without the publisher's label repeating "Price" and
    without a description that only says the amount again."""
    amount = _field(cost, "amount")
    option = PRICE_WORD.sub("", str(_field(cost, "option") or "")).strip()
    described = str(_field(cost, "amount_description") or "").strip()
    text = money(amount) if amount is not None else ""
    if option and option.lower() not in {"free"}:
        text = f"{text} {option}".strip()
    if described and not re.match(r"^£?\s*\d", described) and described.lower() != option.lower():
        text += f" ({described})"
    return text
