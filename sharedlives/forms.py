"""Shared Lives forms. Yes/no questions that may not be known yet have a third answer, "Not known",
stored as ``None``. Dates are typed as year-month-day like the rest of the site."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from sharedlives.models import CarerCheck, MatchEvent, Offer

TRI = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]
TRI_VALUE = {"yes": True, "no": False, "unknown": None}
DATE_HELP = "For example, 2026-03-27"


def tri_initial(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "unknown"}[value]


def _date(label: str, required: bool = True, what: str = "the date") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=DATE_HELP,
        error_messages={
            "required": f"Enter {what}, for example 2026-03-27",
            "invalid": f"Enter {what} as year-month-day, for example 2026-03-27",
        },
    )


def _tri(label: str, question: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=TRI,
        widget=forms.RadioSelect,
        error_messages={"required": f"Select whether {question}, or Not known"},
    )


def _text(
    label: str, help_text: str = "", required: bool = False, rows: int = 0
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
        error_messages={"required": f"Enter {label.lower()}"},
    )


LIST_HELP = "Separate each with a comma"


class CarerForm(forms.Form):
    name = _text("Household name", "For example, The Ash household", required=True)
    household = _text(
        "Who lives in the home", "Adults, children and anyone who stays often", rows=3
    )
    neighbourhood = _text("Neighbourhood")
    skills = _text("Skills", LIST_HELP)
    interests = _text("Interests", LIST_HELP)
    languages = _text("Languages spoken at home", LIST_HELP)
    faith = _text("Faith", "Leave blank if none or if they prefer not to say")
    step_free = _tri("Does the home have step-free access?", "the home has step-free access")
    pets = _tri("Do pets live in the home?", "pets live in the home")
    smoking = _tri("Does anyone smoke in the home?", "anyone smokes in the home")
    offers = forms.MultipleChoiceField(
        label="What the household offers",
        choices=Offer.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    places = forms.IntegerField(
        label="How many people can the household support at once?",
        min_value=1,
        max_value=9,
        error_messages={
            "required": "Enter how many people the household can support, 1 or more",
            "min_value": "Enter how many people the household can support, 1 or more",
            "max_value": "Enter a number of people up to 9",
            "invalid": "Enter the number of people as a whole number, like 1",
        },
    )

    def facts(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        offers = set(data.pop("offers"))
        data.pop("adults", None)
        data.pop("email", None)
        for key in ("step_free", "pets", "smoking"):
            data[key] = TRI_VALUE[data[key]]
        data["offers_long_term"] = Offer.LONG_TERM in offers
        data["offers_short_breaks"] = Offer.SHORT_BREAKS in offers
        data["offers_day_support"] = Offer.DAY_SUPPORT in offers
        return data


class NewCarerForm(CarerForm):
    email = forms.EmailField(
        label="The carer's email address on their account",
        help_text="They sign in with this account to answer about matches",
        error_messages={
            "required": "Enter the carer's email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    adults = _text(
        "Adults who live in the home",
        "One name on each line. Each needs an enhanced DBS check",
        rows=3,
    )

    field_order = ["email", "name", "adults"]


class AdultForm(forms.Form):
    adult_name = forms.CharField(
        label="Name of the adult",
        max_length=200,
        error_messages={"required": "Enter the adult's name"},
    )


class CheckForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which check",
        choices=CarerCheck.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which check this is"},
    )
    adult = forms.ChoiceField(
        label="Adult the DBS check is for", required=False, help_text="Only for a DBS check"
    )
    checked_on = _date("Date of the check", what="the date of the check")
    expires_on = _date("Expires or due again on", required=False, what="the expiry date")
    note = _text("Note", "For example, the DBS certificate number's last 4 digits")

    def __init__(
        self, *args: Any, adults: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        adult = cast(forms.ChoiceField, self.fields["adult"])
        adult.choices = [("", "Not a DBS check"), *(adults or [])]


class ApproveForm(forms.Form):
    on = _date("Approved from", what="the date of approval")


class ReferralForm(forms.Form):
    offer = forms.ChoiceField(
        label="What support do they want?",
        choices=[("", "Not known yet"), *Offer.choices],
        required=False,
    )
    about = _text("About the person and what matters to them", rows=4)
    needs_step_free = _tri("Do they need step-free access?", "they need step-free access")
    needs_smoke_free = _tri("Do they need a smoke-free home?", "they need a smoke-free home")
    allergic_to_pets = _tri("Are they allergic to pets?", "they are allergic to pets")
    languages = _text("Languages they speak", LIST_HELP)
    interests = _text("Their interests", LIST_HELP)
    neighbourhoods = _text(
        "Places they would like to live near", LIST_HELP + ". Leave blank if they do not mind"
    )
    faith = _text("Faith", "Leave blank if none or if they prefer not to say")
    faith_matters = forms.BooleanField(label="Sharing their faith matters to them", required=False)

    def answers(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("email", None)
        for key in ("needs_step_free", "needs_smoke_free", "allergic_to_pets"):
            data[key] = TRI_VALUE[data[key]]
        return data


class NewReferralForm(ReferralForm):
    email = forms.EmailField(
        label="The person's email address on their account",
        help_text="They sign in with this account to see their shortlist",
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    field_order = ["email"]


class ReasonForm(forms.Form):
    reason = _text("Why?", rows=3)


class AnswerForm(forms.Form):
    agree = forms.ChoiceField(
        label="Would you like to meet?",
        choices=[("yes", "Yes, I would like to meet"), ("no", "No, thank you")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes or no"},
    )
    reason = _text("If no, you can tell us why", rows=2)


class WorkerAnswerForm(AnswerForm):
    side = forms.ChoiceField(
        label="Whose answer is this?",
        choices=[("person", "The person"), ("carer", "The carer")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whose answer this is"},
    )
    field_order = ["side", "agree", "reason"]


class EndForm(forms.Form):
    reason = _text("Why do you want to end it?", required=True, rows=3)
    new_match = forms.ChoiceField(
        label="Would you like a new match?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes or no"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Enter why you want to end it"


class WorkerEndForm(EndForm):
    side = forms.ChoiceField(
        label="Who is ending it?",
        choices=[("person", "The person"), ("carer", "The carer"), ("worker", "The scheme")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who is ending it"},
    )
    field_order = ["side", "reason", "new_match"]


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label="What happened",
        choices=MatchEvent.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select an introduction, a visit or a trial stay"},
    )
    on = _date("Date (first day)", what="the date")
    until = _date("Last day (trial stays)", required=False, what="the last day")
    note = _text("Note", rows=2)


class PlacementForm(forms.Form):
    started_on = _date("Start date", what="the start date")
    weekly_cost = forms.DecimalField(
        label="Weekly cost of this placement, in pounds",
        required=False,
        min_value=0,
        decimal_places=2,
        error_messages={
            "invalid": "Enter the weekly cost in pounds, like 645.00",
            "min_value": "The weekly cost cannot be less than 0",
            "max_decimal_places": "Enter the weekly cost to the nearest penny, like 645.00",
        },
    )
    alternative_weekly_cost = forms.DecimalField(
        label="Weekly cost of the alternative, in pounds",
        required=False,
        min_value=0,
        decimal_places=2,
        error_messages={
            "invalid": "Enter the weekly cost in pounds, like 995.00",
            "min_value": "The weekly cost cannot be less than 0",
            "max_decimal_places": "Enter the weekly cost to the nearest penny, like 995.00",
        },
    )
