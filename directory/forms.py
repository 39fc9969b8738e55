from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import Q

from directory import listing_details
from directory.models import (
    MAX_TEXT_CHARS,
    Accessibility,
    OnboardingCheck,
    Service,
    TaxonomyTerm,
)
from directory.search import DAY_NAMES
from directory.text import multi_line, one_line


class OneLineField(forms.CharField):
    """Text kept on one line (a name, a subject): line breaks and other control characters
    become spaces (``directory.text.one_line``) before the field is checked, so a name that is
    only white space is still missing."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return one_line(text) if text else text


class MultiLineField(forms.CharField):
    """Text that may have line breaks (a description, a message): see
    ``directory.text.multi_line``."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return multi_line(text) if text else text


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A form's choice field by name (``form.fields`` holds them as plain ``Field``)."""
    return cast(forms.ChoiceField, form.fields[name])


class SearchForm(forms.Form):
    """The search page's form. It only renders; directory.search.parse_search validates."""

    q = forms.CharField(
        label="What are you looking for?",
        required=False,
        help_text="For example, gardening, lunch club or help at home",
    )
    category = forms.ChoiceField(label="Type of support", required=False)
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        help_text="To see the closest first, for example DN15 6NL",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "size": 10}),
    )
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

    def __init__(
        self,
        *args: Any,
        categories: Iterable[tuple[str, str]] = (),
        neighbourhoods: Iterable[tuple[str, str]] = (),
        languages: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "category").choices = [("", "Any type"), *categories]
        _choice_field(self, "neighbourhood").choices = [
            ("", "Anywhere in the area"),
            *neighbourhoods,
        ]
        _choice_field(self, "language").choices = [("", "Any language"), *languages]

    def neighbourhood_name(self, slug: str) -> str:
        """The name shown for a neighbourhood's slug ("" if it is not one of the choices)."""
        if "neighbourhood" not in self.fields:
            return ""
        choices = cast(list[tuple[str, str]], _choice_field(self, "neighbourhood").choices)
        return str(dict(choices).get(slug, ""))


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


