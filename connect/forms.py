from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from connect.models import OnwardReferral, Referral

STATUS_CHOICES = [(s.value, s.label) for s in Referral.Status if s != Referral.Status.RECEIVED]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        choices=STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the new status"},
    )
    on = forms.DateField(
        label="Date",
        help_text="For example, 2026-03-27",
        error_messages={
            "required": "Enter the date, for example 2026-03-27",
            "invalid": "Enter the date as year-month-day, for example 2026-03-27",
        },
    )


class ConsentForm(forms.Form):
    share_back = forms.BooleanField(
        label="Share a summary back with the person who referred them", required=False
    )
    onward = forms.BooleanField(label="Refer them on to community services", required=False)
    outcomes = forms.BooleanField(
        label="Include their wellbeing scores in the summary", required=False
    )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label="Can your service take this referral?",
        choices=[("accept", "Yes, accept"), ("decline", "No, decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether your service can take this referral"},
    )
    decline_reason = forms.ChoiceField(
        label="Why not (if declining)",
        choices=OnwardReferral.DeclineReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label="Say more (needed if you chose another reason)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _date(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text="For example, 2026-03-27",
        error_messages={
            "required": f"Enter the {label.lower()}, for example 2026-03-27",
            "invalid": f"Enter the {label.lower()} as year-month-day, for example 2026-03-27",
        },
    )


class ReferralForm(forms.Form):
    """A referral by someone else (practice or hospital staff, a link worker)."""

    name = forms.CharField(
        label="Full name of the person you are referring",
        max_length=150,
        required=False,
        help_text="Needed if they do not have an account here yet",
    )
    email = forms.EmailField(
        label="Their email address",
        help_text="We use it to find their account, or to invite them to make one",
        error_messages={
            "required": "Enter the person's email address, like name@example.com",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    reason = forms.CharField(
        label="Reason for the referral",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter the reason for the referral"},
    )
    what_matters = forms.CharField(
        label="What matters to the person (in their words, if you know)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    share_back = forms.BooleanField(
        label="They agree a summary can be shared back with you", required=False
    )
    onward = forms.BooleanField(
        label="They agree to be referred on to community services", required=False
    )
    outcomes = forms.BooleanField(
        label="They agree their wellbeing scores can be included in the summary", required=False
    )
    consent_on = _date("Date consent was given", required=False)

    def consent(self) -> dict[str, bool]:
        return {k: bool(self.cleaned_data.get(k)) for k in ("share_back", "onward", "outcomes")}


class SelfReferralForm(forms.Form):
    reason = forms.CharField(
        label="What would you like help with?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter what you would like help with"},
    )
    what_matters = forms.CharField(
        label="What matters to you?",
        help_text="For example, getting out more, meeting people, gardening",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    share_back = forms.BooleanField(
        label="A summary can be shared with my GP practice", required=False
    )
    onward = forms.BooleanField(
        label="I agree to be referred on to community groups and services", required=False
    )
    outcomes = forms.BooleanField(
        label="My wellbeing scores can be included in that summary", required=False
    )

    def consent(self) -> dict[str, bool]:
        return {k: bool(self.cleaned_data.get(k)) for k in ("share_back", "onward", "outcomes")}


class OnwardForm(forms.Form):
    service = forms.ChoiceField(
        label="Community service",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a service to refer the person to",
            "invalid_choice": "Choose a service from the list",
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = choices


class TermsForm(forms.Form):
    takes_referrals = forms.ChoiceField(
        label="Is this service taking social prescribing referrals?",
        choices=[("yes", "Yes"), ("no", "No, not at the moment")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the service is taking referrals"},
    )
    typical_wait_days = forms.IntegerField(
        label="Typical wait before someone can start, in days",
        help_text="Leave empty if you do not know",
        required=False,
        min_value=0,
        max_value=365,
        error_messages={
            "invalid": "Enter the typical wait as a whole number of days, like 14",
            "min_value": "Enter a wait of 0 days or more",
            "max_value": "Enter a wait of 365 days or fewer, or leave it empty if you do not know",
        },
    )


class FundingForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    pot = forms.TypedChoiceField(
        label="Community pot",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the community pot the funding comes from",
            "invalid_choice": "Choose a pot from the list",
        },
    )
    amount = forms.DecimalField(
        label="Micro-grant in pounds (for a money pot)",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        error_messages={
            "invalid": "Enter the amount in pounds and pence, like 25 or 25.50",
            "min_value": "Enter an amount more than £0",
            "max_decimal_places": "Enter the amount in pounds and pence, like 25.50",
            "max_digits": "Enter a smaller amount",
        },
    )
    hours = forms.IntegerField(
        label="Hours of time credits (for a time credit pot)",
        required=False,
        min_value=1,
        max_value=100,
        error_messages={
            "invalid": "Enter a whole number of hours, like 5",
            "min_value": "Enter 1 hour or more",
            "max_value": "Enter 100 hours or fewer",
        },
    )
    purpose = forms.CharField(
        label="What the funding is for",
        max_length=300,
        error_messages={"required": "Say what the funding is for, like 'art class materials'"},
    )

    def __init__(self, *args: Any, pots: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["pot"]).choices = pots


class AttendedForm(forms.Form):
    on = _date("Date they first attended")


class PasswordForm(forms.Form):
    password = forms.CharField(
        label="Choose a password",
        help_text="At least 10 characters. A few words you will remember works well",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a password"},
    )
