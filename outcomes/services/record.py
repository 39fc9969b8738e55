"""The record's settings: whether the person's answers count in reports, a family-led plan and who
holds the pen, and the reporting groups the team sets."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from outcomes import access
from outcomes.models import (
    Helper,
    Profile,
)
from outcomes.services._common import (
    OutcomesRefused,
    _audit,
    profile_for,
)


@transaction.atomic
def set_consent(
    *, person: User, actor: User, counts: bool, request: HttpRequest | None = None
) -> Profile:
    access.require(access.can_set_consent(actor, person.pk), "Only the person can choose this.")
    profile = profile_for(person)
    profile.counts_in_aggregates = counts
    profile.consent_changed_at = timezone.now()
    profile.save(update_fields=["counts_in_aggregates", "consent_changed_at"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        profile,
        person,
        "Answers count in reports" if counts else "Answers do not count in reports",
        request,
    )
    return profile


def pen_holder_writing(profile: Profile, actor: User) -> str:
    """Who a goal in a family-led plan is written by. The pen holder's name when they write it on
    their own account, when it is written on the person's (the family sitting with them), or when
    the pen holder has no account here; anyone else (a broker, another helper) is named as
    themselves, writing for the family."""
    holder = profile.pen_holder_account_id
    if actor.pk == holder or actor.pk == profile.person_id or holder is None:
        return profile.pen_holder
    return f"{actor.get_full_name()}, for {profile.pen_holder}"


@transaction.atomic
def set_family_led(
    *,
    person: User,
    actor: User,
    family_led: bool,
    pen_holder: str,
    pen_holder_account_id: int | None = None,
    request: HttpRequest | None = None,
) -> Profile:
    """A family-led plan: a family member holds the pen. They write on their own account when the
    person has let them help (chosen from the person's helpers), or are named when they have no
    account here and write with the person or their broker."""
    access.require(access.can_open(actor, person.pk), "You cannot change this record.")
    account = None
    if family_led and pen_holder_account_id is not None:
        grant = (
            Helper.objects.filter(
                person=person, helper_id=pen_holder_account_id, revoked_at__isnull=True
            )
            .select_related("helper")
            .first()
        )
        if grant is None:
            raise OutcomesRefused(
                "Choose someone the person lets help with their record, or someone without an "
                "account here",
                field="pen_holder_account",
            )
        account = grant.helper
        if not pen_holder.strip():
            pen_holder = account.get_full_name()
    if family_led and not pen_holder.strip():
        raise OutcomesRefused("Say which family member holds the pen", field="pen_holder")
    profile = profile_for(person)
    profile.family_led = family_led
    profile.pen_holder = " ".join(pen_holder.split()) if family_led else ""
    profile.pen_holder_account = account
    profile.save(update_fields=["family_led", "pen_holder", "pen_holder_account"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        profile,
        person,
        f"Family-led plan: {profile.pen_holder} holds the pen"
        if family_led
        else "Plan led by the person",
        request,
    )
    return profile


@transaction.atomic
def set_groups(
    *,
    person: User,
    actor: User,
    service: str,
    programme: str,
    neighbourhood: Any,
    request: HttpRequest | None = None,
) -> Profile:
    access.require(
        access.can_start_follow_up(actor, person.pk)
        or access.practitioner_reaches(actor, person.pk),
        "Only the team can set this.",
    )
    profile = profile_for(person)
    profile.service, profile.programme, profile.neighbourhood = (
        service.strip(),
        programme.strip(),
        neighbourhood,
    )
    profile.save(update_fields=["service", "programme", "neighbourhood"])
    _audit(actor, AuditEvent.Action.UPDATE, profile, person, "Set reporting groups", request)
    return profile
