from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from directory.models import MAX_TEXT_CHARS, Accessibility, OnboardingCheck, Service
from directory.search import DAY_NAMES
from directory.text import multi_line, one_line


class OneLineField(forms.CharField):
    """Text kept on one line (a name, a subject): line breaks and other control characters
    become spaces (``directory.text.one_line``) before the field is checked, so a name that is
    only white space is still missing."""

    def to_python(self, value: Any) -> str:
        text: str = super().to_python(value)
        return one_line(text) if text else text


class MultiLineField(forms.CharField):
    """Text that may have line breaks (a description, a message): see
    ``directory.text.multi_line``."""

    def to_python(self, value: Any) -> str:
        text: str = super().to_python(value)
        return multi_line(text) if text else text


class SearchForm(forms.Form):
    """The search page's form. It only renders; directory.search.parse_search validates."""

    q = forms.CharField(
        label="What are you looking for?",
        required=False,
        help_text="For example, gardening, lunch club or help at home",
    )
    category = forms.ChoiceField(label="Type of support", required=False)
    neighbourhood = forms.ChoiceField(label="Near", required=False)
    within = forms.ChoiceField(
        label="Distance",
        required=False,
        choices=[
            ("", "Any distance"),
            ("1", "Within 1 km"),
            ("2", "Within 2 km"),
            ("5", "Within 5 km"),
            ("10", "Within 10 km"),
        ],
    )
    day = forms.ChoiceField(
        label="Open on", required=False, choices=[("", "Any day"), *DAY_NAMES.items()]
    )
    price = forms.ChoiceField(
        label="Cost",
        required=False,
        choices=[("", "Free or paid"), ("free", "Free"), ("paid", "Paid")],
    )
    personal_budgets = forms.BooleanField(
        label="Accepts personal budgets or direct payments", required=False
    )
    time_credits = forms.BooleanField(label="Accepts time credits", required=False)
    micro = forms.BooleanField(label="Micro-providers only (5 or fewer staff)", required=False)
    language = forms.ChoiceField(label="Language", required=False)
    accessibility = forms.MultipleChoiceField(
        label="Accessibility",
        required=False,
        choices=Accessibility.Feature.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("relevance", "Best match"), ("distance", "Nearest first"), ("name", "Name")],
    )

    def __init__(self, *args, categories=(), neighbourhoods=(), languages=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any type"), *categories]
        self.fields["neighbourhood"].choices = [("", "Anywhere in the area"), *neighbourhoods]
        self.fields["language"].choices = [("", "Any language"), *languages]


class EnquiryForm(forms.Form):
    subject = OneLineField(
        label="What is your enquiry about?",
        max_length=150,
        error_messages={
            "required": "Enter what your enquiry is about",
            "max_length": "What your enquiry is about must be 150 characters or fewer",
        },
    )
    body = MultiLineField(
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Say what help you are looking for and when. Do not include medical details.",
        error_messages={
            "required": "Enter your message",
            "max_length": "Your message must be 5,000 characters or fewer",
        },
    )


class ReplyForm(forms.Form):
    body = MultiLineField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={
            "required": "Enter your reply",
            "max_length": "Your reply must be 5,000 characters or fewer",
        },
    )


class PassedOnForm(forms.Form):
    note = OneLineField(
        label="How did you pass it on?",
        max_length=500,
        help_text="For example: phoned 01724 000000 and read it to the manager, 3 December.",
        error_messages={
            "required": "Enter how you passed it on, for example who you phoned and when",
            "max_length": "How you passed it on must be 500 characters or fewer",
        },
    )


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How would you rate this service?",
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            (5, "5 – excellent"),
            (4, "4 – good"),
            (3, "3 – all right"),
            (2, "2 – poor"),
            (1, "1 – very poor"),
        ],
        error_messages={"required": "Choose a rating from 1 to 5"},
    )
    body = MultiLineField(
        label="Tell others about your experience",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
        min_length=20,
        error_messages={
            "required": "Enter your review",
            "min_length": "Your review must be at least 20 characters",
            "max_length": "Your review must be 3,000 characters or fewer",
        },
    )
    used_service_on = OneLineField(
        label="When did you use the service?",
        max_length=30,
        help_text="For example, March 2026",
        error_messages={"required": "Enter when you used the service, for example March 2026"},
    )
    used_it = forms.BooleanField(
        label="I (or the person I support) have used this service",
        error_messages={
            "required": "Confirm that you have used this service. Only people who "
            "have used a service can review it"
        },
    )


class ModerationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[("publish", "Publish"), ("refuse", "Do not publish")],
        error_messages={"required": "Choose whether to publish"},
    )
    reason = MultiLineField(
        label="Reason (shown to the provider or reviewer)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter the reason it is not published, so they can fix it")
        return data


class ProviderReplyForm(forms.Form):
    reply = MultiLineField(
        label="Your public reply",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter your reply"},
    )


FACT_CHOICES = [("True", "Yes"), ("False", "No"), ("", "Not known")]
FACT_FIELDS = ("accepts_personal_budgets", "accepts_direct_payments", "accepts_time_credits")


