"""Forms for self-directed support. Questions come from the versioned RAS configuration."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from accounts.models import User
from budgets.charging import INCOME_FIELDS
from budgets.models import (
    BudgetAccount,
    CaseTeam,
    Invitation,
    Need,
    PlanDecision,
    PlanLine,
    PlanReview,
)
from budgets.services._common import (
    MAX_TIMES_A_WEEK,
    MAX_TRANSACTION,
    MAX_WEEKLY_COST,
    pounds,
    valid_key,
)
from budgets.services.assessment import find_user
from budgets.services.caseloads import BREAK_GLASS_REASON_MAX, BREAK_GLASS_REASON_MIN
from budgets.services.reviews import NEXT_REVIEW_MONTHS
from budgets.wellbeing import WellbeingDomain
from rules.charging.limits import MAX_CAPITAL, MAX_WEEKLY
from rules.ras import RasConfig
from rules.ras.config import Domain

TEXT = {"rows": 4}
YES_NO = [("yes", "Yes"), ("no", "No")]


def money(
    label: str,
    required: bool = False,
    help_text: str = "",
    *,
    maximum: Decimal,
    minimum: Decimal = Decimal("0"),
    **kw: Any,
) -> forms.DecimalField:
    """An amount in pounds and pence from ``minimum`` to ``maximum``. Every refusal names the
    field and, for a number out of range, the range: no amount reaches a database column it does
    not fit (the bound is checked before any digit count, so 1e26 gets the same message)."""
    allowed = f"between {pounds(minimum)} and {pounds(maximum)}"
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=None,
        decimal_places=2,
        min_value=minimum,
        max_value=maximum,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": f"{label} must be an amount of money {allowed}, like 12.50",
            "required": f"Enter {label.lower()}",
            "min_value": f"{label} must be {allowed}",
            "max_value": f"{label} must be {allowed}",
            "max_decimal_places": f"{label} must be in pounds and pence, like 12.50",
        },
        **kw,
    )


class DomainForm(forms.Form):
    """One domain of the questionnaire: the scored answer, help from family and friends, and the
    person's own words."""

    def __init__(self, *args: Any, config: RasConfig, domain: Domain, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domain = domain
        self.fields["answer"] = forms.ChoiceField(
            label=domain.question,
            help_text=domain.help,
            choices=[(a.code, a.text) for a in domain.answers],
            widget=forms.RadioSelect,
            error_messages={"required": "Choose the answer that fits best"},
        )
        if domain.id in config.informal_support.applies_to_domains:
            self.fields["informal_support"] = forms.ChoiceField(
                label="How much of this help do family, friends or neighbours give now?",
                help_text="Only count help they are happy to keep giving.",
                choices=[(o.code, o.text) for o in config.informal_support.answers],
                widget=forms.RadioSelect,
                required=False,
            )
        for prompt in domain.free_text:
            self.fields[f"text_{prompt.id}"] = forms.CharField(
                label=prompt.prompt,
                help_text=prompt.help or "Optional. Write as much or as little as you like.",
                widget=forms.Textarea(attrs=TEXT),
                required=False,
                max_length=5000,
            )

    def free_text(self) -> dict[str, str]:
        return {
            name.removeprefix("text_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("text_")
        }


class AboutMeForm(forms.Form):
    def __init__(self, *args: Any, config: RasConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for prompt in config.about_me:
            self.fields[f"text_{prompt.id}"] = forms.CharField(
                label=prompt.prompt,
                help_text=prompt.help,
                widget=forms.Textarea(attrs=TEXT),
                required=False,
                max_length=5000,
            )
        self.fields["carer"] = forms.ChoiceField(
            label=config.carer.question,
            help_text="Leave this if no family member or friend helps you.",
            choices=[(o.code, o.text) for o in config.carer.answers],
            widget=forms.RadioSelect,
            required=False,
        )

    def free_text(self) -> dict[str, str]:
        return {
            name.removeprefix("text_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("text_")
        }


class InviteAccountForm(forms.Form):
    identifier = forms.CharField(
        label="Their username or email address",
        help_text="They need an account on this site already.",
        max_length=254,
        error_messages={"required": "Enter their username or email address"},
    )
    relationship = forms.ChoiceField(
        label="Who are they to you?",
        choices=Invitation.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who they are to you"},
    )


class InviteLinkForm(forms.Form):
    name = forms.CharField(
        label="Their name",
        max_length=150,
        error_messages={"required": "Enter their name"},
    )
    relationship = forms.ChoiceField(
        label="Who are they to you?",
        choices=Invitation.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who they are to you"},
    )


class ContributionForm(forms.Form):
    def __init__(self, *args: Any, config: RasConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"] = forms.ChoiceField(
            label="What is it about?",
            choices=[("", "Choose a topic")]
            + [(d.id, d.label) for d in config.domains]
            + [("about_me", "Strengths and who helps")],
            error_messages={"required": "Choose what your words are about"},
        )
        self.fields["text"] = forms.CharField(
            label="What would you like to add?",
            help_text="Your name will be shown next to what you write.",
            widget=forms.Textarea(attrs=TEXT),
            max_length=5000,
            error_messages={"required": "Write what you would like to add"},
        )


class BudgetForm(forms.Form):
    """Which answers the indicative budget is worked out from."""

    kind = forms.ChoiceField(
        label="Which answers?",
        choices=[
            ("person", "The person's answers"),
            ("practitioner", "The practitioner's answers"),
        ],
        widget=forms.HiddenInput,
    )


class CalculatorForm(forms.Form):
    """The "How much might I pay?" questions. Every money amount is weekly."""

    setting = forms.ChoiceField(
        label="Where is, or will be, the care?",
        choices=[("home", "At home or in the community"), ("care_home", "In a care home")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the care is"},
    )
    age = forms.IntegerField(
        label="Your age",
        min_value=18,
        max_value=120,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter your age",
            "invalid": "Your age must be a whole number, like 67",
            "min_value": "This calculator is for adults aged 18 or over",
            "max_value": "Your age must be between 18 and 120",
        },
    )
    pension_age = forms.ChoiceField(
        label="Have you reached State Pension age?",
        choices=[*YES_NO, ("not_sure", "I'm not sure")],
        widget=forms.RadioSelect,
        required=False,
        help_text="If you are not sure, give your date of birth below and we work it out. "
        "Without it, where the answer changes what you pay, we show both results.",
    )
    date_of_birth = forms.DateField(
        label="Your date of birth (optional)",
        help_text="Only used to work out whether you have reached State Pension age, which is "
        "rising from 66 to 67. For example 1960-05-17.",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date of birth, for example 1960-05-17"},
    )
    couple = forms.ChoiceField(
        label="Do you live with a partner?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you live with a partner"},
    )
    weekly_cost_of_care = money(
        "Weekly cost of your care",
        required=True,
        maximum=MAX_WEEKLY,
        help_text="If you do not know yet, use your personal budget or an estimate.",
    )
    savings = money(
        "Savings and investments (total)",
        maximum=MAX_CAPITAL,
        help_text="Bank and building society accounts, ISAs, shares. Half of any joint account.",
    )
    housing_costs = money(
        "Rent or mortgage each week",
        maximum=MAX_WEEKLY,
        help_text="After Housing Benefit and Council Tax Reduction.",
    )
    disability_costs = money(
        "Extra costs because of disability each week",
        maximum=MAX_WEEKLY,
        help_text="For example extra heating, laundry or special diet (disability-related expenses).",
    )
    home_value = money(
        "Value of your home",
        maximum=MAX_CAPITAL,
        help_text="Only for care in a care home. Leave blank if you rent.",
    )
    relative_at_home = forms.ChoiceField(
        label="Does a partner, a relative aged 60 or over, or a child under 18 still live in your home?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    care_home_stay = forms.ChoiceField(
        label="Is the care home stay permanent or temporary?",
        choices=[("permanent", "Permanent"), ("temporary", "Temporary (respite)")],
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, hint in INCOME_FIELDS:
            self.fields[f"income_{name}"] = money(label, help_text=hint, maximum=MAX_WEEKLY)

    def income_fields(self) -> list[forms.BoundField]:
        return [self[f"income_{name}"] for name, _, _ in INCOME_FIELDS]

    CARE_HOME_ONLY = ("care_home_stay", "home_value", "relative_at_home")

    def clean(self) -> dict[str, Any]:
        """Questions only for a care home do not apply to care at home: whatever was typed in
        them (perhaps before changing the answer) is neither checked nor used."""
        cleaned = super().clean() or {}
        if cleaned.get("setting") != "care_home":
            for name in self.CARE_HOME_ONLY:
                self.errors.pop(name, None)
                cleaned[name] = None
        return cleaned


class OutcomeForm(forms.Form):
    text = forms.CharField(
        label="What do you want to achieve?",
        help_text="In your own words. For example: 'I want to get out and meet people on Saturdays.'",
        widget=forms.Textarea(attrs=TEXT),
        max_length=2000,
        error_messages={"required": "Write what you want to achieve, in your own words"},
    )
    wellbeing = forms.MultipleChoiceField(
        label="Which parts of your wellbeing does it help?",
        help_text="These are the parts of wellbeing in the Care Act. Choose all that apply.",
        choices=WellbeingDomain.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one part of your wellbeing"},
    )
    open_to_sharing = forms.BooleanField(
        label="I am happy to be put in touch with people near me who want the same thing",
        help_text="A broker may suggest sharing a service with them, so it costs each of you less.",
        required=False,
    )


class ServiceLineForm(forms.Form):
    unit_cost = money("Price each time", required=True, maximum=MAX_WEEKLY_COST)
    units_per_week = forms.DecimalField(
        label="How many times a week?",
        help_text="For example 1 for once a week, or 0.5 for every other week.",
        max_digits=None,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_TIMES_A_WEEK,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": "Say how many times a week",
            "invalid": "How many times a week must be a number from 0.01 to 100, like 1",
            "min_value": "How many times a week must be from 0.01 to 100",
            "max_value": "How many times a week must be from 0.01 to 100",
            "max_decimal_places": "How many times a week can have at most 2 decimal places",
        },
    )
    schedule = forms.CharField(label="When", required=False, max_length=200)


class TimeBankLineForm(forms.Form):
    description = forms.CharField(
        label="What help would you like from the time bank?",
        help_text="For example: a lift to the craft club, or help with the garden.",
        max_length=250,
        error_messages={"required": "Say what help you would like"},
    )
    hours = forms.IntegerField(
        label="Hours",
        min_value=0,
        max_value=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the hours (0 if under an hour)",
            "invalid": "Hours must be a whole number from 0 to 40",
            "min_value": "Hours must be a whole number from 0 to 40",
            "max_value": "Hours must be a whole number from 0 to 40",
        },
    )
    minutes = forms.ChoiceField(
        label="Minutes", choices=[("0", "0"), ("15", "15"), ("30", "30"), ("45", "45")]
    )
    schedule = forms.CharField(label="When (optional)", required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        total = (cleaned.get("hours") or 0) * 60 + int(cleaned.get("minutes") or 0)
        if "hours" in cleaned and total <= 0:
            self.add_error("hours", "Enter how much time each week, more than 0")
        cleaned["minutes_per_week"] = total
        return cleaned


OTHER_KINDS = [
    (PlanLine.Kind.FAMILY.value, "Family and friends (unpaid)"),
    (PlanLine.Kind.COMMUNITY.value, "A community group"),
    (PlanLine.Kind.SHARED_LIVES.value, "Shared Lives"),
    (PlanLine.Kind.OTHER.value, "Something else"),
]


class NotFoundLineForm(forms.Form):
    """Support the person looked for and could not find: kept on the plan, and counted (without
    names, small numbers hidden) on the gap-in-the-market page."""

    need = forms.ChoiceField(
        label="What kind of support did you look for?",
        choices=Need.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of support you looked for"},
    )
    description = forms.CharField(
        label="What did you look for?",
        help_text="For example: a lunch club I can get to without a car. Please do not write "
        "names or health details.",
        max_length=250,
        error_messages={
            "required": "Say what you looked for and could not find",
            "max_length": "Say what you looked for in 250 characters or fewer",
        },
    )


class OtherLineForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of support is it?",
        choices=OTHER_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of support it is"},
    )
    description = forms.CharField(
        label="What will happen?",
        max_length=250,
        error_messages={"required": "Describe the support"},
    )
    who = forms.CharField(label="Who will do it?", max_length=200, required=False)
    schedule = forms.CharField(label="When", max_length=200, required=False)
    weekly_cost = money(
        "Cost each week", help_text="Leave blank if it is free or unpaid.", maximum=MAX_WEEKLY_COST
    )
    hours = forms.IntegerField(
        label="Hours each week (optional)",
        min_value=0,
        max_value=168,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Hours each week must be a whole number from 0 to 168",
            "min_value": "Hours each week must be a whole number from 0 to 168",
            "max_value": "Hours each week must be a whole number from 0 to 168",
        },
    )


class ProposeForm(forms.Form):
    top_up_weekly = money(
        "Top-up each week",
        maximum=MAX_WEEKLY_COST,
        help_text="Money you, your family or another fund will add, if the plan costs more than "
        "the budget.",
    )
    over_budget_reason = forms.CharField(
        label="Why does the plan need more than the budget?",
        help_text="Only if the plan costs more than the budget and there is no top-up.",
        widget=forms.Textarea(attrs=TEXT),
        required=False,
        max_length=5000,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=PlanDecision.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose agree or ask for a change"},
    )
    reason = forms.CharField(
        label="What needs to change, and why",
        help_text="The person sees this. It is needed if you ask for a change.",
        widget=forms.Textarea(attrs=TEXT),
        required=False,
        max_length=5000,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "changes_requested" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Explain what needs to change and why")
        return cleaned


class ReviewForm(forms.Form):
    result = forms.ChoiceField(
        label="How is the plan working?",
        choices=PlanReview.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the plan is working"},
    )
    notes = forms.CharField(
        label="What did the review find?",
        help_text="For each outcome: is it being met, what is working and what is not. The person "
        "sees this.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={
            "required": "Write what the review found, for example which outcomes are being met",
            "max_length": "Keep what the review found to 5,000 characters or fewer",
        },
    )
    took_part = forms.CharField(
        label="Who took part? (optional)",
        help_text="For example: the person, their sister, their broker",
        required=False,
        max_length=300,
        error_messages={"max_length": "Keep who took part to 300 characters or fewer"},
    )
    next_in_months = forms.TypedChoiceField(
        label="When should the next review be?",
        choices=[(months, f"In {months} months") for months in NEXT_REVIEW_MONTHS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when the next review should be"},
    )

    def __init__(self, *args: Any, own: bool = False, **kwargs: Any) -> None:
        """``own``: the person records their own review (a supported self-review)."""
        super().__init__(*args, **kwargs)
        if own:
            self.fields["result"].label = "How is your plan working?"
            cast(forms.ChoiceField, self.fields["result"]).choices = [
                ("working", "My plan is working: keep it as it is"),
                ("change", "Some of my support needs to change"),
                ("reassess", "My needs or circumstances have changed: I need a new assessment"),
            ]
            self.fields["notes"].label = "What did you find?"
            self.fields["notes"].help_text = (
                "For each thing you wanted to achieve: is it happening, what is working and "
                "what is not. Your broker sees this."
            )
            self.fields["notes"].error_messages["required"] = (
                "Write what you found, for example which things you wanted are happening"
            )
            self.fields["took_part"].label = "Who helped you with this review? (optional)"
            self.fields["took_part"].help_text = "For example: your sister, your broker"


class OpenAccountForm(forms.Form):
    kind = forms.ChoiceField(
        label="How will the money be managed?",
        choices=BudgetAccount.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the money will be managed"},
    )
    period_start = forms.DateField(
        label="Start date",
        help_text="For example 2026-11-30",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the start date", "invalid": "Enter a real date"},
    )


class TransactionForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is this?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what this is"},
    )
    payee = forms.CharField(
        label="Who was paid, or who paid it back?",
        help_text="Only for payments and refunds.",
        required=False,
        max_length=250,
    )
    amount = money("Amount", required=True, minimum=Decimal("0.01"), maximum=MAX_TRANSACTION)
    effective = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date", "invalid": "Enter a real date"},
    )
    memo = forms.CharField(label="Note (optional)", required=False, max_length=250)
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    KIND_CHOICES = [
        ("provider_payment", "A payment for support"),
        ("contribution", "My contribution paid in"),
        ("refund", "A refund from a provider"),
        ("allocation", "Money from the council"),
    ]

    def __init__(
        self,
        *args: Any,
        kinds: list[str],
        payees: list[str],
        holder: str | None = None,
        **kwargs: Any,
    ) -> None:
        """``holder``: the account holder's name when someone else (a broker) records money."""
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("key", uuid.uuid4().hex)
        kwargs["initial"].setdefault("effective", dt.date.today())
        super().__init__(*args, **kwargs)
        choices = [c for c in self.KIND_CHOICES if c[0] in kinds]
        if holder is not None:
            choices = [
                (v, f"{holder}'s contribution paid in" if v == "contribution" else label)
                for v, label in choices
            ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = choices
        if payees:
            plan = "your plan" if holder is None else f"{holder}'s plan"
            self.fields["payee"].help_text = f"Only for payments and refunds. In {plan}: " + (
                ", ".join(payees)
            )

    def clean(self) -> dict[str, Any]:
        return _check_key(self)


EXPIRED = "This form has expired. Reload the page and try again."


def _check_key(form: forms.Form) -> dict[str, Any]:
    """The hidden idempotency key: letters, digits, "-" and "_" only (see services.KEY_PATTERN).
    A bad one is a form nobody filled in here; it is refused as a whole-form error."""
    cleaned = forms.Form.clean(form) or {}
    if "key" in form.errors or not valid_key(cleaned.get("key", "")):
        form.errors.pop("key", None)
        cleaned.pop("key", None)
        form.add_error(None, EXPIRED)
    return cleaned


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label="Why is this being corrected?",
        widget=forms.Textarea(attrs=TEXT),
        max_length=250,
        error_messages={"required": "Say why this is being corrected"},
    )
    below_zero_reason = forms.CharField(
        label="If this takes the account below £0, why may it?",
        help_text="Only a practitioner can allow this. It is kept in the audit trail.",
        widget=forms.Textarea(attrs=TEXT),
        max_length=250,
        required=False,
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, practitioner: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        if not practitioner:
            del self.fields["below_zero_reason"]

    def clean(self) -> dict[str, Any]:
        return _check_key(self)


class StatementForm(forms.Form):
    start = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", "The end date must be on or after the start date")
        return cleaned


class NeighbourhoodForm(forms.Form):
    neighbourhood = forms.ChoiceField(
        label="Which neighbourhood do you live in?",
        help_text="So a broker can put you in touch with people near you, if you agree.",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["neighbourhood"]).choices = [
            ("", "Choose a neighbourhood"),
            *choices,
        ]


class PoolForm(forms.Form):
    name = forms.CharField(label="Name for the pool", max_length=150)
    service_id = forms.CharField(
        label="Directory service reference (optional)",
        help_text="The service's id from its page address in the directory.",
        required=False,
        max_length=250,
    )
    weekly_cost = money(
        "Weekly cost of the service for everyone together",
        required=True,
        minimum=Decimal("0.01"),
        maximum=MAX_WEEKLY_COST,
    )

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for outcome in candidates:
            self.fields[f"share_{outcome.pk}"] = forms.IntegerField(
                label=f"{outcome.plan.person.get_full_name()}: “{outcome.text[:80]}”",
                help_text="Their share of the cost (0 to leave them out).",
                min_value=0,
                max_value=100,
                initial=1,
                validators=[MinValueValidator(0), MaxValueValidator(100)],
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                error_messages={
                    "required": "Enter a share from 0 to 100",
                    "invalid": "A share must be a whole number from 0 to 100",
                    "min_value": "A share must be a whole number from 0 to 100",
                    "max_value": "A share must be a whole number from 0 to 100",
                },
            )

    def share_fields(self) -> list[forms.BoundField]:
        return [self[f"share_{o.pk}"] for o in self.candidates]


OVER_BUDGET_REASON = forms.CharField(
    label="If a share takes someone over their budget, why is that all right?",
    help_text="For example, a top-up agreed with the family. It is shown to the members.",
    widget=forms.Textarea(attrs=TEXT),
    max_length=500,
    required=False,
)
PoolForm.base_fields["over_budget_reason"] = OVER_BUDGET_REASON


class ResplitForm(forms.Form):
    """The broker's new split: a share for each member (0 leaves them out)."""

    weekly_cost = money(
        "Weekly cost of the service for everyone together",
        required=True,
        minimum=Decimal("0.01"),
        maximum=MAX_WEEKLY_COST,
    )
    over_budget_reason = OVER_BUDGET_REASON

    def __init__(self, *args: Any, members: list[Any], named: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for number, member in enumerate(members, start=1):
            person = member.outcome.plan.person
            who = person.get_full_name() if person.pk in named else f"Person {number}"
            self.fields[f"share_{member.pk}"] = forms.IntegerField(
                label=f"{who}: share",
                help_text="A whole number from 0 to 100 (0 to leave them out).",
                min_value=0,
                max_value=100,
                initial=member.share,
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                error_messages={
                    "required": "Enter a share from 0 to 100",
                    "invalid": "A share must be a whole number from 0 to 100",
                    "min_value": "A share must be a whole number from 0 to 100",
                    "max_value": "A share must be a whole number from 0 to 100",
                },
            )

    def share_fields(self) -> list[forms.BoundField]:
        return [self[f"share_{m.pk}"] for m in self.members]

    def shares(self) -> dict[int, int]:
        return {m.pk: self.cleaned_data[f"share_{m.pk}"] for m in self.members}


class BreakGlassForm(forms.Form):
    """The reason a practitioner opens a record outside their caseload."""

    reason = forms.CharField(
        label="Why do you need to open this person's records now?",
        help_text="For example: a safeguarding concern reported by their GP today, and their "
        "broker is away. This is recorded with your name.",
        widget=forms.Textarea(attrs=TEXT),
        min_length=BREAK_GLASS_REASON_MIN,
        max_length=BREAK_GLASS_REASON_MAX,
        error_messages={
            "required": "Say why you need to open this person's records",
            "min_length": f"Say why in at least {BREAK_GLASS_REASON_MIN} characters",
            "max_length": f"Keep the reason to {BREAK_GLASS_REASON_MAX} characters or fewer",
        },
    )
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)


class CaseAssignForm(forms.Form):
    person = forms.CharField(
        label="The person (username or email address)",
        max_length=254,
        error_messages={"required": "Enter the person's username or email address"},
    )
    practitioner = forms.CharField(
        label="Their practitioner (username or email address)",
        help_text="A broker, social worker or commissioner. Leave blank to choose a team.",
        max_length=254,
        required=False,
    )
    team = forms.ModelChoiceField(
        label="Or their team",
        queryset=CaseTeam.objects.all(),
        required=False,
        empty_label="No team",
        error_messages={"invalid_choice": "Choose a team from the list"},
    )

    @staticmethod
    def _user(identifier: str) -> User | None:
        return find_user(identifier)

    def clean_person(self) -> User:
        found = self._user(self.cleaned_data["person"])
        if found is None:
            raise forms.ValidationError("We could not find an account with that username or email")
        return found

    def clean_practitioner(self) -> User | None:
        raw = self.cleaned_data.get("practitioner", "").strip()
        if not raw:
            return None
        found = self._user(raw)
        if found is None:
            raise forms.ValidationError("We could not find an account with that username or email")
        return found

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and (cleaned.get("practitioner") is None) == (
            cleaned.get("team") is None
        ):
            self.add_error("practitioner", "Choose a practitioner or a team, not both")
        return cleaned
