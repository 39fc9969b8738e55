"""One question per page. Every field says what to do when it is wrong (GOV.UK error pattern)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from rules.voice.coproduction import KIND_KEYS, KINDS, LADDER
from rules.voice.quality_parameters import RUBRIC, SCALE_LABELS
from voice.models import CheckExpert, ExpertByExperience, Feedback, QualityCheck


def _radios(choices: Any, message: str, label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=choices, widget=forms.RadioSelect, label=label, error_messages={"required": message}
    )


class AboutForm(forms.Form):
    about = _radios(
        Feedback.About.choices, "Select what your feedback is about", "What is your feedback about?"
    )


class ServiceForm(forms.Form):
    service_name = forms.CharField(
        label="What is the name of the service?",
        max_length=200,
        help_text="As it appears in the directory, for example ‘Riverside Day Centre’.",
        error_messages={"required": "Enter the name of the service"},
    )


class TeamForm(forms.Form):
    team = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="Which council team is it about?",
        error_messages={
            "required": "Select a council team",
            "invalid_choice": "Select a council team",
        },
    )

    def __init__(self, *args: Any, teams: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["team"]).choices = teams


class TopicForm(forms.Form):
    topic = _radios(
        Feedback.Topic.choices, "Select what your feedback is about", "What is it about?"
    )
    topic_text = forms.CharField(
        label="Tell us more about what it is (optional)",
        required=False,
        max_length=200,
        help_text="For example, the name of the round or the date of the assessment.",
    )


class KindForm(forms.Form):
    kind = _radios(
        Feedback.Kind.choices,
        "Select what kind of feedback this is",
        "What kind of feedback is it?",
    )


class GivenAsForm(forms.Form):
    given_as = _radios(
        Feedback.GivenAs.choices, "Select who the feedback is from", "Who is giving this feedback?"
    )


class TextForm(forms.Form):
    text = forms.CharField(
        label="Tell us what happened",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text="A moderator reads it first and removes names and other personal details before anyone else sees it.",
        error_messages={
            "required": "Enter your feedback",
            "max_length": "Your feedback must be 5000 characters or fewer",
        },
    )


class IdentityForm(forms.Form):
    identity = _radios(
        Feedback.Identity.choices,
        "Select whether we may use your name",
        "Can we tell the provider who you are?",
    )


class ContactForm(forms.Form):
    name = forms.CharField(
        label="Your name", max_length=200, error_messages={"required": "Enter your name"}
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        help_text="We will email you when your feedback moves on.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )


class SourceForm(forms.Form):
    source = _radios(
        Feedback.Source.choices,
        "Select how the feedback was received",
        "How was this feedback received?",
    )


class ModerateForm(forms.Form):
    decision = _radios(
        [
            (Feedback.Moderation.PUBLISHED, "Publish as a story"),
            (Feedback.Moderation.PRIVATE, "Pass to the provider without publishing"),
            (Feedback.Moderation.DECLINED, "Do not publish or pass on"),
        ],
        "Select a decision",
        "Your decision",
    )
    published_text = forms.CharField(
        label="Text to publish",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text="Remove names, addresses and anything defamatory. The original is kept for moderators only.",
    )
    themes = forms.CharField(
        label="Themes (optional)",
        required=False,
        max_length=300,
        help_text="Separate themes with commas, for example ‘dignity, food’.",
    )
    reason = forms.CharField(
        label="Reason for your decision and any changes",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter the reason for your decision"},
    )


class AcknowledgeForm(forms.Form):
    text = forms.CharField(
        label="Acknowledgement",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter your acknowledgement"},
    )


class RespondForm(forms.Form):
    text = forms.CharField(
        label="Your full response",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Enter your response"},
    )
    change = forms.CharField(
        label="A change you promise to make (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class EvidenceForm(forms.Form):
    evidence = forms.CharField(
        label="Evidence the change was made",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the evidence the change was made"},
    )


# --- experts-by-experience quality checks -------------------------------------------------------


class PlanCheckForm(forms.Form):
    about = _radios(
        QualityCheck.About.choices, "Select what the check is of", "What is being checked?"
    )
    service_name = forms.CharField(
        label="Name of the service (if a service)",
        required=False,
        max_length=200,
        help_text="As it appears in the directory, for example ‘Riverside Day Centre’.",
    )
    team = forms.ChoiceField(label="Council team (if a team)", required=False)
    visit_date = forms.DateField(
        label="Date of the visit",
        help_text="For example, 2026-03-27",
        error_messages={
            "required": "Enter the date of the visit, for example 2026-03-27",
            "invalid": "Enter the date of the visit as year-month-day, for example 2026-03-27",
        },
    )
    minutes_per_expert = forms.IntegerField(
        label="Each expert's time, in minutes",
        help_text="The visit, travel and writing up. For example, 180 for 3 hours.",
        error_messages={
            "required": "Enter each expert's time in minutes, for example 180",
            "invalid": "Enter each expert's time as a whole number of minutes, for example 180",
        },
    )
    credits_member = forms.ChoiceField(
        label="Time bank organisation that thanks experts with time credits",
        required=False,
        help_text="Choose ‘None’ if no expert on this check earns time credits.",
    )

    def __init__(
        self,
        *args: Any,
        teams: list[tuple[str, str]],
        organisations: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "Choose a team"), *teams]
        cast(forms.ChoiceField, self.fields["credits_member"]).choices = [
            ("", "None"),
            *organisations,
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        about = data.get("about")
        if about == QualityCheck.About.SERVICE and not (data.get("service_name") or "").strip():
            self.add_error("service_name", "Enter the name of the service being checked")
        if about == QualityCheck.About.TEAM and not data.get("team"):
            self.add_error("team", "Choose the council team being checked")
        return data


class AddExpertForm(forms.Form):
    who = forms.CharField(
        label="Expert's username or email address",
        max_length=254,
        help_text="They need an account on this site to send their scores.",
        error_messages={"required": "Enter the expert's username or email address"},
    )
    reward = _radios(
        CheckExpert.Reward.choices,
        "Select how the expert's time is rewarded",
        "How is their time rewarded?",
    )


class VisitPairForm(forms.Form):
    """Two of the check's experts who visit together, when and where."""

    first = forms.ChoiceField(
        label="First expert",
        error_messages={
            "required": "Select the first expert from the experts on this check",
            "invalid_choice": "Select the first expert from the experts on this check",
        },
    )
    second = forms.ChoiceField(
        label="Second expert",
        error_messages={
            "required": "Select the second expert from the experts on this check",
            "invalid_choice": "Select the second expert from the experts on this check",
        },
    )
    visit_on = forms.DateField(
        label="Date of their visit",
        help_text="On or after both experts' training. For example, 2026-03-27",
        error_messages={
            "required": "Enter the date of their visit, for example 2026-03-27",
            "invalid": "Enter the date of their visit as year-month-day, for example 2026-03-27",
        },
    )
    place = forms.CharField(
        label="Place or part of the service they visit",
        max_length=200,
        help_text="For example, ‘Day room and lunch’ or ‘Home visits, north team’.",
        error_messages={
            "required": "Enter the place or part of the service they visit",
            "max_length": "The place or part of the service must be 200 characters or fewer",
        },
    )

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first", "second"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "Choose an expert"), *places]


