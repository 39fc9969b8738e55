"""Experts-by-experience quality checks: planning one, publishing its report (with the experts'
time credits) and the provider's response."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from directory import selectors as directory_selectors
from rules.voice import add_working_days
from rules.voice.quality_parameters import MIN_EXPERTS, RESPONSE_WORKING_DAYS
from timebank import selectors as timebank_selectors
from timebank import services as timebank_services
from voice.models import CheckExpert, QualityCheck, Team
from voice.permissions import can_answer_for_check
from voice.services._common import VoiceRefused, _clean, _lock_check, _require_moderator
from wellbeing_hub.notifications import notify, site_url

CHECK_MINUTES_MAX = 12 * 60
"""An expert's time on one check (visit, travel, writing up) is at most a long day."""


def credit_organisations() -> list[Any]:
    """Approved time-bank organisations that can thank experts with time credits."""
    return [m for m in timebank_selectors.approved_members() if m.is_organisation]


def _credit_organisation(member_id: int | None) -> Any:
    if member_id is None:
        return None
    return next((m for m in credit_organisations() if m.pk == member_id), None)


@transaction.atomic
def plan_check(
    *,
    lead: User,
    about: str,
    visit_date: dt.date,
    minutes_per_expert: int,
    service_id: str = "",
    team: Team | None = None,
    credits_member_id: int | None = None,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> QualityCheck:
    _require_moderator(lead)
    now = now or timezone.now()
    check = QualityCheck(about=about, visit_date=visit_date, lead=lead, created_at=now)
    if about == QualityCheck.About.SERVICE:
        service = directory_selectors.service_for_page(service_id) if service_id else None
        if service is None:
            raise VoiceRefused("Choose a service from the directory", "service_name")
        check.service_id, check.service_name = str(service.pk), service.name
        if service.organization is not None:
            check.organization_id = str(service.organization.pk)
            check.organization_name = service.organization.name
    elif about == QualityCheck.About.TEAM:
        if team is None:
            raise VoiceRefused("Select a council team", "team")
        check.team = team
    else:
        raise VoiceRefused("Select what the check is of", "about")
    if isinstance(minutes_per_expert, bool) or not 1 <= minutes_per_expert <= CHECK_MINUTES_MAX:
        raise VoiceRefused(
            "Enter each expert's time as a number of minutes from 1 to 720 (12 hours)",
            "minutes_per_expert",
        )
    check.minutes_per_expert = minutes_per_expert
    if credits_member_id is not None:
        organisation = _credit_organisation(credits_member_id)
        if organisation is None:
            raise VoiceRefused(
                "Select an approved time bank organisation to issue the time credits",
                "credits_member",
            )
        check.credits_member_id, check.credits_member_name = organisation.pk, organisation.name
    check.save()
    record_audit(
        actor=lead,
        action=AuditEvent.Action.CREATE,
        target=check,
        summary=f"Voice: quality check of {check.subject_name} planned for {visit_date}",
        request=request,
    )
    return check


def credit_key_for(check: QualityCheck, place: CheckExpert) -> str:
    """The time bank idempotency key of one expert's credits for one check."""
    return f"voice-check:{check.reference}:{place.pk}"


def _reward_experts(check: QualityCheck, places: list[CheckExpert], now: dt.datetime) -> int:
    """Issue time credits to each expert who chose them and has none yet for this check.
    Called under the check's row lock, so two publishes of one check cannot both get here with
    an expert uncredited; the ledger's unique key would refuse a second entry anyway."""
    owed = [p for p in places if p.reward == CheckExpert.Reward.TIME_CREDITS and not p.credit_key]
    if not owed:
        return 0
    organisation = _credit_organisation(check.credits_member_id)
    if organisation is None:
        raise VoiceRefused(
            f"The time bank organisation ‘{check.credits_member_name or 'Not known'}’ cannot "
            "issue credits now (it is no longer approved). Ask a time bank coordinator"
        )
    for place in owed:
        member = timebank_selectors.member_for(place.expert)
        if member is None:
            raise VoiceRefused(
                f"{place.label} is no longer a member of the time bank, so cannot receive time credits"
            )
        key = credit_key_for(check, place)
        try:
            timebank_services.issue_credits(
                by=organisation.user,
                organisation=organisation,
                member=member,
                minutes=place.minutes,
                reason=f"Expert by experience, quality check {check.reference} of {check.subject_name}",
                idempotency_key=key,
            )
        except timebank_services.TimebankRefused as refused:
            raise VoiceRefused(f"{place.label}: {refused.message}") from refused
        place.credit_key, place.credited_at = key, now
        place.save(update_fields=["credit_key", "credited_at"])
    return len(owed)


def publish_check(
    *,
    lead: User,
    check: QualityCheck,
    summary: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> QualityCheck:
    """Publish the report: combine the scores of the experts who sent them (at least
    ``MIN_EXPERTS``), reward their time exactly once, and start the provider's response clock.

    Publishing again, or twice at the same moment, changes nothing and issues nothing more: the
    check's row is locked first and a published check is returned as it is."""
    _require_moderator(lead)
    now = now or timezone.now()
    with transaction.atomic():
        check = _lock_check(check)
        if check.state == QualityCheck.State.PUBLISHED:
            return check
        places = list(
            check.experts.select_for_update(of=("self",))
            .filter(submitted_at__isnull=False)
            .select_related("expert")
        )
        if len(places) < MIN_EXPERTS:
            raise VoiceRefused(
                f"At least {MIN_EXPERTS} experts must send their scores before the report is "
                f"published ({len(places)} so far)",
                "summary",
            )
        check.summary = _clean(summary, "summary", "a summary of what the experts found")
        rewarded = _reward_experts(check, places, now)
        check.state = QualityCheck.State.PUBLISHED
        check.published_at, check.published_by = now, lead
        check.respond_by = add_working_days(timezone.localdate(now), RESPONSE_WORKING_DAYS)
        check.save()
        record_audit(
            actor=lead,
            action=AuditEvent.Action.UPDATE,
            target=check,
            summary=(
                f"Voice: quality check report published ({len(places)} experts; time credits "
                f"issued to {rewarded})"
            ),
            request=request,
        )
    addresses = [p.expert.email for p in places if p.expert is not None and p.expert.email]
    if addresses:
        report = site_url(reverse("voice:check", args=[check.reference]))
        notify(
            f"The quality check of {check.subject_name} is published",
            f"Thank you for your part in quality check {check.reference}.\n\n"
            f"Read the published report: {report}\n",
            addresses,
            kind="quality_checks",
        )
    return check


@transaction.atomic
def respond_to_check(
    *,
    user: User,
    check: QualityCheck,
    text: str,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> QualityCheck:
    """The provider's or team's public response to a published report (on its clock)."""
    if not can_answer_for_check(user, check):
        raise VoiceRefused("Only the provider or team that was checked can respond")
    check = _lock_check(check)
    if check.state != QualityCheck.State.PUBLISHED:
        raise VoiceRefused("The report is not published yet", "text")
    if check.responded_at is not None:
        raise VoiceRefused("This report already has a response", "text")
    check.response = _clean(text, "text", "your response")
    check.responded_at = now or timezone.now()
    check.responded_by_name = check.organisation_label
    check.save(update_fields=["response", "responded_at", "responded_by_name"])
    record_audit(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        target=check,
        summary=f"Voice: response to quality check {check.reference}",
        request=request,
    )
    return check
