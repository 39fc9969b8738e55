"""Writes for social prescribing referrals: each transactional and audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import record_audit
from connect.models import OnwardReferral, Referral, ReferringOrganisation, ServiceReferralTerms
from directory import referral_selectors
from rules.connect.parameters import answer_due, is_overdue
from wellbeing_hub.notifications import notify

# Link workers hold the caseload. Coordinators keep oversight of the referrals (they assign work and
# cover absences); brokers no longer see social prescribing records (least privilege).
LINK_WORKER_ROLES = (Role.LINK_WORKER, Role.COORDINATOR)


class ConnectError(ValueError):
    """A change the rules do not allow; the message names the field and says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def is_link_worker(user: User) -> bool:
    return user.is_authenticated and user.groups.filter(name__in=LINK_WORKER_ROLES).exists()


def can_refer_for(user: User, organisation: ReferringOrganisation) -> bool:
    return user.is_authenticated and organisation.staff.filter(pk=user.pk).exists()


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def make_referral(
    *,
    actor: User,
    person: User,
    source: str,
    reason: str,
    what_matters: str = "",
    organisation: ReferringOrganisation | None = None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    if source not in Referral.Source.values:
        raise ConnectError("source", "Choose who is making the referral")
    if not reason.strip():
        raise ConnectError("reason", "Enter the reason for the referral")
    if source in (Referral.Source.GP_PRACTICE, Referral.Source.HOSPITAL):
        if organisation is None or not can_refer_for(actor, organisation):
            raise ConnectError("organisation", "Choose an organisation you refer for")
    elif source == Referral.Source.LINK_WORKER and not is_link_worker(actor):
        raise ConnectError("source", "Only a link worker can make a link worker referral")
    elif source == Referral.Source.SELF and actor.pk != person.pk:
        raise ConnectError("source", "A self-referral must be made by the person themselves")
    referral = Referral.objects.create(
        person=person,
        source=source,
        referring_organisation=organisation,
        referred_by=actor,
        reason=reason.strip(),
        what_matters=what_matters.strip(),
        received_on=today or _today(),
        link_worker=actor if source == Referral.Source.LINK_WORKER else None,
    )
    record_audit(
        actor=actor,
        action="connect.referral.create",
        target=referral,
        subject=person,
        summary="Social prescribing referral made",
        request=request,
    )
    return referral


_STATUS_DATE = {
    Referral.Status.CONTACTED: "contacted_on",
    Referral.Status.FIRST_CONVERSATION: "first_conversation_on",
    Referral.Status.CONNECTED: "connected_on",
    Referral.Status.DECLINED: "declined_on",
    Referral.Status.CLOSED: "closed_on",
}


@transaction.atomic
def set_status(
    *,
    actor: User,
    referral: Referral,
    status: str,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    if status not in _STATUS_DATE:
        raise ConnectError(
            "status", "Choose contacted, first conversation, connected, declined or closed"
        )
    if referral.status in (Referral.Status.CLOSED, Referral.Status.DECLINED):
        raise ConnectError("status", "This referral is already closed")
    day = on or _today()
    if day < referral.received_on:
        raise ConnectError("on", "The date must be on or after the day the referral was received")
    if referral.link_worker_id is None:
        referral.link_worker = actor
    setattr(referral, _STATUS_DATE[status], day)
    referral.status = status
    referral.save()
    record_audit(
        actor=actor,
        action="connect.referral.status",
        target=referral,
        subject=referral.person,
        summary=f"Status set to {referral.get_status_display()}",
        request=request,
    )
    return referral


@transaction.atomic
def record_consent(
    *,
    actor: User,
    referral: Referral,
    share_back: bool,
    onward: bool,
    outcomes: bool,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    referral.consent_share_back = share_back
    referral.consent_onward = onward
    referral.consent_outcomes = outcomes
    referral.consent_recorded_on = on or _today()
    referral.save()
    record_audit(
        actor=actor,
        action="connect.referral.consent",
        target=referral,
        subject=referral.person,
        summary=f"Consent: share back {share_back}, onward {onward}, outcomes {outcomes}",
        request=request,
    )
    return referral


@transaction.atomic
def set_service_terms(
    *, actor: User, service_id: str, takes_referrals: bool, typical_wait_days: int | None
) -> ServiceReferralTerms:
    if not referral_selectors.acts_for_service(actor, service_id):
        raise ConnectError("service", "You do not act for this service")
    terms, _ = ServiceReferralTerms.objects.update_or_create(
        service_id=service_id,
        defaults={"takes_referrals": takes_referrals, "typical_wait_days": typical_wait_days},
    )
    return terms


@transaction.atomic
def refer_onward(
    *,
    actor: User,
    referral: Referral,
    service_id: str,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> OnwardReferral:
    if not referral.consent_onward:
        raise ConnectError("service", "Record the person's consent to onward referral first")
    if referral_selectors.referrable_service(service_id) is None:
        raise ConnectError("service", "Choose a service that is listed in the directory")
    terms = ServiceReferralTerms.objects.filter(service_id=service_id).first()
    if terms is not None and not terms.takes_referrals:
        raise ConnectError("service", "This service is not taking referrals; choose another")
    day = today or _today()
    onward = OnwardReferral.objects.create(
        referral=referral, service_id=service_id, sent_on=day, answer_due=answer_due(day)
    )
    record_audit(
        actor=actor,
        action="connect.onward.create",
        target=onward,
        subject=referral.person,
        summary=f"Referred on to {referral_selectors.service_name(service_id)}",
        request=request,
    )
    notify(
        "A new social prescribing referral",
        f"A link worker has referred someone to {referral_selectors.service_name(service_id)}. "
        f"Please accept or decline by {onward.answer_due:%d %B %Y}.",
        referral_selectors.service_contact_emails(service_id),
    )
    return onward


def _tell_link_worker(onward: OnwardReferral, what: str) -> None:
    worker = onward.referral.link_worker
    if worker is not None:
        notify(
            "An onward referral was answered",
            f"Your referral to {referral_selectors.service_name(onward.service_id)} was {what}.",
            [worker.email],
        )


@transaction.atomic
def answer_onward(
    *,
    actor: User,
    onward: OnwardReferral,
    accept: bool,
    reason: str = "",
    decline_reason: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> OnwardReferral:
    if not referral_selectors.acts_for_service(actor, onward.service_id):
        raise ConnectError("service", "You do not act for this service")
    if onward.status != OnwardReferral.Status.SENT:
        raise ConnectError("decision", "This referral has already been answered or withdrawn")
    if not accept:
        if decline_reason not in OnwardReferral.DeclineReason.values:
            raise ConnectError("decline_reason", "Choose why the service cannot take this referral")
        if decline_reason == OnwardReferral.DeclineReason.OTHER and not reason.strip():
            raise ConnectError("reason", "Enter why the service cannot take this referral")
    onward.status = OnwardReferral.Status.ACCEPTED if accept else OnwardReferral.Status.DECLINED
    onward.answered_on = today or _today()
    onward.answer_reason = reason.strip()
    onward.decline_reason = "" if accept else decline_reason
    onward.save()
    record_audit(
        actor=actor,
        action="connect.onward.answer",
        target=onward,
        subject=onward.referral.person,
        summary=onward.get_status_display(),
        request=request,
    )
    _tell_link_worker(onward, "accepted" if accept else "declined")
    return onward


@transaction.atomic
def mark_attended(
    *, actor: User, onward: OnwardReferral, request: HttpRequest | None = None
) -> OnwardReferral:
    if onward.status != OnwardReferral.Status.ACCEPTED:
        raise ConnectError("status", "Only an accepted referral can be marked attended")
    onward.status = OnwardReferral.Status.ATTENDED
    onward.save()
    record_audit(
        actor=actor,
        action="connect.onward.attended",
        target=onward,
        subject=onward.referral.person,
        summary="Attended",
        request=request,
    )
    return onward


@transaction.atomic
def withdraw_onward(
    *, person: User, onward: OnwardReferral, request: HttpRequest | None = None
) -> OnwardReferral:
    if onward.referral.person_id != person.pk:
        raise ConnectError("referral", "You can only withdraw your own referrals")
    if onward.status not in (OnwardReferral.Status.SENT, OnwardReferral.Status.ACCEPTED):
        raise ConnectError("referral", "This referral has already ended")
    onward.status = OnwardReferral.Status.WITHDRAWN
    onward.save()
    record_audit(
        actor=person,
        action="connect.onward.withdraw",
        target=onward,
        subject=person,
        summary="Withdrawn by the person",
        request=request,
    )
    _tell_link_worker(onward, "withdrawn by the person")
    return onward


def decline_overdue(today: dt.date | None = None) -> int:
    """Run daily: decline every onward referral left unanswered past its due day, and tell the link
    worker. Returns how many were declined."""
    day = today or _today()
    count = 0
    pending = OnwardReferral.objects.filter(status=OnwardReferral.Status.SENT, answer_due__lt=day)
    for onward in pending.select_related("referral__link_worker"):
        if not is_overdue(onward.sent_on, day):
            continue
        with transaction.atomic():
            onward.status = OnwardReferral.Status.AUTO_DECLINED
            onward.answered_on = day
            onward.answer_reason = "No answer from the service in time"
            onward.save()
            record_audit(
                actor=None,
                action="connect.onward.auto_decline",
                target=onward,
                subject=onward.referral.person,
                summary="Declined automatically: no answer in time",
            )
            _tell_link_worker(
                onward, "declined automatically because the service did not answer in time"
            )
        count += 1
    return count
