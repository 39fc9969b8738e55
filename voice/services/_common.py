"""What every voice service shares: the refusal people read, text checks, the moderator check, the
email to the person who gave feedback and the quality check's row lock."""

from __future__ import annotations

from accounts.models import User
from voice.models import CheckExpert, Feedback, QualityCheck
from voice.permissions import is_moderator
from wellbeing_hub.form_attempts import Refused
from wellbeing_hub.notifications import notify

TEXT_MAX = 5000


NOT_SEEN = "not_seen"


class VoiceRefused(Refused):
    """A change the rules do not allow, with a message for people; ``field`` names the form field
    it is about (views show it there with ``wellbeing_hub.form_attempts.attempt``)."""


def _clean(value: str, field: str, label: str, limit: int = TEXT_MAX, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise VoiceRefused(f"Enter {label}", field)
    if len(value) > limit:
        raise VoiceRefused(
            f"{label[0].upper()}{label[1:]} must be {limit} characters or fewer", field
        )
    return value


def _tell(feedback: Feedback, subject: str, body: str) -> None:
    """Email the person who gave the feedback, when they left an address."""
    address = feedback.email or (feedback.author.email if feedback.author else "")
    if address:
        notify(
            subject,
            f"{body}\n\nYour reference: {feedback.reference}",
            [address],
            kind="feedback",
        )


def _require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise VoiceRefused("Only the independent voice moderators can do this")


def _lock_check(check: QualityCheck) -> QualityCheck:
    return (
        QualityCheck.objects.select_for_update(of=("self",)).select_related("team").get(pk=check.pk)
    )


def _expert_name(place: CheckExpert) -> str:
    person = place.expert
    name = (person.get_full_name() or person.username) if person is not None else "account erased"
    return f"{name} ({place.label})"
