"""Forms for participation pages. They parse input; the rules live in services."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms

from directory import selectors as directory_selectors
from participation.models import (
    AgeBand,
    Completion,
    CountingRule,
    PanelItem,
    Project,
    RegistrationRule,
    VoteType,
)

if TYPE_CHECKING:
    from directory.models import Neighbourhood

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_POUNDS = Decimal("9999999999.99")  # = services.MAX_AMOUNT (the tables' 12 digits)


def pounds_field(label: str, *, required: bool = True, min_value: int = 0, **kwargs: Any) -> Any:
    """An amount in pounds and pence, bounded, with messages that say what to type."""
    limit = f"£{MAX_POUNDS:,.2f}"
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=min_value,
        max_value=MAX_POUNDS,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "invalid": "Enter an amount in pounds, like 1250.50",
            "min_value": f"The amount must be £{min_value} or more",
            "max_value": f"The amount must be no more than {limit}",
            "max_digits": f"The amount must be no more than {limit}",
            "max_whole_digits": f"The amount must be no more than {limit}",
            "max_decimal_places": "Enter pounds and pence, with at most 2 digits after the point",
        },
        **kwargs,
    )


class RoundForm(forms.Form):
    title = forms.CharField(max_length=150)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="What the money is for, in plain words."
    )
    pot = pounds_field("Pot in pounds", min_value=1, help_text="For example, 50000")
    vote_type = forms.ChoiceField(
        label="How people vote", choices=VoteType.choices, widget=forms.RadioSelect
    )
    max_choices = forms.IntegerField(
        label="Most projects one person may choose (choosing projects)",
        required=False,
        min_value=1,
        help_text="Leave empty for no limit.",
    )
    max_points = forms.IntegerField(
        label="Points each person shares out (sharing out points)", required=False, min_value=1
    )
    rule = forms.ChoiceField(
        label="How the votes are counted", choices=CountingRule.choices, widget=forms.RadioSelect
    )
    completion = forms.ChoiceField(
        label="Equal Shares: using the money left over",
        choices=Completion.choices,
        widget=forms.RadioSelect,
        initial=Completion.ADD1,
    )
    min_age = forms.IntegerField(
        label="Minimum age to vote", min_value=11, max_value=120, initial=16
    )
    registration_rule = forms.ChoiceField(
        label="Who checks that voters are eligible",
        choices=RegistrationRule.choices,
        widget=forms.RadioSelect,
        initial=RegistrationRule.SELF_DECLARED,
    )
    neighbourhoods = forms.ModelMultipleChoiceField(
        label="Neighbourhoods where voters must live",
        queryset=directory_selectors.neighbourhoods(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose none for the whole area.",
    )
    ideas_open = forms.DateField(label="Ideas open", widget=DATE)
    ideas_close = forms.DateField(label="Ideas close", widget=DATE)
    pitches_open = forms.DateField(label="Pitches start", widget=DATE)
    voting_open = forms.DateField(label="Voting opens", widget=DATE)
    voting_close = forms.DateField(label="Voting closes", widget=DATE)


class DistrictPotsForm(forms.Form):
    def __init__(self, *args: Any, neighbourhoods: Sequence[Neighbourhood], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.neighbourhoods = list(neighbourhoods)
        for hood in self.neighbourhoods:
            self.fields[f"pot_{hood.pk}"] = pounds_field(f"{hood.name} (pounds)", required=False)

    def amounts(self) -> dict[Neighbourhood, Any]:
        return {
            hood: self.cleaned_data[f"pot_{hood.pk}"]
            for hood in self.neighbourhoods
            if self.cleaned_data.get(f"pot_{hood.pk}")
        }


class IdeaForm(forms.Form):
    title = forms.CharField(label="Name your idea", max_length=120)
    what = forms.CharField(label="What would it do?", widget=forms.Textarea(attrs={"rows": 4}))
    who_benefits = forms.CharField(
        label="Who would benefit?", widget=forms.Textarea(attrs={"rows": 3})
    )
    district = forms.ModelChoiceField(
        label="Which neighbourhood is it for?",
        queryset=directory_selectors.neighbourhoods().none(),
        required=False,
    )

    def __init__(self, *args: Any, districts: Sequence[Neighbourhood] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if districts:
            cast(
                "forms.ModelChoiceField[Neighbourhood]", self.fields["district"]
            ).queryset = directory_selectors.neighbourhoods_in(d.pk for d in districts)
            self.fields["district"].required = True
        else:
            del self.fields["district"]


class AssessForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("forward", "Take it forward to the vote"), ("not", "Do not take it forward")],
        widget=forms.RadioSelect,
    )
    cost = pounds_field("Total cost in pounds", required=False)
    cost_lines = forms.CharField(
        label="Cost breakdown",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One line per item, like 'Hall hire: 400.00'. The lines must add up to the total.",
    )
    reason = forms.CharField(
        label="Public note or reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to everyone. Needed if the idea is not taken forward.",
    )


class PitchForm(forms.Form):
    pitch = forms.CharField(
        label="Your pitch",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Why people should vote for it.",
    )
    media_url = forms.URLField(
        label="Link to a video or photos (optional)", required=False, assume_scheme="https"
    )


class CommentForm(forms.Form):
    text = forms.CharField(label="Add a comment", widget=forms.Textarea(attrs={"rows": 3}))


class RegistrationForm(forms.Form):
    neighbourhood = forms.ModelChoiceField(
        label="Which neighbourhood do you live in?",
        queryset=directory_selectors.neighbourhoods().none(),
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=DATE,
        help_text="Or leave this empty and choose your age group.",
    )
    age_band = forms.ChoiceField(
        label="Age group", required=False, choices=[("", "Choose your age group"), *AgeBand.choices]
    )

    def __init__(self, *args: Any, neighbourhoods: Sequence[Neighbourhood], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelChoiceField[Neighbourhood]", self.fields["neighbourhood"]
        ).queryset = directory_selectors.neighbourhoods_in(n.pk for n in neighbourhoods)


class BallotForm(forms.Form):
    """Checkboxes for choosing projects, or a number box per project for sharing out points."""

    def __init__(
        self,
        *args: Any,
        projects: Sequence[Project],
        vote_type: str,
        initial_choices: dict[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.projects = list(projects)
        self.vote_type = vote_type
        chosen = initial_choices or {}
        if vote_type == VoteType.APPROVAL:
            self.fields["projects"] = forms.MultipleChoiceField(
                label="Choose the projects you support",
                choices=[(str(p.pk), f"{p.title} – £{p.cost:,.2f}") for p in self.projects],
                widget=forms.CheckboxSelectMultiple,
                required=False,
                initial=[str(pid) for pid in chosen],
            )
        else:
            for p in self.projects:
                self.fields[f"points_{p.pk}"] = forms.IntegerField(
                    label=f"{p.title} – £{p.cost:,.2f}",
                    required=False,
                    min_value=0,
                    initial=chosen.get(p.pk, 0),
                )

    def choices(self) -> dict[int, int]:
        if self.vote_type == VoteType.APPROVAL:
            return {int(pid): 1 for pid in self.cleaned_data.get("projects", [])}
        return {
            p.pk: self.cleaned_data.get(f"points_{p.pk}") or 0
            for p in self.projects
            if self.cleaned_data.get(f"points_{p.pk}")
        }

    def first_field(self) -> str:
        return next(iter(self.fields), "")


class PaperIssueForm(forms.Form):
    username = forms.CharField(
        label="Their username, if they have an account", required=False, max_length=150
    )
    display_name = forms.CharField(
        label="Their name, if they have no account", required=False, max_length=150
    )
    neighbourhood = forms.ModelChoiceField(
        label="Neighbourhood they live in", queryset=directory_selectors.neighbourhoods().none()
    )
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DATE)
    age_band = forms.ChoiceField(
        label="Age group", required=False, choices=[("", "Choose an age group"), *AgeBand.choices]
    )

    def __init__(self, *args: Any, neighbourhoods: Sequence[Neighbourhood], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelChoiceField[Neighbourhood]", self.fields["neighbourhood"]
        ).queryset = directory_selectors.neighbourhoods_in(n.pk for n in neighbourhoods)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("username") and not data.get("display_name"):
            self.add_error(
                "username", "Enter their username, or their name if they have no account"
            )
        return data


class PaperNumberForm(forms.Form):
    paper_number = forms.CharField(label="Number printed on the paper", max_length=30)
    district = forms.ModelChoiceField(
        label="Neighbourhood of the ballot box",
        queryset=directory_selectors.neighbourhoods().none(),
        required=False,
    )

    def __init__(self, *args: Any, districts: Sequence[Neighbourhood] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if districts:
            cast(
                "forms.ModelChoiceField[Neighbourhood]", self.fields["district"]
            ).queryset = directory_selectors.neighbourhoods_in(d.pk for d in districts)
            self.fields["district"].required = True
        else:
            del self.fields["district"]


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label="Your receipt code", max_length=20, help_text="For example, ABCD-EFGH-JKLM"
    )


class PanelForm(forms.Form):
    title = forms.CharField(max_length=150)
    question = forms.CharField(
        label="What the panel is asked",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: which of these services matter most to fund first?",
    )
    size = forms.IntegerField(label="How many people to draw", min_value=2, max_value=2000)
    items = forms.CharField(
        label="Items to rank", widget=forms.Textarea(attrs={"rows": 8}), help_text="One per line."
    )
    quorum = forms.IntegerField(
        label="How many members must rank before the result is published (optional)",
        required=False,
        min_value=2,
        max_value=2000,
        help_text="Leave empty for two thirds of the panel, rounded up. At least half the panel.",
    )
    balance_tolerance = forms.IntegerField(
        label="Balance tolerance, in percentage points (optional)",
        required=False,
        min_value=0,
        max_value=50,
        help_text="Before publishing, each age group, neighbourhood and group the panel was drawn "
        "on must make up about the same share of those who ranked as of the panel: within this "
        "many percentage points. Leave empty for 10.",
    )


class PoolForm(forms.Form):
    neighbourhood = forms.ModelChoiceField(
        label="Which neighbourhood do you live in?", queryset=directory_selectors.neighbourhoods()
    )
    age_band = forms.ChoiceField(
        label="Age group", choices=[("", "Choose your age group"), *AgeBand.choices]
    )


class RankingForm(forms.Form):
    def __init__(self, *args: Any, items: Sequence[PanelItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        places = [("", "Choose a place")] + [
            (str(i), str(i)) for i in range(1, len(self.items) + 1)
        ]
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=f"Place for {item.name}", choices=places
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        places = [data.get(f"item_{item.pk}") for item in self.items]
        if all(places) and len(set(places)) != len(places):
            # On the first item whose place is repeated, so the summary links to a field.
            repeated = next(
                item for item in self.items if places.count(data.get(f"item_{item.pk}")) > 1
            )
            self.add_error(f"item_{repeated.pk}", "Give each item a different place.")
        return data

    def order(self) -> list[int]:
        places = {item.pk: int(self.cleaned_data[f"item_{item.pk}"]) for item in self.items}
        return sorted(places, key=lambda pk: places[pk])
