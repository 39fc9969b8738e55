"""Making a referral (by a GP practice, a hospital, a link worker or the person themselves) and
moving it on through contact, the "what matters" conversation, connection and closing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from connect.models import Referral, ReferringOrganisation
from connect.permissions import can_refer_for, is_link_worker, may_manage_referral
from connect.services._common import ConnectError, local_today
from connect.services.consent import record_consent
from connect.services.invitations import INVITATION_DAYS, find_or_invite_person
from wellbeing_hub.notifications import notify, site_url


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
    if organisation is not None and source not in (
        Referral.Source.GP_PRACTICE,
        Referral.Source.HOSPITAL,
    ):
        organisation = None
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
        received_on=today or local_today(),
        link_worker=actor if source == Referral.Source.LINK_WORKER else None,
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=referral,
        subject=person,
        summary="Social prescribing referral made",
        request=request,
    )
    return referral


_STATUS_DATE: dict[str, str] = {
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
    if not may_manage_referral(actor, referral):
        raise ConnectError("status", "Only a link worker can change a referral's status")
    if status not in _STATUS_DATE:
        raise ConnectError(
            "status", "Choose contacted, first conversation, connected, declined or closed"
        )
    if referral.status in (Referral.Status.CLOSED, Referral.Status.DECLINED):
        raise ConnectError("status", "This referral is already closed")
    day = on or local_today()
    if day < referral.received_on:
        raise ConnectError("on", "The date must be on or after the day the referral was received")
    if referral.link_worker_id is None:
        referral.link_worker = actor
    setattr(referral, _STATUS_DATE[status], day)
    referral.status = status
    referral.save()
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=referral,
        subject=referral.person,
        summary=f"Status set to {referral.get_status_display()}",
        request=request,
    )
    return referral


@transaction.atomic
def refer(
    *,
    actor: User,
    source: str,
    reason: str,
    what_matters: str,
    consent: dict[str, bool],
    consent_on: dt.date | None,
    organisation: ReferringOrganisation | None = None,
    name: str = "",
    email: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """A referral from a form: the person (yourself for a self-referral, otherwise found or
    invited by email), the referral and the consent the person gave, with its date."""
    day = today or local_today()
    if consent_on is not None and consent_on > day:
        raise ConnectError("consent_on", "The date consent was given must be today or earlier")
    if any(consent.values()) and consent_on is None:
        raise ConnectError("consent_on", "Enter the date the person gave consent")
    token = None
    if source == Referral.Source.SELF:
        person = actor
    else:
        if not reason.strip():
            raise ConnectError("reason", "Enter the reason for the referral")
        person, token = find_or_invite_person(actor=actor, name=name, email=email, request=request)
        if person.pk == actor.pk:
            raise ConnectError("email", "To refer yourself, use the self-referral page")
    referral = make_referral(
        actor=actor,
        person=person,
        source=source,
        reason=reason,
        what_matters=what_matters,
        organisation=organisation,
        today=day,
        request=request,
    )
    if consent_on is not None:
        record_consent(
            actor=actor,
            referral=referral,
            share_back=consent.get("share_back", False),
            onward=consent.get("onward", False),
            outcomes=consent.get("outcomes", False),
            on=consent_on,
            request=request,
        )
    who = (
        referral.referring_organisation.name
        if referral.referring_organisation
        else "A social prescribing link worker"
        if source == Referral.Source.LINK_WORKER
        else ""
    )
    if token is not None:
        notify(
            "You have been referred to a social prescribing link worker",
            f"{who} has referred you to a link worker, who will contact you to talk about what "
            "matters to you.\n\nTo see your referral online, set a password here (the link works "
            f"once, for {INVITATION_DAYS} days):\n"
            f"{site_url(reverse('connect:welcome', args=[token]))}",
            [person.email],
            kind="account_security",
        )
    elif source != Referral.Source.SELF:
        notify(
            "You have been referred to a social prescribing link worker",
            f"{who} has referred you to a link worker, who will contact you. You can see the "
            f"referral when you sign in: {site_url(reverse('connect:mine'))}",
            [person.email],
        )
    return referral