class SynonymsForm(forms.Form):
    text = forms.CharField(
        label="Search synonyms",
        strip=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 25, "spellcheck": "false"}),
        help_text="One line a group. Words that mean the same, separated by commas: "
        "elderly, older people. One way, a broad word and its narrower kinds: "
        "exercise => yoga, tai chi. Lines starting with # are notes.",
        error_messages={
            "required": "Enter the synonyms, or choose to go back to the list the product came with",
            "max_length": "The list must be 50,000 characters or fewer",
        },
    )
    note = OneLineField(
        label="What did you change? (optional)",
        required=False,
        max_length=250,
        help_text="Kept with the change, for the next coordinator",
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

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what super().clean() returns, typed without None
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


PLACE_CHOICES = [
    ("place", "At a place"),
    *((kind, label) for kind, label in listing_details.NO_PLACE_KINDS.items()),
    ("", "Not known"),
]
PLACE_FIELDS = ("place_name", "address_1", "city", "postal_code", "accessibility")


class ListingForm(forms.ModelForm[Service]):
    """Everything a provider may change on their own listing, the five answers and every fact
    the service page shows; changes wait for moderation. Yes/no facts stay "Not known" unless
    the provider says; an empty detail (no opening times, no prices) is shown as not known."""

    accepts_personal_budgets = fact_field("Accepts personal budgets")
    accepts_direct_payments = fact_field("Accepts direct payments")
    accepts_time_credits = fact_field("Accepts time credits")
    opening_times = forms.CharField(
        label="Opening times",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line, like Saturday 10:00 to 12:00. Leave empty if there are no set times.",
    )
    prices = forms.CharField(
        label="Prices",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line: what the price is for, a colon and the amount in pounds, like "
        "Per session: 5.00. Write Per session: 0 if it is free. Leave empty if you would rather "
        "not say: people will see 'Not known'.",
    )
    phone = OneLineField(
        label="Phone for enquiries",
        required=False,
        max_length=30,
        help_text="For example, 01724 296 296",
    )
    languages = OneLineField(
        label="Languages the service is given in",
        required=False,
        max_length=500,
        help_text="Separate them with commas, like English, Polish, British Sign Language",
    )
    categories = forms.MultipleChoiceField(
        label="Categories",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every one that fits: people searching a category find you.",
    )
    place_kind = forms.ChoiceField(
        label="Where do people get the service?",
        required=False,
        choices=PLACE_CHOICES,
        widget=forms.RadioSelect,
    )
    place_name = OneLineField(label="Name of the place (optional)", required=False, max_length=250)
    address_1 = OneLineField(label="Address line", required=False, max_length=250)
    city = OneLineField(label="Town or city", required=False, max_length=100)
    postal_code = OneLineField(
        label="Postcode", required=False, max_length=10, widget=forms.TextInput(attrs={"size": 10})
    )
    accessibility = forms.MultipleChoiceField(
        label="Accessibility of the place",
        required=False,
        choices=Accessibility.Feature.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick what the place has. What you do not tick is shown as not known.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FACT_FIELDS:
            if self.initial.get(name) is None:
                self.initial[name] = ""  # "Not known" is chosen, not nothing
        now = listing_details.current(self.instance) if self.instance.pk else None
        self.current_details = now
        chosen = set(now["categories"]) if now else set()
        terms = TaxonomyTerm.objects.filter(Q(parent__isnull=True) | Q(pk__in=chosen)).order_by(
            "name"
        )
        _choice_field(self, "categories").choices = [(t.pk, t.name) for t in terms]
        if now is not None:
            place = now["place"]
            self.initial.update(
                opening_times=listing_details.opening_times_text(now["opening_times"]),
                prices=listing_details.prices_text(now["prices"]),
                phone=now["phone"],
                languages=", ".join(now["languages"]),
                categories=now["categories"],
                place_kind=place["kind"],
                place_name=place.get("name", ""),
                address_1=place.get("address_1", ""),
                city=place.get("city", ""),
                postal_code=place.get("postal_code", ""),
                accessibility=place.get("accessibility", []),
            )
        else:
            self.initial.setdefault("place_kind", "")
        self.details: dict[str, Any] = {}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what super().clean() returns, typed without None
        details: dict[str, Any] = {}
        for name, parse in (
            ("opening_times", listing_details.parse_opening_times),
            ("prices", listing_details.parse_prices),
            ("languages", listing_details.parse_languages),
        ):
            try:
                details[name] = parse(data.get(name) or "")
            except listing_details.DetailError as problem:
                self.add_error(name, str(problem))
        phone = (data.get("phone") or "").strip()
        now = self.current_details or {}
        # Only what the provider changes is checked: an imported value is kept as it was.
        if phone and phone != now.get("phone") and not listing_details.PHONE.match(phone):
            self.add_error(
                "phone", "Enter a phone number using digits and spaces, like 01724 296 296"
            )
        details["phone"] = phone
        details["categories"] = sorted(data.get("categories") or [])
        kind = data.get("place_kind") or ""
        place: dict[str, Any] = {"kind": kind}
        if kind == "place":
            postcode = listing_details.normalise_postcode(data.get("postal_code") or "")
            for name, message in (
                ("address_1", "Enter the first line of the address"),
                ("city", "Enter the town or city"),
                ("postal_code", "Enter the postcode"),
            ):
                if not (data.get(name) or "").strip():
                    self.add_error(name, message)
            before = now.get("place", {}).get("postal_code")
            if postcode and postcode != before and not listing_details.POSTCODE.match(postcode):
                self.add_error("postal_code", "Enter a real postcode, like DN15 6NL")
            place.update(
                name=data.get("place_name") or "",
                address_1=data.get("address_1") or "",
                city=data.get("city") or "",
                postal_code=postcode,
                accessibility=sorted(data.get("accessibility") or []),
            )
        details["place"] = place
        self.details = details
        youngest, oldest = data.get("minimum_age"), data.get("maximum_age")
        for name, age, which in (
            ("minimum_age", youngest, "youngest"),
            ("maximum_age", oldest, "oldest"),
        ):
            if age is not None and age > 150:
                self.add_error(name, f"Enter the {which} age as a number up to 150")
        if youngest is not None and oldest is not None and oldest < youngest:
            self.add_error(
                "maximum_age", "The oldest age must be the same as or more than the youngest"
            )
        return data

    def changed_details(self) -> dict[str, Any]:
        """The details that differ from the listing now (all given ones for a new service)."""
        now = self.current_details
        if now is None:
            return {k: v for k, v in self.details.items() if v not in ("", [], {"kind": ""})}
        return {k: v for k, v in self.details.items() if now.get(k) != v}

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
            "minimum_age",
            "maximum_age",
            "application_process",
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
            "minimum_age": "Youngest age (optional)",
            "maximum_age": "Oldest age (optional)",
            "application_process": "How to book or apply",
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
                "application_process",
            ]
        }
        field_classes = {
            "name": OneLineField,
            "description": MultiLineField,
            "eligibility_description": MultiLineField,
            "fees_description": MultiLineField,
            "help_with_cost": MultiLineField,
            "application_process": MultiLineField,
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
            "minimum_age": {
                "invalid": "Enter the youngest age as a whole number, like 18",
                "max_value": "Enter the youngest age as a number up to 150",
            },
            "maximum_age": {
                "invalid": "Enter the oldest age as a whole number, like 65",
                "max_value": "Enter the oldest age as a number up to 150",
            },
            "url": {
                "invalid": "Enter a website address in the correct format, like https://www.example.org"
            },
        }

    def clean_description(self) -> str:
        text: str = self.cleaned_data["description"]
        if self.instance.pk and text == self.instance.description:
            return text  # as the feed gave it: checked only when the provider changes it
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

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what super().clean() returns, typed without None
        confirmed, expires = data.get("confirmed_on"), data.get("expires_on")
        if confirmed and not EARLIEST_DATE <= confirmed <= LATEST_DATE:
            self.add_error("confirmed_on", "Enter the date confirmed as a date from 1900 to 2099")
            confirmed = None
        if expires and not EARLIEST_DATE <= expires <= LATEST_DATE:
            self.add_error("expires_on", "Enter the renewal date as a date from 1900 to 2099")
        elif confirmed and expires and expires <= confirmed:
            self.add_error("expires_on", "The renewal date must be after the date confirmed")
        return data
