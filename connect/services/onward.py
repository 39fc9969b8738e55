"""Onward referrals to community services: sent by the link worker, answered or marked attended by
the service, withdrawn by the person, declined automatically when unanswered."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from connect.models import OnwardReferral, Referral, ServiceReferralTerms
from connect.permissions import acts_for_service, may_manage_referral, may_record_attendance
from connect.services._common import ConnectError, local_today
from directory import referral_selectors
from rules.connect.parameters import answer_due, is_overdue
from wellbeing_hub.notifications import notify, site_url


@transaction.atomic
def refer_onward(
    *,
    actor: User,
    referral: Referral,
    service_id: str,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> OnwardReferral:
    if not may_manage_referral(actor, referral):
        raise ConnectError("service", "Only a link worker can refer the person onward")
    if not referral.consent_onward:
        raise ConnectError("service", "Record the person's consent to onward referral first")
    if referral_selectors.referrable_service(service_id) is None:
        raise ConnectError("service", "Choose a service that is listed in the directory")
    terms = ServiceReferralTerms.objects.filter(service_id=service_id).first()
    if terms is not None and not terms.takes_referrals:
        raise ConnectError("service", "This service is not taking referrals; choose another")
    day = today or local_today()
    onward = OnwardReferral.objects.create(
        referral=referral, service_id=service_id, sent_on=day, answer_due=answer_due(day)
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=onward,
        subject=referral.person,
        summary=f"Referred on to {referral_selectors.service_name(service_id)}",
        request=request,
    )
    notify(
        "A new social prescribing referral",
        f"A link worker has referred someone to {referral_selectors.service_name(service_id)}. "
        f"Please accept or decline by {onward.answer_due:%d %B %Y}, or it is declined "
        f"automatically: {site_url(reverse('connect:provider_inbox'))}",
        referral_selectors.service_contact_emails(service_id),
        kind="referrals",
    )
    return onward


def _tell_link_worker(onward: OnwardReferral, what: str) -> None:
    worker = onward.referral.link_worker
    if worker is not None:
        link = site_url(reverse("connect:referral", args=[onward.referral_id]))
        ended = onward.status != OnwardReferral.Status.ACCEPTED
        notify(
            "An onward referral was answered",
            f"Your referral to {referral_selectors.service_name(onward.service_id)} was {what}. "
            + ("The person may need another option: " if ended else "See the referral: ")
            + link,
            [worker.email],
            kind="referrals",
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
    if not acts_for_service(actor, onward.service_id):
        raise ConnectError("service", "You do not act for this service")
    if onward.status != OnwardReferral.Status.SENT:
        raise ConnectError("decision", "This referral has already been answered or withdrawn")
    if not accept:
        if decline_reason not in OnwardReferral.DeclineReason.values:
            raise ConnectError("decline_reason", "Choose why the service cannot take this referral")
        if decline_reason == OnwardReferral.DeclineReason.OTHER and not reason.strip():
            raise ConnectError("reason", "Enter why the service cannot take this referral")
    onward.status = OnwardReferral.Status.ACCEPTED if accept else OnwardReferral.Status.DECLINED
    onward.answered_on = today or local_today()
    onward.answer_reason = reason.strip()
    onward.decline_reason = "" if accept else decline_reason
    onward.save()
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=onward,
        subject=onward.referral.person,
        summary=onward.get_status_display(),
        request=request,
    )
    _tell_link_worker(onward, "accepted" if accept else "declined")
    return onward


@transaction.atomic
def mark_attended(
    *,
    actor: User,
    onward: OnwardReferral,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> OnwardReferral:
    if not may_record_attendance(actor, onward):
        raise ConnectError("onward", "Only the link worker or the service can record attendance")
    if onward.status != OnwardReferral.Status.ACCEPTED:
        raise ConnectError("onward", "Only an accepted referral can be marked attended")
    day = on or local_today()
    if onward.answered_on and day < onward.answered_on:
        raise ConnectError("onward", "The person cannot attend before the service accepted them")
    onward.status = OnwardReferral.Status.ATTENDED
    onward.attended_on = day
    onward.save()
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
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
        action=AuditEvent.Action.UPDATE,
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
    day = today or local_today()
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
                action=AuditEvent.Action.UPDATE,
                target=onward,
                subject=onward.referral.person,
                summary="Declined automatically: no answer in time",
            )
            _tell_link_worker(
                onward, "declined automatically because the service did not answer in time"
            )
        count += 1
    return count
