"""The register of trained experts by experience, and adding an expert to a quality check."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from timebank import selectors as timebank_selectors
from voice.models import CheckExpert, ExpertByExperience, QualityCheck
from voice.permissions import can_answer_for_check
from voice.services._common import VoiceRefused, _clean, _lock_check, _require_moderator


def _find_person(who: str) -> User:
    wanted = (who or "").strip()
    if not wanted:
        raise VoiceRefused("Enter the expert's username or email address", "who")
    found = list(
        User.objects.filter(is_active=True)
        .filter(Q(username__iexact=wanted) | Q(email__iexact=wanted))
        .distinct()[:2]
    )
    if len(found) != 1:
        raise VoiceRefused(
            f"We could not find one account with the username or email address ‘{wanted}’. "
            "Check it, or ask the expert to create an account first",
            "who",
        )
    return found[0]


@transaction.atomic
def register_expert(
    *,
    lead: User,
    who: str,
    recruited_from: str,
    training: str,
    trained_on: dt.date,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> ExpertByExperience:
    """Add a trained expert by experience to the register (or record newer training)."""
    _require_moderator(lead)
    person = _find_person(who)
    if recruited_from not in ExpertByExperience.RecruitedFrom.values:
        raise VoiceRefused("Select where the expert was recruited from", "recruited_from")
    training = _clean(training, "training", "the training they completed", 200)
    now = now or timezone.now()
    if trained_on > timezone.localdate(now):
        raise VoiceRefused("The date of the training must be today or in the past", "trained_on")
    expert, created = ExpertByExperience.objects.update_or_create(
        user=person,
        defaults={
            "recruited_from": recruited_from,
            "training": training,
            "trained_on": trained_on,
            "registered_by": lead,
            "registered_at": now,
        },
    )
    record_audit(
        actor=lead,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=expert,
        subject=person,
        summary=f"Voice: registered as a trained expert by experience ({training}, {trained_on})",
        request=request,
    )
    return expert


def _expert_label(number: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f"Expert {letters[number % 26]}{number // 26 or ''}"


@transaction.atomic
def add_expert(
    *,
    lead: User,
    check: QualityCheck,
    who: str,
    reward: str,
    request: HttpRequest | None = None,
) -> CheckExpert:
    """Add an expert by experience (found by username or email address) to an open check."""
    _require_moderator(lead)
    check = _lock_check(check)
    if check.state != QualityCheck.State.OPEN:
        raise VoiceRefused("The report is published: experts can no longer be added", "who")
    expert = _find_person(who)
    if check.experts.filter(expert=expert).exists():
        raise VoiceRefused(
            f"{expert.get_full_name() or expert.username} is already on this check", "who"
        )
    if can_answer_for_check(expert, check):
        raise VoiceRefused(
            "This person works for the provider or team being checked, so cannot be one of its experts",
            "who",
        )
    trained = ExpertByExperience.objects.filter(user=expert).first()
    if trained is None or trained.trained_on > check.visit_date:
        raise VoiceRefused(
            f"{expert.get_full_name() or expert.username} has no training as an expert by "
            f"experience recorded on or before the visit ({check.visit_date:%d/%m/%Y}). "
            "Add their training to the register of experts first",
            "who",
        )
    if reward not in CheckExpert.Reward.values:
        raise VoiceRefused("Select how the expert's time is rewarded", "reward")
    if reward == CheckExpert.Reward.TIME_CREDITS:
        if check.credits_member_id is None:
            raise VoiceRefused(
                "This check has no time bank organisation to issue credits; choose payment or no reward",
                "reward",
            )
        member = timebank_selectors.member_for(expert)
        if member is None or not member.is_approved or member.is_organisation:
            raise VoiceRefused(
                "This person is not an approved member of the time bank, so cannot receive time "
                "credits. Choose payment, or ask them to join the time bank first",
                "reward",
            )
    place = CheckExpert.objects.create(
        quality_check=check,
        expert=expert,
        label=_expert_label(check.experts.count()),
        reward=reward,
        minutes=check.minutes_per_expert,
    )
    record_audit(
        actor=lead,
        action=AuditEvent.Action.CREATE,
        target=place,
        subject=expert,
        summary=f"Voice: added as {place.label} to quality check {check.reference}",
        request=request,
    )
    return place
