"""A co-production workshop's self-assessment (a rung of the ladder, impact and effort for every
kind)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from rules.voice.coproduction import KIND_KEYS, rung_name
from voice.models import CoproductionAssessment
from voice.permissions import can_record_coproduction
from voice.services._common import VoiceRefused, _clean


@transaction.atomic
def record_coproduction(
    *,
    user: User,
    subject: str,
    held_on: dt.date,
    participants: str,
    ratings: Mapping[str, Mapping[str, Any]],
    prefill: list[dict[str, str]],
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> CoproductionAssessment:
    """Save what a workshop agreed: for every kind a rung of the ladder, impact and effort."""
    if not can_record_coproduction(user):
        raise VoiceRefused("Only moderators, commissioners and administrators can record this")
    subject = _clean(subject, "subject", "the organisation or project", 200)
    key = slugify(subject)[:80]
    if not key:
        raise VoiceRefused("Enter the name of the organisation or project in words", "subject")
    participants = _clean(participants, "participants", "who took part", 300)
    now = now or timezone.now()
    if held_on > timezone.localdate(now):
        raise VoiceRefused("The date of the workshop must be today or in the past", "held_on")
    cleaned: dict[str, dict[str, Any]] = {}
    for kind in KIND_KEYS:
        given = ratings.get(kind) or {}
        try:
            rung = int(given.get("rung", 0))
            rung_name(rung)
        except (TypeError, ValueError) as error:
            raise VoiceRefused("Select a rung of the ladder", f"{kind}_rung") from error
        entry: dict[str, Any] = {"rung": rung}
        for part in ("impact", "effort"):
            if given.get(part) not in ("high", "low"):
                raise VoiceRefused(f"Select high or low {part}", f"{kind}_{part}")
            entry[part] = given[part]
        entry["notes"] = _clean(
            str(given.get("notes", "")), f"{kind}_notes", "the notes", 1000, required=False
        )
        cleaned[kind] = entry
    assessment = CoproductionAssessment.objects.create(
        subject=subject,
        subject_key=key,
        held_on=held_on,
        participants=participants,
        prefill=prefill,
        ratings=cleaned,
        recorded_by=user,
        recorded_at=now,
    )
    record_audit(
        actor=user,
        action=AuditEvent.Action.CREATE,
        target=assessment,
        summary=f"Voice: co-production self-assessment of {subject} ({held_on}) recorded",
        request=request,
    )
    return assessment
