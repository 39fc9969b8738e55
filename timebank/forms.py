"""Forms for the time bank pages (rendered with the GOV.UK macros' markup by ``govuk_field``)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from directory import selectors as directory_selectors
from timebank.models import AVAILABILITY_CHOICES, WEEKDAY_NAMES, Member, SafeguardingCheck
from timebank.services._common import DATE_RANGE_TEXT, date_in_range

DATE_HINT = "For example, 27/3/2026"
DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]


def _date_range_validator(label: str) -> Any:
    def validate(day: date) -> None:
        if not date_in_range(day):
            raise ValidationError(f"Enter {_lower_first(label)} {DATE_RANGE_TEXT}")

    return validate


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def _date(label: str, **kwargs: Any) -> forms.DateField:
    """A date typed as 27/3/2026 (or 2026-03-27, 27 March 2026), between 1900 and 2099."""
    errors = {"invalid": f"Enter {_lower_first(label)} as a date, for example 27/3/2026"}
    errors.update(kwargs.pop("error_messages", {}))
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        help_text=kwargs.pop("help_text", DATE_HINT),
        error_messages=errors,
        validators=[_date_range_validator(label)],
        **kwargs,
    )


def _category_field(required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Category",
        required=required,
        choices=[("", "Choose a category")]
        + [(t.pk, t.name) for t in directory_selectors.categories()],
    )


def _neighbourhood_field(*, required_if_any: bool = False) -> forms.ChoiceField:
    """A choice of the area's neighbourhoods; ``required_if_any``: required whenever there are
    neighbourhoods to choose from."""
    hoods = [(str(n.pk), n.name) for n in directory_selectors.neighbourhoods()]
    return forms.ChoiceField(
        label="Neighbourhood",
        required=required_if_any and bool(hoods),
        choices=[("", "Choose a neighbourhood"), *hoods],
    )


class JoinForm(forms.Form):
    kind = forms.ChoiceField(
        label="Who is joining?",
        choices=Member.Kind.choices,
        widget=forms.RadioSelect,
        initial=Member.Kind.PERSON,
        error_messages={"required": "Choose who is joining"},
    )
    name = forms.CharField(
        label="Name of the organisation or group (if not joining as a person)",
        max_length=150,
        required=False,
    )
    about = forms.CharField(
        label="What could you help with?",
        help_text="Things you enjoy or are good at. You can add offers once you are approved.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Enter what you could help with",
            "max_length": "What you could help with must be 2000 characters or fewer",
        },
    )
    access_needs = forms.CharField(
        label="Access needs (optional)",
        help_text="Anything that helps us arrange help that works for you.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    availability = forms.MultipleChoiceField(
        label="When are you usually free? (optional)",
        choices=AVAILABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Required whenever there are neighbourhoods to choose from (suggestions use it).
        hood = _neighbourhood_field(required_if_any=True)
        hood.error_messages["required"] = "Choose your neighbourhood"
        hood.label = "Your neighbourhood"
        self.fields["neighbourhood"] = hood
        self.order_fields(["kind", "name", "neighbourhood", "about"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") and data["kind"] != Member.Kind.PERSON and not data.get("name"):
            self.add_error("name", "Enter the name of the organisation or group")
        return data


class OfferForm(forms.Form):
    title = forms.CharField(
        label="What can you offer?",
        max_length=150,
        error_messages={"required": "Enter what you can offer"},
    )
    details = forms.CharField(
        label="More details (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = _category_field(required=True)
        self.fields["category"].error_messages["required"] = "Choose a category"
        self.fields["neighbourhood"] = _neighbourhood_field()


class RequestForm(forms.Form):
    title = forms.CharField(
        label="What help do you need?",
        max_length=150,
        error_messages={"required": "Enter what help you need"},
    )
    details = forms.CharField(
        label="More details (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    access_needs = forms.CharField(
        label="Access needs (optional)",
        help_text="For example, step-free access or a helper who speaks Polish.",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    times = forms.MultipleChoiceField(
        label="When would suit you? (leave empty if any time suits)",
        choices=AVAILABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    needs_check = forms.BooleanField(
        label="This help happens in someone's home or with a child or vulnerable adult",
        help_text="Only members with a valid DBS check will be suggested.",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = _category_field(required=True)
        self.fields["category"].error_messages["required"] = "Choose a category"
        self.fields["neighbourhood"] = _neighbourhood_field()
        self.order_fields(["title", "category", "details", "access_needs", "neighbourhood"])


class ExchangeForm(forms.Form):
    direction = forms.ChoiceField(
        label="Did you give or receive time?",
        choices=[("gave", "I gave time"), ("received", "I received time")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you gave or received time"},
    )
    day = _date("Date", error_messages={"required": "Enter the date"})
    start = forms.TimeField(
        label="Start time",
        help_text="For example, 10:00",
        input_formats=["%H:%M", "%H.%M", "%I:%M%p", "%I%p"],
        error_messages={"required": "Enter the start time", "invalid": "Enter a time like 10:00"},
    )
    hours = forms.IntegerField(
        label="Hours",
        min_value=0,
        initial=0,
        error_messages={
            "required": "Enter the hours",
            "min_value": "The time given must be more than zero",
            "invalid": "Enter hours as a whole number",
        },
    )
    minutes = forms.IntegerField(
        label="Minutes",
        min_value=0,
        max_value=59,
        initial=0,
        error_messages={
            "required": "Enter the minutes",
            "min_value": "The time given must be more than zero",
            "max_value": "Minutes must be 59 or fewer",
            "invalid": "Enter minutes as a whole number",
        },
    )
    description = forms.CharField(label="What was it?", max_length=300, required=False)
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, others: list[tuple[int, str]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["other"] = forms.ChoiceField(
            label="Who with?",
            choices=[("", "Choose a member")] + [(str(pk), name) for pk, name in others],
            error_messages={"required": "Choose the other member"},
        )
        self.order_fields(["direction", "other", "day", "start", "hours", "minutes"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("hours") is not None
            and data.get("minutes") is not None
            and data["hours"] * 60 + data["minutes"] <= 0
        ):
            self.add_error("hours", "The time given must be more than zero")
        return data

    @property
    def total_minutes(self) -> int:
        return int(self.cleaned_data["hours"]) * 60 + int(self.cleaned_data["minutes"])


class CheckForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of check",
        choices=SafeguardingCheck.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of check"},
    )
    checked_on = _date("Date of the check", error_messages={"required": "Enter the date"})
    expires_on = _date(
        "Renew by",
        required=False,
        help_text="Needed for a DBS check. For example, 27/3/2029",
    )
    notes = forms.CharField(label="Notes (optional)", max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=250, error_messages={"required": "Enter the reason"}
    )


class RotaForm(forms.Form):
    title = forms.CharField(
        label="What is the commitment?",
        max_length=150,
        help_text="For example, Lift to the hospital for Mrs Patel",
        error_messages={"required": "Enter what the commitment is"},
    )
    weekday = forms.TypedChoiceField(
        label="Day of the week",
        coerce=int,
        choices=[(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)],
    )
    start_time = forms.TimeField(
        label="Start time",
        help_text="For example, 10:00",
        input_formats=["%H:%M", "%H.%M"],
        error_messages={"required": "Enter the start time", "invalid": "Enter a time like 10:00"},
    )
    duration_minutes = forms.IntegerField(
        label="How long, in minutes",
        min_value=1,
        max_value=24 * 60,
        error_messages={"required": "Enter how long it lasts"},
    )
    first_date = _date("First date", error_messages={"required": "Enter the first date"})
    end_date = _date("Last date", error_messages={"required": "Enter the last date"})
    remind_days_before = forms.IntegerField(
        label="Remind helpers this many days before", min_value=0, max_value=14, initial=2
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiver"] = forms.ChoiceField(
            label="Who is it for?",
            required=False,
            choices=[("", "Choose a member")] + [(str(pk), n) for pk, n in members],
        )
        self.order_fields(["title", "receiver"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("first_date")
            and data.get("end_date")
            and data["end_date"] < data["first_date"]
        ):
            self.add_error("end_date", "The last date must be after the first date")
        return data


class AssignForm(forms.Form):
    starting = _date("First date they cover", error_messages={"required": "Enter the first date"})
    every_weeks = forms.IntegerField(
        label="How often, in weeks",
        help_text="1 is every week, 2 is every other week",
        min_value=1,
        max_value=52,
        initial=1,
    )
    until = _date("Last date they cover (optional)", required=False)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"] = forms.ChoiceField(
            label="Member",
            choices=[("", "Choose a member")] + [(str(pk), n) for pk, n in members],
            error_messages={"required": "Choose a member"},
        )
        self.order_fields(["member"])


class ImportForm(forms.Form):
    what = forms.ChoiceField(
        label="What does the file contain?",
        choices=[("members", "Members"), ("exchanges", "Past exchanges")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the file contains"},
    )
    file = forms.FileField(label="CSV file", error_messages={"required": "Choose a CSV file"})


class CreditsForm(forms.Form):
    hours = forms.IntegerField(
        label="Hours",
        min_value=0,
        max_value=1000,
        initial=1,
        error_messages={"max_value": "Enter 1000 or fewer hours at a time"},
    )
    minutes = forms.IntegerField(label="Minutes", min_value=0, max_value=59, initial=0)
    reason = forms.CharField(
        label="What for?", max_length=200, error_messages={"required": "Enter what it is for"}
    )
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, members: list[tuple[int, str]], member_label: str, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["member"] = forms.ChoiceField(
            label=member_label,
            choices=[("", "Choose")] + [(str(pk), n) for pk, n in members],
            error_messages={"required": "Choose who"},
        )
        self.order_fields(["member"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("hours") or 0) * 60 + (data.get("minutes") or 0) <= 0:
            self.add_error("hours", "The time must be more than zero")
        return data


class RotaDateForm(forms.Form):
    """A button on a rota date (take, give back, accept or decline a swap, done, missed): the date
    (YYYY-MM-DD, from the page) and, for done or missed, the member."""

    day = forms.DateField(
        label="Date",
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "Choose a date of the rota",
            "invalid": "Choose a date of the rota (the date was not of the form YYYY-MM-DD)",
        },
        validators=[_date_range_validator("The date")],
    )
    member = forms.IntegerField(
        label="Member",
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "invalid": "Choose a member of the rota",
            "min_value": "Choose a member of the rota",
            "max_value": "Choose a member of the rota",
        },
    )


class RotaSwapForm(forms.Form):
    """Ask another member to take one of your dates."""

    def __init__(
        self,
        *args: Any,
        days: list[tuple[str, str]],
        members: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"] = forms.ChoiceField(
            label="Which of your dates?",
            choices=[("", "Choose a date"), *days],
            error_messages={
                "required": "Choose the date you want someone to take",
                "invalid_choice": "Choose one of your dates to come",
            },
        )
        self.fields["member"] = forms.ChoiceField(
            label="Who are you asking?",
            choices=[("", "Choose a member")] + [(str(pk), n) for pk, n in members],
            error_messages={
                "required": "Choose the member you are asking",
                "invalid_choice": "Choose an approved member from the list",
            },
        )
