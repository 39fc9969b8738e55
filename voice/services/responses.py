"""The provider's or council team's acknowledgement and full response to feedback (with the change
it promises)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from voice.models import Change, Feedback
from voice.permissions import can_respond
from voice.services._common import VoiceRefused, _clean, _tell


def _require_responder(user: User, feedback: Feedback) -> None:
    if not can_respond(user, feedback):
        raise VoiceRefused("You cannot respond to this feedback")


@transaction.atomic
def acknowledge(
    *,
    feedback: Feedback,
    user: User,
    text: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Feedback:
    _require_responder(user, feedback)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.acknowledged_at is not None:
        raise VoiceRefused("This feedback has already been acknowledged", "text")
    feedback.acknowledgement = _clean(text, "text", "your acknowledgement", 2000)
    feedback.acknowledged_at = now or timezone.now()
    feedback.save(update_fields=["acknowledgement", "acknowledged_at"])
    record_audit(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=feedback,
        summary="Voice: acknowledged",
        request=request,
    )
    _tell(feedback, "Your feedback has been acknowledged", feedback.acknowledgement)
    return feedback


@transaction.atomic
def respond(
    *,
    feedback: Feedback,
    user: User,
    text: str,
    change: str = "",
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Feedback:
    """The full response; ``change`` (optional) is a change it promises."""
    _require_responder(user, feedback)
    now = now or timezone.now()
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.responded_at is not None:
        raise VoiceRefused("This feedback already has a full response", "text")
    feedback.response = _clean(text, "text", "your response")
    change = _clean(change, "change", "the change you promise", 1000, required=False)
    if feedback.acknowledged_at is None:  # a full response acknowledges too
        feedback.acknowledged_at = now
    feedback.responded_at = now
    feedback.responded_by_name = (
        feedback.organization_name
        if feedback.about == Feedback.About.SERVICE
        else str(feedback.team or "")
    )
    feedback.save()
    if change:
        Change.objects.create(feedback=feedback, description=change, promised_at=now)
    record_audit(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=feedback,
        summary="Voice: responded" + (" and promised a change" if change else ""),
        request=request,
    )
    _tell(
        feedback,
        "You have a response to your feedback",
        feedback.response + (f"\n\nChange promised: {change}" if change else ""),
    )
    return feedback
