"""Matches: the worker proposes a carer from the shortlist, each side says yes or no, and either
side (or the worker) ends a match, placed or not, with a reason."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from rules.sharedlives import matching
from sharedlives import access, selectors
from sharedlives.models import Carer, Match, Referral
from sharedlives.services._common import (
    SharedLivesRefused,
    audit,
    checked_text,
    local_today,
    require_worker,
)


@transaction.atomic
def propose_match(
    *,
    actor: User,
    referral: Referral,
    carer: Carer,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Match:
    """The worker picks a carer from the shortlist: both sides are then asked. Refused while the
    referral is incomplete or the carer is excluded (each reason named)."""
    require_worker(actor)
    day = on or local_today()
    if referral.status != Referral.Status.OPEN:
        raise SharedLivesRefused("This referral is not looking for a match", "carer")
    missing = selectors.referral_missing(referral)
    if missing:
        raise SharedLivesRefused("Complete the referral before matching", "referral", missing)
    needs = selectors.needs_of(referral)
    assert needs is not None  # complete, checked above
    reasons = matching.exclusions(selectors.carer_facts(carer), needs, day)
    if reasons:
        raise SharedLivesRefused(
            f"{carer.name} cannot be matched with this person", "carer", reasons
        )
    if referral.matches.filter(carer=carer).exclude(stage=Match.Stage.ENDED).exists():
        raise SharedLivesRefused("This household is already being asked about this person", "carer")
    match = Match.objects.create(referral=referral, carer=carer, proposed_on=day)
    audit(
        actor,
        AuditEvent.Action.CREATE,
        match,
        referral.person,
        f"match with {carer.name} proposed",
        request,
    )
    return match


def _check_side(actor: User, match: Match, side: str) -> None:
    if side not in (Match.Side.PERSON, Match.Side.CARER):
        raise SharedLivesRefused("Choose whose answer this is", "side")
    if not access.may_answer_for(actor, match, side):
        raise SharedLivesRefused("You can only answer for yourself", "side")


@transaction.atomic
def answer(
    *,
    actor: User,
    match: Match,
    side: str,
    agree: bool,
    reason: str = "",
    new_match_wanted: bool = True,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Match:
    """The person or the carer says yes or no to meeting. No ends the match (a reason is welcome,
    not required, before anyone has met); the referral keeps looking unless the person says not."""
    _check_side(actor, match, side)
    day = on or local_today()
    if match.stage != Match.Stage.PROPOSED:
        raise SharedLivesRefused(
            "This match has already been answered by both sides or has ended", "agree"
        )
    if not agree:
        return _end(
            actor=actor,
            match=match,
            side=side,
            reason=checked_text(reason, "reason", "the reason") or "Said no before an introduction",
            new_match_wanted=new_match_wanted,
            day=day,
            request=request,
        )
    if side == Match.Side.PERSON:
        match.person_agreed_on = day
    else:
        match.carer_agreed_on = day
    if match.person_agreed_on and match.carer_agreed_on:
        match.stage = Match.Stage.AGREED
    match.save()
    who = "the person" if side == Match.Side.PERSON else "the carer"
    by = (
        ""
        if actor.pk in (match.referral.person_id, match.carer.user_id)
        else " (recorded by the scheme worker)"
    )
    audit(
        actor,
        AuditEvent.Action.UPDATE,
        match,
        match.referral.person,
        f"{who} agreed to meet{by}",
        request,
    )
    return match


def _end(
    *,
    actor: User,
    match: Match,
    side: str,
    reason: str,
    new_match_wanted: bool,
    day: dt.date,
    request: HttpRequest | None,
) -> Match:
    placed = match.stage == Match.Stage.PLACED
    match.stage = Match.Stage.ENDED
    match.ended_on = day
    match.ended_by = side
    match.end_reason = reason
    match.new_match_wanted = new_match_wanted
    match.save()
    referral = match.referral
    # The carer ending it never ends the person's need: their referral looks again. The person
    # (or the worker) ending it without asking for a new match closes a placed referral.
    if new_match_wanted or side == Match.Side.CARER:
        referral.status = Referral.Status.OPEN
        referral.save(update_fields=["status"])
    elif placed:
        referral.status = Referral.Status.CLOSED
        referral.closed_on = day
        referral.close_reason = reason
        referral.save(update_fields=["status", "closed_on", "close_reason"])
    who = dict(Match.Side.choices)[side]
    wanted = " A new match was asked for." if new_match_wanted else ""
    audit(
        actor,
        AuditEvent.Action.UPDATE,
        match,
        referral.person,
        f"match ended by {who.lower()}. Reason: {reason}.{wanted}",
        request,
    )
    return match


@transaction.atomic
def end_match(
    *,
    actor: User,
    match: Match,
    side: str,
    reason: str,
    new_match_wanted: bool = False,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Match:
    """Either side (or the worker) ends a match at any time, with a reason, and may ask for a new
    match. When the person (or the worker) asks for one, or the carer ends it, the person's
    referral looks again; the carer's wish for someone new is kept on the match."""
    if side not in Match.Side.values or not access.may_answer_for(actor, match, side):
        raise SharedLivesRefused("You can only end a match for yourself", "side")
    if match.stage == Match.Stage.ENDED:
        raise SharedLivesRefused("This match has already ended", "reason")
    reason = checked_text(reason, "reason", "why the match is ending", required=True)
    day = on or local_today()
    if day < match.proposed_on:
        raise SharedLivesRefused("The end date cannot be before the match was proposed", "on")
    return _end(
        actor=actor,
        match=match,
        side=side,
        reason=reason,
        new_match_wanted=new_match_wanted,
        day=day,
        request=request,
    )
