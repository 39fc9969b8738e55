"""The independent moderator's decision on feedback: publish as a story, pass privately to the
provider, or decline."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from voice.models import Feedback, ModerationDecision
from voice.services._common import VoiceRefused, _clean, _require_moderator, _tell


@transaction.atomic
def moderate(
    *,
    feedback: Feedback,
    moderator: User,
    decision: str,
    reason: str,
    published_text: str = "",
    themes: str = "",
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Feedback:
    """Publish (as a story), pass privately to the provider, or decline. A reason is always
    recorded. A published story is final: nobody can edit or hide it afterwards."""
    _require_moderator(moderator)
    now = now or timezone.now()
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.moderation == Feedback.Moderation.PUBLISHED:
        raise VoiceRefused("This story is published and cannot be changed", "decision")
    if decision not in (
        Feedback.Moderation.PUBLISHED,
        Feedback.Moderation.PRIVATE,
        Feedback.Moderation.DECLINED,
    ):
        raise VoiceRefused("Select a decision", "decision")
    reason = _clean(reason, "reason", "the reason for your decision", 1000)
    if decision in (Feedback.Moderation.PUBLISHED, Feedback.Moderation.PRIVATE):
        feedback.published_text = _clean(published_text, "published_text", "the text to publish")
    tags = [t.strip().lower() for t in themes.split(",") if t.strip()]
    if any(len(t) > 40 for t in tags):
        raise VoiceRefused("Each theme must be 40 characters or fewer", "themes")
    feedback.themes = ", ".join(dict.fromkeys(tags))
    feedback.moderation = decision
    if decision == Feedback.Moderation.PUBLISHED:
        feedback.published_at = now
    feedback.save()
    ModerationDecision.objects.create(
        feedback=feedback, decision=decision, reason=reason, moderator=moderator, decided_at=now
    )
    record_audit(
        actor=moderator,
        action=AuditEvent.Action.UPDATE,
        target=feedback,
        summary=f"Voice moderation: {feedback.get_moderation_display()}. Reason: {reason}",
        request=request,
    )
    _tell(feedback, "Your feedback has been read", f"Status: {feedback.get_moderation_display()}.")
    return feedback
