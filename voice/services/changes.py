""" "You said, we did": a promised change confirmed by the person who asked for it, or verified by a
moderator with evidence."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from voice.models import Change
from voice.services._common import VoiceRefused, _clean, _require_moderator, _tell


@transaction.atomic
def confirm_change(
    *,
    change: Change,
    user: User,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Change:
    """The person who gave the feedback confirms the promised change was made."""
    change = Change.objects.select_for_update().select_related("feedback").get(pk=change.pk)
    if change.feedback.author_id is None or change.feedback.author_id != user.pk:
        raise VoiceRefused("Only the person who gave the feedback can confirm this change")
    if change.state == Change.State.MADE:
        raise VoiceRefused("This change is already confirmed")
    change.state = Change.State.MADE
    change.made_at = now or timezone.now()
    change.confirmed_by_author = True
    change.save()
    record_audit(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=change,
        summary="Voice: change confirmed by the person",
        request=request,
    )
    _tell(change.feedback, "You confirmed a change was made", change.description)
    return change


@transaction.atomic
def verify_change(
    *,
    change: Change,
    moderator: User,
    evidence: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Change:
    """For feedback with nobody to confirm (anonymous, or given on paper), a moderator verifies
    the change with evidence."""
    _require_moderator(moderator)
    change = Change.objects.select_for_update().select_related("feedback").get(pk=change.pk)
    if change.feedback.author_id is not None:
        raise VoiceRefused("The person who gave this feedback confirms it themselves", "evidence")
    if change.state == Change.State.MADE:
        raise VoiceRefused("This change is already confirmed", "evidence")
    change.evidence = _clean(evidence, "evidence", "the evidence the change was made", 2000)
    change.state = Change.State.MADE
    change.made_at = now or timezone.now()
    change.verified_by = moderator
    change.save()
    record_audit(
        actor=moderator,
        action=AuditEvent.Action.UPDATE,
        target=change,
        summary=f"Voice: change verified with evidence: {change.evidence}",
        request=request,
    )
    _tell(change.feedback, "A change you asked for has been made", change.description)
    return change
