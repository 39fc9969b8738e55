"""One question per page. Every field says what to do when it is wrong (GOV.UK error pattern)."""

from __future__ import annotations

from typing import Any

from django import forms

from voice.models import Feedback


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
        self.fields["team"].choices = teams


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
