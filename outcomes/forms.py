"""Forms. A questionnaire's questions are built from the measure in the registry; a missing answer
is not refused by the form but by ``rules.outcomes`` (the view puts each missing item's message on
its question), so the rule lives in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms

from budgets import selectors as budget_selectors
from directory import selectors as directory_selectors
from rules.outcomes import Measure

if TYPE_CHECKING:
    from budgets.models import CaseTeam

SCORE_CHOICES = [(str(n), str(n)) for n in range(11)]


def _date(label: str, help_text: str = "", required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": f"Enter {label.lower()}", "invalid": "Enter a real date"},
    )


class MeasureForm(forms.Form):
    answered_on = forms.DateField()  # replaced in __init__

    def __init__(
        self,
        *args: Any,
        measure: Measure,
        on_behalf_of: str | None = None,
        ask_occasion: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields["answered_on"] = _date("Date answered", "For example, 27 3 2026")
        if ask_occasion:
            self.fields["occasion"] = forms.ChoiceField(
                label="Why now?",
                choices=[
                    ("review", "For the support plan review"),
                    ("chosen", "Because I chose to"),
                ],
                initial="chosen",
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": "Choose one of the reasons listed",
                },
            )
        if on_behalf_of is not None:
            choices = [("with_help", f"{on_behalf_of} is answering: I am recording their answers")]
            if measure.proxy_answers:
                choices.append(("proxy", f"I am answering for {on_behalf_of}, as I see things"))
            self.fields["answered_by"] = forms.ChoiceField(
                label="Who is answering?",
                choices=choices,
                widget=forms.RadioSelect,
                help_text=""
                if measure.proxy_answers
                else f"{measure.name} is only ever answered by the person themselves",
                error_messages={
                    "required": f"Say whether {on_behalf_of} is answering or you are answering "
                    "for them",
                    "invalid_choice": f"{measure.name} must be answered by {on_behalf_of} "
                    "themselves: you can record their answers, but not answer for them",
                },
            )
        for index, item in enumerate(measure.items, start=1):
            scale = item.scale
            choices = []
            for value in range(scale.min, scale.max + 1):
                label = str(value)
                if value == scale.min and scale.min_label:
                    label = f"{value} – {scale.min_label}"
                elif value == scale.max and scale.max_label:
                    label = f"{value} – {scale.max_label}"
                choices.append((str(value), label))
            question = item.display_text
            if item.wording_status == "placeholder":
                question = f"{index}. {item.topic.capitalize()}"
            self.fields[item.id] = forms.TypedChoiceField(
                label=question,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                help_text=(
                    "Placeholder: your area has not loaded the licensed wording"
                    if item.wording_status == "placeholder"
                    else ""
                ),
            )

    def answers(self) -> dict[str, object]:
        return {item.id: self.cleaned_data.get(item.id) for item in self.measure.items}

    def answered_by(self) -> str | None:
        return self.cleaned_data.get("answered_by")


class GoalForm(forms.Form):
    text = forms.CharField(
        label="What is your goal, in your own words?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter your goal, in your own words"},
    )
    started_on = _date("Date you started", "Usually today")
    starting_score = forms.TypedChoiceField(
        label="How close are you to your goal today? (0 is not at all, 10 is reached)",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Score where you are now, from 0 to 10"},
    )

    STEPS = 3

    def __init__(
        self, *args: Any, plan_outcomes: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if plan_outcomes:
            self.fields["plan_outcome"] = forms.TypedChoiceField(
                label="Which outcome in your support plan does this goal work towards?",
                choices=[("", "None of them"), *[(pk, f"“{text}”") for pk, text in plan_outcomes]],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose one of your plan's outcomes, or none"},
            )
        for n in range(1, self.STEPS + 1):
            self.fields[f"step_{n}"] = forms.CharField(
                label=f"Step {n}", max_length=300, required=False
            )
            self.fields[f"step_{n}_supporter"] = forms.CharField(
                label=f"Who will help with step {n}?",
                max_length=150,
                required=False,
                help_text="For example, my daughter Sam",
            )
            self.fields[f"step_{n}_due"] = _date(f"Date for step {n}", required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for n in range(1, self.STEPS + 1):
            if not data.get(f"step_{n}") and (
                data.get(f"step_{n}_supporter") or data.get(f"step_{n}_due")
            ):
                self.add_error(
                    f"step_{n}", f"Describe step {n}, or leave its helper and date empty"
                )
        return data

    def steps(self) -> list[dict[str, Any]]:
        return [
            {
                "text": self.cleaned_data[f"step_{n}"].strip(),
                "supporter": self.cleaned_data[f"step_{n}_supporter"].strip(),
                "due_on": self.cleaned_data[f"step_{n}_due"],
            }
            for n in range(1, self.STEPS + 1)
            if self.cleaned_data.get(f"step_{n}", "").strip()
        ]


class StepForm(forms.Form):
    text = forms.CharField(
        label="Next step", max_length=300, error_messages={"required": "Describe the step"}
    )
    supporter = forms.CharField(
        label="Who will help?",
        max_length=150,
        required=False,
        help_text="For example, my daughter Sam",
    )
    due_on = _date("Date for this step", required=False)


class ReviewForm(forms.Form):
    rated_on = _date("Date of this review")
    score = forms.TypedChoiceField(
        label="How close are you to your goal now? (0 is not at all, 10 is reached)",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Score your goal from 0 to 10"},
    )
    note = forms.CharField(
        label="Anything you want to note (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConsentForm(forms.Form):
    counts = forms.ChoiceField(
        label="Can your answers count in anonymous reports?",
        choices=[("yes", "Yes, my answers can count"), ("no", "No, leave my answers out")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no"},
    )


class FamilyForm(forms.Form):
    family_led = forms.BooleanField(
        label="A family member holds the pen for this plan", required=False
    )
    pen_holder = forms.CharField(
        label="Who holds the pen?",
        max_length=150,
        required=False,
        help_text="For example, my daughter Sam",
    )

    def __init__(self, *args: Any, helpers: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if helpers:
            self.fields["pen_holder_account"] = forms.TypedChoiceField(
                label="Do they write on their own account?",
                choices=[
                    *[(pk, f"Yes: {name}") for pk, name in helpers],
                    ("", "No, they do not have an account here"),
                ],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                help_text="Only people you let help with your record are listed",
                error_messages={"invalid_choice": "Choose one of the people listed"},
            )


class HelperForm(forms.Form):
    identifier = forms.CharField(
        label="Their username or email address",
        max_length=254,
        error_messages={"required": "Enter their username or email address"},
    )


class GroupsForm(forms.Form):
    service = forms.CharField(max_length=150, required=False)
    programme = forms.CharField(max_length=150, required=False)
    neighbourhood = forms.ModelChoiceField(
        queryset=directory_selectors.neighbourhoods(), required=False, empty_label="Not recorded"
    )


class FollowUpForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=budget_selectors.case_teams().none(),
        error_messages={"required": "Choose the team"},
    )
    measure_value = forms.ChoiceField(
        label="Scale and value the threshold is on", error_messages={"required": "Choose a scale"}
    )
    threshold = forms.DecimalField(
        label="Threshold",
        max_digits=8,
        decimal_places=2,
        help_text="At this value or worse, the person goes on the team's worklist",
        error_messages={"required": "Enter the threshold", "invalid": "Enter a number"},
    )
    reminder_days = forms.IntegerField(
        label="Remind them if they have not reported for this many days",
        min_value=1,
        max_value=365,
        error_messages={"required": "Enter a number of days"},
    )
    response_days = forms.IntegerField(
        label="The team replies within this many days",
        min_value=1,
        max_value=30,
        initial=2,
        error_messages={"required": "Enter a number of days"},
    )

    def __init__(
        self, *args: Any, teams: Any, choices: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[CaseTeam]", self.fields["team"]).queryset = teams
        cast(forms.ChoiceField, self.fields["measure_value"]).choices = [
            ("", "Choose a scale"),
            *choices,
        ]


class ContactForm(forms.Form):
    contact_me = forms.BooleanField(label="Please contact me", required=False)
    note = forms.CharField(
        label="Anything you want the team to know (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DoneForm(forms.Form):
    note = forms.CharField(
        label="What was done", max_length=500, error_messages={"required": "Say what was done"}
    )


class AggregateForm(forms.Form):
    measure = forms.ChoiceField(label="Measure")
    rows = forms.ChoiceField(
        label="Rows",
        choices=[
            ("service", "Service"),
            ("programme", "Programme"),
            ("neighbourhood", "Neighbourhood"),
        ],
    )
    columns = forms.ChoiceField(
        label="Columns",
        required=False,
        choices=[
            ("", "None"),
            ("service", "Service"),
            ("programme", "Programme"),
            ("neighbourhood", "Neighbourhood"),
        ],
    )

    def __init__(self, *args: Any, measures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["measure"]).choices = measures

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("columns") and data.get("columns") == data.get("rows"):
            self.add_error("columns", "Choose different rows and columns")
        return data


class WordingForm(forms.Form):
    measure = forms.ChoiceField(
        label="Measure",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the measure the wording is for",
            "invalid_choice": "Choose one of the measures listed",
        },
    )
    licence_reference = forms.CharField(
        label="Licence or registration reference",
        max_length=300,
        help_text="What licence the area holds for this wording, for example "
        "'Warwick WEMWBS registration 12345, 1 April 2026'",
        error_messages={
            "required": "Enter the licence or registration reference the area holds",
            "max_length": "The reference must be 300 characters or fewer",
        },
    )
    file = forms.FileField(
        label="Wording file (YAML)",
        help_text="A text file with a 'wording:' section giving each item id its question text",
        error_messages={
            "required": "Choose the wording file to load",
            "empty": "The file is empty. Choose the wording file for this measure",
        },
    )

    def __init__(self, *args: Any, measures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["measure"]).choices = measures