def fact_field(label: str) -> forms.TypedChoiceField:
    """A yes / no / not known fact: not known is stored as None and shown as not known."""
    return forms.TypedChoiceField(
        label=label,
        choices=FACT_CHOICES,
        coerce=lambda value: value == "True",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class ListingForm(forms.ModelForm):
    """The fields a provider may change on their own listing; changes wait for moderation."""

    accepts_personal_budgets = fact_field("Accepts personal budgets")
    accepts_direct_payments = fact_field("Accepts direct payments")
    accepts_time_credits = fact_field("Accepts time credits")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FACT_FIELDS:
            if self.initial.get(name) is None:
                self.initial[name] = ""  # "Not known" is chosen, not nothing

    class Meta:
        model = Service
        fields = [
            "name",
            "description",
            "eligibility_description",
            "fees_description",
            "help_with_cost",
            "email",
            "url",
            "accepts_personal_budgets",
            "accepts_direct_payments",
            "accepts_time_credits",
        ]
        labels = {
            "name": "Service name",
            "description": "What is the service?",
            "eligibility_description": "Who can get the service?",
            "fees_description": "How much does it cost?",
            "help_with_cost": "Can I get help with the cost?",
            "email": "Email for enquiries",
            "url": "Website",
            "accepts_personal_budgets": "Accepts personal budgets",
            "accepts_direct_payments": "Accepts direct payments",
            "accepts_time_credits": "Accepts time credits",
        }
        widgets = {
            f: forms.Textarea(attrs={"rows": 4})
            for f in [
                "description",
                "eligibility_description",
                "fees_description",
                "help_with_cost",
            ]
        }
        field_classes = {
            "name": OneLineField,
            "description": MultiLineField,
            "eligibility_description": MultiLineField,
            "fees_description": MultiLineField,
            "help_with_cost": MultiLineField,
        }
        error_messages = {
            "name": {
                "required": "Enter the service name",
                "max_length": "The service name must be 250 characters or fewer",
            },
            **{
                name: {"max_length": f"{label} Write {MAX_TEXT_CHARS:,} characters or fewer."}
                for name, label in [
                    ("description", "What is the service?"),
                    ("eligibility_description", "Who can get the service?"),
                    ("fees_description", "How much does it cost?"),
                    ("help_with_cost", "Can I get help with the cost?"),
                ]
            },
            "email": {
                "invalid": "Enter an email address in the correct format, like name@example.com"
            },
            "url": {
                "invalid": "Enter a website address in the correct format, like https://www.example.org"
            },
        }

    def clean_description(self) -> str:
        text: str = self.cleaned_data["description"]
        if len(text.strip()) < 20:
            raise forms.ValidationError("Describe the service in at least 20 characters")
        return text


# Dates a coordinator records (year 1 or 9999 are typing slips, not checks).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)

YES_NO = [("", "Not saying"), ("Yes", "Yes"), ("No", "No")]


class FactsForm(forms.Form):
    """What a provider declares about itself. Leaving a fact blank makes it 'Not known'."""

    legal_status = OneLineField(
        label="Legal status",
        required=False,
        max_length=250,
        help_text="For example, community interest company, registered charity, sole trader",
    )
    registered_number = OneLineField(
        label="Registered number",
        required=False,
        max_length=250,
        help_text="Your Companies House or Charity Commission number, if you have one",
    )
    owner = OneLineField(label="Who owns it", required=False, max_length=250)
    real_living_wage = forms.ChoiceField(
        label="Do you pay all staff at least the Real Living Wage?",
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    zero_hours_contracts = forms.ChoiceField(
        label="Do you use zero-hours contracts?",
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    senior_pay_ratio = forms.RegexField(
        label="Pay of the highest paid to the lowest paid",
        required=False,
        regex=r"^\s*\d+(\.\d+)?\s*(:|to)\s*1\s*$",
        help_text="As a ratio, for example 3:1",
        error_messages={"invalid": "Enter the pay ratio like 3:1 (highest paid to lowest paid)"},
    )


class OnboardingCheckForm(forms.Form):
    check_name = forms.ChoiceField(
        label="Which check?",
        widget=forms.RadioSelect,
        choices=OnboardingCheck.Check.choices,
        error_messages={"required": "Choose which check you have confirmed"},
    )
    confirmed_on = forms.DateField(
        label="Date confirmed",
        help_text="For example, 2026-11-23",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date the check was confirmed",
            "invalid": "Enter the date the check was confirmed as a real date, like 2026-11-23",
        },
    )
    expires_on = forms.DateField(
        label="Renew by (optional)",
        required=False,
        help_text="For example, 2027-11-23",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the renewal date as a real date, like 2027-11-23"},
    )
    note = OneLineField(label="Note (optional)", required=False, max_length=250)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        confirmed, expires = data.get("confirmed_on"), data.get("expires_on")
        if confirmed and not EARLIEST_DATE <= confirmed <= LATEST_DATE:
            self.add_error("confirmed_on", "Enter the date confirmed as a date from 1900 to 2099")
            confirmed = None
        if expires and not EARLIEST_DATE <= expires <= LATEST_DATE:
            self.add_error("expires_on", "Enter the renewal date as a date from 1900 to 2099")
        elif confirmed and expires and expires <= confirmed:
            self.add_error("expires_on", "The renewal date must be after the date confirmed")
        return data
