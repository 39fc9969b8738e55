"""Befriending forms. Every field says what to do when it is wrong (GOV.UK error pattern); the
services check the rules again and their refusals are shown on the field they name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from befriending.models import GENDER_CHOICES, Check, Contact, Match, Volunteer
from rules.befriending.matching import TIMES

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]
DATE_HINT = "For example, 27/3/2026"


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def _in_range(label: str) -> Any:
    def validate(day: dt.date) -> None:
        if not dt.date(1900, 1, 1) <= day <= dt.date(2099, 12, 31):
            raise ValidationError(f"Enter {_lower_first(label)} between 1900 and 2099")

    return validate


def _date(label: str, *, required: bool = True, help_text: str = DATE_HINT) -> forms.DateField:
    """A date typed as 27/3/2026 (or 2026-03-27, 27 March 2026)."""
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        validators=[_in_range(label)],
        error_messages={
            "required": f"Enter {_lower_first(label)}",
            "invalid": f"Enter {_lower_first(label)} as a date, for example 27/3/2026",
        },
    )


def _words(label: str, hint: str, max_length: int = 300) -> forms.CharField:
    return forms.CharField(label=label, help_text=hint, required=False, max_length=max_length)


def _times() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="When are you usually free? (optional)",
        choices=list(TIMES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def split(text: str) -> list[str]:
    return [part for part in (text or "").split(",") if part.strip()]


class VolunteerForm(forms.Form):
    name = forms.CharField(
        label="Your name", max_length=200, error_messages={"required": "Enter your name"}
    )
    about = forms.CharField(
        label="Tell us a little about yourself (optional)", widget=forms.Textarea, required=False
    )
    interests = _words(
        "Your interests (optional)", "Separate them with commas, for example gardening, music", 500
    )
    languages = _words("Languages you speak (optional)", "For example, English, Polish")
    places = _words(
        "Areas where you could meet people (optional)", "For example, Millbrook, Eastmere"
    )
    times = _times()
    gender = forms.ChoiceField(
        label="Your gender (optional)",
        help_text="Some people ask for a befriender of a particular gender. You do not have to say.",
        choices=GENDER_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    capacity = forms.TypedChoiceField(
        label="How many people could you befriend at once?",
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        initial=1,
        error_messages={
            "required": "Choose how many people",
            "invalid_choice": "Choose between 1 and 5 people",
        },
    )


class RequestForm(forms.Form):
    about = forms.CharField(
        label="What would you like from a befriender?",
        help_text="For example, a weekly chat over a cup of tea, or someone to go for walks with",
        widget=forms.Textarea,
        error_messages={"required": "Enter what you would like from a befriender"},
    )
    interests = _words(
        "Your interests (optional)", "Separate them with commas, for example gardening, music", 500
    )
    languages = _words("Languages you speak (optional)", "For example, English, Polish")
    place = forms.CharField(
        label="Area where you would like to meet (optional)",
        help_text="For example, Millbrook",
        max_length=100,
        required=False,
    )
    times = _times()
    gender_preference = forms.ChoiceField(
        label="Would you like a befriender of a particular gender? (optional)",
        choices=[("", "No preference"), *GENDER_CHOICES[1:]],
        widget=forms.RadioSelect,
        required=False,
    )


class ReferralForm(RequestForm):
    username = forms.CharField(
        label="The person's username or email address",
        max_length=254,
        error_messages={"required": "Enter the person's username or email address"},
    )
    referrer = forms.CharField(
        label="Who referred them?",
        help_text="For example, Hill Street Surgery, or their daughter",
        max_length=200,
        error_messages={"required": "Enter who referred them"},
    )
    field_order = ["username", "referrer"]


class CheckForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of check",
        choices=Check.Kind.choices,
        widget=forms.RadioSelect,
        help_text="Record each reference separately: a befriender needs two.",
        error_messages={"required": "Choose the kind of check"},
    )
    checked_on = _date("Date of the check")
    expires_on = _date(
        "Renew by (optional)",
        required=False,
        help_text="Leave empty if it does not need renewing. For example, 27/3/2029",
    )
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)


class ProposeForm(forms.Form):
    volunteer = forms.ModelChoiceField(
        label="Befriender to propose",
        queryset=Volunteer.objects.filter(status=Volunteer.Status.ACTIVE),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose a befriender to propose",
            "invalid_choice": "Choose a befriender from the list",
        },
    )


class AgreeForm(forms.Form):
    """For a coordinator recording one side's yes (the sides themselves just press a button)."""

    side = forms.ChoiceField(
        label="Whose agreement are you recording?",
        choices=[("person", "The person"), ("volunteer", "The befriender")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whose agreement you are recording"},
    )


class ContactForm(forms.Form):
    on = _date("Date")
    how = forms.ChoiceField(
        label="How were you in touch?",
        choices=Contact.How.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you were in touch"},
    )
    minutes = forms.IntegerField(
        label="How long, in minutes?",
        min_value=1,
        max_value=720,
        error_messages={
            "required": "Enter how long, in minutes",
            "invalid": "Enter the minutes as a number, for example 60",
            "min_value": "Minutes must be between 1 and 720",
            "max_value": "Minutes must be between 1 and 720",
        },
    )
    notes = forms.CharField(label="Notes (optional)", widget=forms.Textarea, required=False)
    concern = forms.CharField(
        label="Anything worrying you about the person? (optional)",
        help_text="This goes to the coordinator straight away. If someone is in danger now, call 999.",
        widget=forms.Textarea,
        required=False,
    )


END_REASONS = [(r.value, r.label) for r in Match.EndReason if r != Match.EndReason.DECLINED]


class EndForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the match ending?",
        choices=END_REASONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the match is ending"},
    )
    details = forms.CharField(
        label="More about why (optional unless ‘Something else’)",
        widget=forms.Textarea,
        required=False,
    )
    last_meeting_on = _date(
        "Date of the last meeting to say goodbye",
        required=False,
        help_text="Within the next 8 weeks. Not needed if it ends for a safeguarding concern. "
        "For example, 27/3/2026",
    )
    feedback = forms.CharField(
        label="How did it go? (optional)",
        help_text="Your feedback helps us match people well.",
        widget=forms.Textarea,
        required=False,
    )
    new_befriender_wanted = forms.BooleanField(
        label="The person would like a new befriender", required=False
    )


class DeclineForm(forms.Form):
    details = forms.CharField(label="Why not? (optional)", widget=forms.Textarea, required=False)


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label="How did it go?",
        widget=forms.Textarea,
        error_messages={"required": "Enter your feedback"},
    )


class GroupForm(forms.Form):
    name = forms.CharField(
        label="Name of the group",
        max_length=200,
        error_messages={"required": "Enter the name of the group"},
    )
    service_id = forms.CharField(
        label="Directory service id",
        help_text="The id at the end of the service's address in Find support. Where and when the "
        "group meets is read from its listing.",
        max_length=250,
        error_messages={"required": "Enter the directory service id"},
    )
    about = forms.CharField(
        label="What is the group about? (optional)", widget=forms.Textarea, required=False
    )


class LeadForm(forms.Form):
    lead = forms.ModelChoiceField(
        label="Peer lead",
        queryset=Volunteer.objects.filter(status=Volunteer.Status.ACTIVE),
        required=False,
        empty_label="No peer lead",
    )
