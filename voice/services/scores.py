"""Scores on the quality rubric: each expert's own, and the provider's or team's self-assessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from rules.voice.quality_parameters import DOMAIN_KEYS, SCALE_MAX, SCALE_MIN
from voice.models import CheckExpert, QualityCheck
from voice.permissions import can_answer_for_check
from voice.services._common import NOT_SEEN, VoiceRefused, _clean, _lock_check


def _clean_scores(scores: Mapping[str, Any], field_prefix: str) -> dict[str, int | None]:
    """One answer for every domain: a score on the scale, or ``None`` ("did not see this")."""
    cleaned: dict[str, int | None] = {}
    for domain in DOMAIN_KEYS:
        value = scores.get(domain)
        if value in (None, ""):
            raise VoiceRefused(
                "Select a score, or ‘Did not see this’, for every question",
                f"{field_prefix}{domain}",
            )
        if value == NOT_SEEN:
            cleaned[domain] = None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if str(number) != str(value).strip() or not SCALE_MIN <= number <= SCALE_MAX:
            raise VoiceRefused(
                f"Choose a score between {SCALE_MIN} and {SCALE_MAX}, or ‘Did not see this’",
                f"{field_prefix}{domain}",
            )
        cleaned[domain] = number
    return cleaned


@transaction.atomic
def submit_scores(
    *,
    expert: User,
    check: QualityCheck,
    scores: Mapping[str, Any],
    notes: str = "",
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> CheckExpert:
    """An expert's own scores, sent once (they are final, and no expert sees another's before
    the report is published)."""
    place = (
        CheckExpert.objects.select_for_update()
        .select_related("quality_check")
        .filter(quality_check=check, expert=expert)
        .first()
    )
    if place is None:
        raise VoiceRefused("You are not an expert on this check")
    if place.quality_check.state != QualityCheck.State.OPEN:
        raise VoiceRefused("The report is published: scores can no longer be sent")
    if place.submitted_at is not None:
        raise VoiceRefused("You have already sent your scores for this check")
    place.scores = _clean_scores(scores, "")
    place.notes = _clean(notes, "notes", "your notes", 3000, required=False)
    place.submitted_at = now or timezone.now()
    place.save(update_fields=["scores", "notes", "submitted_at"])
    record_audit(
        actor=expert,
        action=AuditEvent.Action.UPDATE,
        target=place,
        subject=expert,
        summary=f"Voice: {place.label} sent scores for quality check {check.reference}",
        request=request,
    )
    return place


@transaction.atomic
def submit_self_assessment(
    *,
    user: User,
    check: QualityCheck,
    scores: Mapping[str, Any],
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> QualityCheck:
    """The provider's or team's own scores on the same rubric, until the report is published."""
    if not can_answer_for_check(user, check):
        raise VoiceRefused("Only the provider or team being checked can assess itself")
    check = _lock_check(check)
    if check.state != QualityCheck.State.OPEN:
        raise VoiceRefused("The report is published: the self-assessment can no longer change")
    check.self_assessment = _clean_scores(scores, "")
    check.self_assessed_at = now or timezone.now()
    check.self_assessed_by = user
    check.save(update_fields=["self_assessment", "self_assessed_at", "self_assessed_by"])
    record_audit(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=check,
        summary=f"Voice: self-assessment for quality check {check.reference}",
        request=request,
    )
    return check
