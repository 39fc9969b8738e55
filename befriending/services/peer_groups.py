"""Peer support groups: set up (linked to a directory service), their peer lead, joining and leaving."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from befriending import selectors
from befriending.models import (
    Membership,
    PeerGroup,
    Volunteer,
)
from befriending.services._common import (
    BefriendingRefused,
    checked_text,
    or_today,
    require_coordinator,
)
from directory import selectors as directory_selectors


def _check_lead(volunteer: Volunteer | None, today: dt.date) -> None:
    if volunteer is None:
        return
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise BefriendingRefused(f"{volunteer.name} is no longer volunteering", "lead")
    gaps = selectors.peer_lead_gaps(volunteer, today)
    if gaps:
        raise BefriendingRefused(
            f"{volunteer.name} cannot lead a group until their checks are complete: "
            + " ".join(gaps),
            "lead",
        )


@transaction.atomic
def create_group(
    *,
    actor: User,
    name: str,
    service_id: str,
    about: str = "",
    lead: Volunteer | None = None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> PeerGroup:
    """A peer support group linked to a public directory service (where and when it meets)."""
    require_coordinator(actor, "set up peer groups")
    today = or_today(today)
    service_id = (service_id or "").strip()
    if not service_id or directory_selectors.service_for_page(service_id) is None:
        raise BefriendingRefused("Choose a service that is listed in the directory", "service_id")
    _check_lead(lead, today)
    group = PeerGroup.objects.create(
        name=checked_text(name, "name", "the group's name", required=True, limit=200),
        service_id=service_id,
        about=checked_text(about, "about", "what the group is about"),
        lead=lead,
        created_on=today,
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=group,
        summary=f"Befriending: peer group {group.name} set up",
        request=request,
    )
    return group


@transaction.atomic
def set_lead(
    *,
    actor: User,
    group: PeerGroup,
    lead: Volunteer | None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> PeerGroup:
    require_coordinator(actor, "choose a group's peer lead")
    _check_lead(lead, or_today(today))
    group.lead = lead
    group.save(update_fields=["lead"])
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=group,
        subject=lead.user if lead else None,
        summary=f"Befriending: peer lead of {group.name} "
        + (f"is {lead.name}" if lead else "removed"),
        request=request,
    )
    return group


@transaction.atomic
def join_group(
    *,
    person: User,
    group: PeerGroup,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    if selectors.membership_of(person, group) is not None:
        raise BefriendingRefused("You are already a member of this group")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                group=group, person=person, joined_on=or_today(today)
            )
    except IntegrityError as err:
        raise BefriendingRefused("You are already a member of this group") from err
    record_audit(
        actor=person,
        action=AuditEvent.Action.CREATE,
        target=membership,
        subject=person,
        summary=f"Befriending: joined {group.name}",
        request=request,
    )
    return membership


@transaction.atomic
def leave_group(
    *,
    person: User,
    group: PeerGroup,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    membership = selectors.membership_of(person, group)
    if membership is None:
        raise BefriendingRefused("You are not a member of this group")
    membership.left_on = or_today(today)
    membership.save(update_fields=["left_on"])
    record_audit(
        actor=person,
        action=AuditEvent.Action.UPDATE,
        target=membership,
        subject=person,
        summary=f"Befriending: left {group.name}",
        request=request,
    )
    return membership
