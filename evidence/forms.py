"""Forms for the evidence pages. Figures are taken as typed text and checked by ``rules.sroi``
(exact numbers, sources required), so a form error says exactly what ``sroi calc`` would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from django import forms

from rules.sroi import CaseError
from rules.sroi.case import INPUT_KINDS, SECTORS
from rules.sroi.scenarios import parse_scale

SECTOR_LABELS = {
    "adult_social_care": "Council adult social care",
    "nhs": "NHS",
    "housing": "Housing",
    "police": "Police",
    "voluntary_sector": "Voluntary and community sector",
    "people_and_families": "People and their families",
    "other": "Other",
}
KIND_LABELS = {"money": "Money", "in_kind": "In kind (valued in money)", "hours": "Hours of time"}
SAVING_LABELS = {
    "non_cashable": "Non-cashable (value, not money that can be taken out of a budget)",
    "cashable": "Cashable (money that can be taken out of a budget)",
    "levered": "Levered (money brought in from elsewhere)",
}
SECTOR_CHOICES = [(s, SECTOR_LABELS[s]) for s in SECTORS]


def _text(
    label: str, hint: str = "", *, required: bool = True, max_length: int = 500
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=max_length,
        error_messages={
            "required": f"Enter {label[0].lower() + label[1:]}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )


class ProjectForm(forms.Form):
    name = _text("Project name", max_length=200)
    summary = forms.CharField(
        label="What the project does (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    base_year = forms.IntegerField(
        label="Price year of the report",
        help_text="All values are shown in this year's prices, for example 2026.",
        min_value=1950,
        max_value=2100,
        error_messages={
            "required": "Enter the price year of the report, for example 2026",
            "invalid": "The price year must be a year, for example 2026",
            "min_value": "The price year must be 1950 or later",
            "max_value": "The price year must be 2100 or earlier",
        },
    )
    discount_rate = _text("Discount rate", "For example 3.5% (the Green Book rate).")
    discount_rate_source = _text("Where the discount rate comes from", max_length=1000)
    discount_first_year = forms.TypedChoiceField(
        label="Is the first year discounted?",
        choices=[
            ("yes", "Yes: year 1 is discounted by a full year (as the SROI impact map does)"),
            ("no", "No: year 1 is not discounted (the Green Book's year 0)"),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the first year is discounted"},
    )

    def initial_year(self) -> int:
        return dt.date.today().year


class InputForm(forms.Form):
    # The rules call an hourly rate's source rate_source; this form asks for one "source".
    refusal_fields = {"rate_source": "source"}

    name = _text("What went in", "For example: council grant, volunteer time, donated room.")
    kind = forms.ChoiceField(
        label="Kind",
        choices=[(k, KIND_LABELS[k]) for k in INPUT_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of input"},
    )
    sector = forms.ChoiceField(
        label="Who put it in",
        choices=SECTOR_CHOICES,
        error_messages={"required": "Select who put it in"},
    )
    amount = _text(
        "Amount in pounds", "For money or in kind, for example 10000.00.", required=False
    )
    hours = _text("Hours", "For hours of time, for example 500.", required=False)
    rate = _text("Value of an hour in pounds", "For hours, for example 12.00.", required=False)
    source = _text(
        "Where this figure comes from",
        "For example: grant agreement, or the source of the hourly rate the area chose.",
        max_length=1000,
    )

    def as_case_entry(self) -> dict[str, str]:
        data = dict(self.cleaned_data)
        if data["kind"] == "hours":
            data["rate_source"] = data.pop("source")
            data.pop("amount", None)
        else:
            data.pop("hours", None)
            data.pop("rate", None)
        return data


class TimeBankHoursForm(forms.Form):
    start = forms.DateField(
        label="From (YYYY-MM-DD)",
        error_messages={
            "required": "Enter the first date to count, for example 2026-04-01",
            "invalid": "The first date must be a real date, for example 2026-04-01",
        },
    )
    end = forms.DateField(
        label="To (YYYY-MM-DD)",
        error_messages={
            "required": "Enter the last date to count, for example 2027-03-31",
            "invalid": "The last date must be a real date, for example 2027-03-31",
        },
    )
    rate = _text("Value of an hour in pounds", "For example 12.00.")
    rate_source = _text("Where the hourly value comes from", max_length=1000)
    sector = forms.ChoiceField(
        label="Whose time it is",
        choices=SECTOR_CHOICES,
        initial="people_and_families",
        error_messages={"required": "Select whose time it is"},
    )


class OutcomeForm(forms.Form):
    name = _text("What changed", "In the words of the people it changed for.")
    stakeholder = _text("For whom")
    indicator = _text("How you know (the indicator)")
    quantity = _text("How many", "Number of people (or times) the change happened.")
    quantity_source = _text("Where the number comes from", max_length=1000)
    proxy_description = _text("Financial proxy: what it values", required=False)
    proxy_value = _text("Financial proxy: value in pounds", "For example 1000.00.")
    proxy_price_year = _text("Financial proxy: price year", "The year its value is priced in.")
    proxy_source = _text("Financial proxy: where the value comes from", max_length=1000)
    deadweight = _text("Deadweight", "What would have happened anyway, for example 25%.")
    deadweight_source = _text("Where the deadweight comes from", max_length=1000)
    displacement = _text(
        "Displacement (optional)",
        "Value moved from elsewhere. Leave blank for none.",
        required=False,
    )
    displacement_source = _text(
        "Where the displacement comes from", required=False, max_length=1000
    )
    attribution = _text("Attribution", "The share due to others, for example 20%.")
    attribution_source = _text("Where the attribution comes from", max_length=1000)
    drop_off = _text(
        "Drop-off (optional)", "How much less each later year, for example 50%.", required=False
    )
    drop_off_source = _text("Where the drop-off comes from", required=False, max_length=1000)
    duration_years = _text("How many years it lasts", "From 1 to 30.")
    benefits_sector = forms.ChoiceField(
        label="Who gains the value",
        choices=SECTOR_CHOICES,
        error_messages={"required": "Select who gains the value"},
    )
    saving_kind = forms.ChoiceField(
        label="Kind of value",
        choices=list(SAVING_LABELS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of value"},
    )


class ProxyForm(forms.Form):
    name = _text("Name", max_length=200)
    description = _text("What it values", required=False)
    value = forms.DecimalField(
        label="Value in pounds",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "required": "Enter the value in pounds, for example 1000.00",
            "invalid": "The value must be an amount in pounds, for example 1000.00",
            "min_value": "The value must be £0 or more",
            "max_digits": "The value must be less than £10,000,000,000",
            "max_decimal_places": "The value must be in pounds and pence, for example 1000.50",
        },
    )
    price_year = forms.IntegerField(
        label="Price year",
        min_value=1950,
        max_value=2100,
        error_messages={
            "required": "Enter the price year, for example 2024",
            "invalid": "The price year must be a year, for example 2024",
            "min_value": "The price year must be 1950 or later",
            "max_value": "The price year must be 2100 or earlier",
        },
    )
    source = _text("Source", "Publication, table and date.", max_length=1000)
    licence = _text("Licence", "For example: Open Government Licence v3.0.", max_length=200)


class DeflatorForm(forms.Form):
    series = forms.CharField(
        label="Years and index values",
        help_text="One year a line: year, index. For example: 2024,100.0",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        error_messages={"required": "Enter at least one year and index, for example 2024,100.0"},
    )
    source = _text(
        "Source", "For example: HM Treasury GDP deflators, December 2025.", max_length=1000
    )


def _hours(label: str, *, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_value=10000,
        max_digits=7,
        decimal_places=2,
        error_messages={
            "required": f"Enter {label[0].lower() + label[1:]}, for example 12.5",
            "invalid": f"{label} must be a number of hours, for example 12.5",
            "min_value": f"{label} must be 0 or more",
            "max_value": f"{label} must be 10,000 or fewer",
            "max_decimal_places": f"{label} can have at most 2 decimal places, for example 12.25",
            "max_digits": f"{label} must be 10,000 or fewer",
        },
    )


class SessionForm(forms.Form):
    organisation = _text("Organisation", max_length=200)
    held_on = forms.DateField(
        label="Date (YYYY-MM-DD)",
        error_messages={
            "required": "Enter the date of the session, for example 2026-11-20",
            "invalid": "The date must be a real date, for example 2026-11-20",
        },
    )
    description = _text("What was done", "For example: members and staff redesigned the menu.")
    member_hours = _hours("Members' hours", required=True)
    staff_hours = _hours("Staff hours (optional)", required=False)
    staff_hours.help_text = "Leave blank if nobody counted them: the report then says not recorded."


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="From (YYYY-MM-DD)",
        error_messages={"invalid": "The first date must be a real date, for example 2026-04-01"},
    )
    end = forms.DateField(
        label="To (YYYY-MM-DD)",
        error_messages={"invalid": "The last date must be a real date, for example 2027-03-31"},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The last date must be the same as or after the first date")
        return data


class ScenarioForm(forms.Form):
    """A scale for each project with a result: blank or 1 unchanged, 0 leaves it out."""

    def __init__(self, data: Mapping[str, Any] | None, projects: list[tuple[int, str]]) -> None:
        super().__init__(data)
        for pk, name in projects:
            self.fields[f"scale-{pk}"] = forms.CharField(
                label=f"Scale of {name}",
                help_text="1 as it is, 1.5 for half as much again, 0 to leave it out.",
                required=False,
                max_length=12,
                error_messages={"max_length": "Enter a scale from 0 to 10, for example 1.5"},
            )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for name in self.fields:
            if name in self.errors:
                continue
            try:
                data[name] = parse_scale(data.get(name) or "")
            except CaseError:
                self.add_error(
                    name,
                    "Enter a scale from 0 (leave the project out) to 10, for example 1.5 or 0",
                )
        return data


class ThemeForm(forms.Form):
    round = forms.ChoiceField(
        label="Participatory budgeting round",
        help_text="Rounds still taking ideas.",
        error_messages={"required": "Select the round to offer the theme to"},
    )
    title = _text("Theme", "What residents could bring ideas for.", max_length=150)
    evidence = _text(
        "Evidence for the theme", "Counts only: it is shown on the round's page.", max_length=1000
    )
    evidence.widget = forms.Textarea(attrs={"rows": 4})

    def __init__(
        self, data: Mapping[str, Any] | None, rounds: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        choice = cast(forms.ChoiceField, self.fields["round"])
        choice.choices = [("", "Choose a round"), *rounds]