SCORE_CHOICES = [
    *((str(n), f"{n} – {label}") for n, label in SCALE_LABELS.items()),
    ("not_seen", "Did not see this"),
]


class ScoresForm(forms.Form):
    """One question per domain of the rubric, each a score or "did not see this"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for domain in RUBRIC:
            self.fields[domain.key] = forms.ChoiceField(
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                label=domain.theme,
                help_text=domain.question,
                error_messages={
                    "required": f"Select a score for ‘{domain.theme}’, or ‘Did not see this’"
                },
            )


class ExpertScoresForm(ScoresForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notes"] = forms.CharField(
            label="What you saw and heard (optional)",
            required=False,
            widget=forms.Textarea(attrs={"rows": 5}),
            max_length=3000,
            help_text="Only the lead of the check reads your notes. Do not write people's names.",
            error_messages={"max_length": "Your notes must be 3000 characters or fewer"},
        )


class PublishCheckForm(forms.Form):
    summary = forms.CharField(
        label="Summary of what the experts found",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Published with the scores. No names of people who use the service.",
        error_messages={"required": "Enter a summary of what the experts found"},
    )


class CheckResponseForm(forms.Form):
    text = forms.CharField(
        label="Your response to the report",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Enter your response to the report"},
    )


# --- co-production self-assessment --------------------------------------------------------------

RUNG_CHOICES = [
    (str(n), f"{n}. {name}: {description}") for n, (name, description) in enumerate(LADDER, 1)
]
LEVEL_CHOICES = [("high", "High"), ("low", "Low")]


class CoproductionForm(forms.Form):
    subject = forms.CharField(
        label="Organisation or project",
        max_length=200,
        help_text="For example ‘Riverside Care’ or ‘the whole area’.",
        error_messages={"required": "Enter the name of the organisation or project"},
    )
    held_on = forms.DateField(
        label="Date of the workshop",
        help_text="For example, 2026-03-27",
        error_messages={
            "required": "Enter the date of the workshop, for example 2026-03-27",
            "invalid": "Enter the date of the workshop as year-month-day, for example 2026-03-27",
        },
    )
    participants = forms.CharField(
        label="Who took part",
        max_length=300,
        help_text="Roles and numbers, not names. For example ‘5 people who use services, 2 carers, 3 staff’.",
        error_messages={"required": "Enter who took part, for example ‘5 people who use services’"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label, _ in KINDS:
            self.fields[f"{key}_rung"] = forms.ChoiceField(
                choices=RUNG_CHOICES,
                widget=forms.RadioSelect,
                label=f"{label}: where on the ladder are you now?",
                error_messages={"required": f"Select where {label.lower()} is on the ladder"},
            )
            for part in ("impact", "effort"):
                self.fields[f"{key}_{part}"] = forms.ChoiceField(
                    choices=LEVEL_CHOICES,
                    widget=forms.RadioSelect,
                    label=f"{label}: {'impact of doing more' if part == 'impact' else 'effort it would take'}",
                    error_messages={"required": f"Select high or low {part} for {label.lower()}"},
                )
            self.fields[f"{key}_notes"] = forms.CharField(
                label=f"{label}: notes (optional)",
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": "Notes must be 1000 characters or fewer"},
            )

    def ratings(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            key: {
                "rung": data[f"{key}_rung"],
                "impact": data[f"{key}_impact"],
                "effort": data[f"{key}_effort"],
                "notes": data[f"{key}_notes"],
            }
            for key in KIND_KEYS
        }


class RegisterExpertForm(forms.Form):
    who = forms.CharField(
        label="Username or email address",
        max_length=254,
        error_messages={"required": "Enter the expert's username or email address"},
    )
    recruited_from = _radios(
        ExpertByExperience.RecruitedFrom.choices,
        "Select where the expert was recruited from",
        "Where were they recruited from?",
    )
    training = forms.CharField(
        label="Training they completed",
        max_length=200,
        help_text="For example ‘Quality checker training, 2 days’.",
        error_messages={"required": "Enter the training they completed"},
    )
    trained_on = forms.DateField(
        label="Date they finished the training",
        help_text="For example, 2026-03-27",
        error_messages={
            "required": "Enter the date they finished the training, for example 2026-03-27",
            "invalid": "Enter the date of the training as year-month-day, for example 2026-03-27",
        },
    )
