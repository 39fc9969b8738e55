"""Writes for Shared Lives, one function per use case: each transactional and audited, each refusal a
:class:`SharedLivesRefused` naming the field (and, where there are several, each problem) for the
view to show as a GOV.UK error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from rules.money import format_money
from rules.sharedlives import matching
from rules.sharedlives.costs import costs_on
from sharedlives import access, selectors
from sharedlives.models import Carer, CarerCheck, HouseholdAdult, Match, MatchEvent, Offer, Referral
from wellbeing_hub.form_attempts import Refused

TEXT_MAX = 2000
CARER_FIELDS = (
    "name",
    "household",
    "neighbourhood",
    "skills",
    "interests",
    "faith",
    "languages",
    "step_free",
    "pets",
    "smoking",
    "offers_long_term",
    "offers_short_breaks",
    "offers_day_support",
    "places",
)
REFERRAL_FIELDS = (
    "offer",
    "about",
    "needs_step_free",
    "needs_smoke_free",
    "allergic_to_pets",
    "neighbourhoods",
    "faith",
    "faith_matters",
    "languages",
    "interests",
)


class SharedLivesRefused(Refused):
    """A change the rules do not allow. ``field`` is the form field to show it on; ``problems``
    lists each reason when there are several (every missing check, every exclusion)."""


def _today() -> dt.date:
    return timezone.localdate()


def _require_worker(actor: User) -> None:
    if not access.is_scheme_worker(actor):
        raise SharedLivesRefused("Only a Shared Lives scheme worker can do this", None)


def _audit(
    actor: User | None,
    action: str,
    target: Any,
    subject: User | None,
    summary: str,
    request: HttpRequest | None,
) -> None:
    record_audit(
        actor=actor,
        action=action,
        target=target,
        subject=subject,
        summary=f"Shared Lives: {summary}"[:300],
        request=request,
    )


def _text(value: str, field: str, label: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise SharedLivesRefused(f"Enter {label}", field)
    if len(value) > TEXT_MAX:
        raise SharedLivesRefused(
            f"{label[0].upper()}{label[1:]} must be {TEXT_MAX} characters or fewer", field
        )
    return value


# --- carers --------------------------------------------------------------------------------------


@transaction.atomic
def add_carer(
    *,
    actor: User,
    user: User,
    name: str,
    adults: Sequence[str] = (),
    today: dt.date | None = None,
    request: HttpRequest | None = None,
    **facts: Any,
) -> Carer:
    """Start assessing a carer household; ``adults`` are the names of the adults who live there."""
    _require_worker(actor)
    if Carer.objects.filter(user=user).exists():
        raise SharedLivesRefused("This account already belongs to a carer household", "user")
    carer = Carer(user=user, name=_text(name, "name", "the household's name", required=True))
    carer.created_on = today or _today()
    _apply_carer_facts(carer, facts)
    carer.save()
    for adult in adults:
        if adult.strip():
            HouseholdAdult.objects.create(carer=carer, name=adult.strip()[:200])
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        carer,
        user,
        "carer household added for assessment",
        request,
    )
    return carer


def _apply_carer_facts(carer: Carer, facts: dict[str, Any]) -> None:
    unknown = set(facts) - set(CARER_FIELDS)
    if unknown:
        raise TypeError(f"Not carer facts: {sorted(unknown)}")
    for key, value in facts.items():
        if isinstance(value, str):
            value = _text(value, key, key.replace("_", " "))
        setattr(carer, key, value)
    if carer.places is None or int(carer.places) < 1:
        raise SharedLivesRefused(
            "Enter how many people the household can support, 1 or more", "places"
        )


@transaction.atomic
def update_carer(
    *, actor: User, carer: Carer, request: HttpRequest | None = None, **facts: Any
) -> Carer:
    _require_worker(actor)
    if "name" in facts:
        facts["name"] = _text(facts["name"], "name", "the household's name", required=True)
    _apply_carer_facts(carer, facts)
    carer.save()
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        carer,
        carer.user,
        "carer household details changed",
        request,
    )
    return carer


@transaction.atomic
def add_adult(
    *, actor: User, carer: Carer, name: str, request: HttpRequest | None = None
) -> HouseholdAdult:
    _require_worker(actor)
    adult = HouseholdAdult.objects.create(
        carer=carer, name=_text(name, "name", "the adult's name", required=True)[:200]
    )
    _audit(
        actor, AuditEvent.Action.UPDATE, carer, carer.user, "adult added to the household", request
    )
    return adult


@transaction.atomic
def record_check(
    *,
    actor: User,
    carer: Carer,
    kind: str,
    checked_on: dt.date,
    expires_on: dt.date | None = None,
    adult: HouseholdAdult | None = None,
    note: str = "",
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> CarerCheck:
    _require_worker(actor)
    if kind not in CarerCheck.Kind.values:
        raise SharedLivesRefused("Choose which check this is", "kind")
    if checked_on > (today or _today()):
        raise SharedLivesRefused("The date of the check cannot be in the future", "checked_on")
    if expires_on is not None and expires_on < checked_on:
        raise SharedLivesRefused(
            "The expiry date must be on or after the date of the check", "expires_on"
        )
    if kind == CarerCheck.Kind.DBS_ENHANCED:
        if adult is None or adult.carer_id != carer.pk:
            raise SharedLivesRefused(
                "Choose the adult in this household the DBS check is for", "adult"
            )
        if expires_on is None:
            raise SharedLivesRefused("Enter when the DBS check must be renewed", "expires_on")
    elif adult is not None:
        adult = None  # only a DBS check is about one adult
    if kind == CarerCheck.Kind.HOME_SAFETY and expires_on is None:
        raise SharedLivesRefused("Enter when the home safety check is due again", "expires_on")
    check = CarerCheck.objects.create(
        carer=carer,
        kind=kind,
        adult=adult,
        checked_on=checked_on,
        expires_on=expires_on,
        note=_text(note, "note", "the note")[:300],
        recorded_by=actor,
    )
    who = f" for {adult.name}" if adult else ""
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        carer,
        carer.user,
        f"{check.get_kind_display()}{who} recorded",
        request,
    )
    return check


@transaction.atomic
def approve_carer(
    *, actor: User, carer: Carer, on: dt.date | None = None, request: HttpRequest | None = None
) -> Carer:
    """Approve the household from ``on``; refused, naming each gap, while any check is missing or
    out of date on that day."""
    _require_worker(actor)
    day = on or _today()
    if carer.status == Carer.Status.APPROVED:
        raise SharedLivesRefused("This household is already approved", None)
    problems = [gap.reason for gap in selectors.approval_gaps(carer, day)]
    if problems:
        raise SharedLivesRefused(
            "The household cannot be approved until every check is in date", "checks", problems
        )
    carer.status = Carer.Status.APPROVED
    carer.approved_on = day
    carer.approved_by = actor
    carer.save()
    _audit(actor, AuditEvent.Action.UPDATE, carer, carer.user, "carer household approved", request)
    return carer


@transaction.atomic
def withdraw_carer(
    *, actor: User, carer: Carer, reason: str, request: HttpRequest | None = None
) -> Carer:
    _require_worker(actor)
    reason = _text(reason, "reason", "why the household is no longer caring", required=True)
    if carer.matches.filter(stage=Match.Stage.PLACED).exists():
        raise SharedLivesRefused("End the household's placements first", "reason")
    carer.status = Carer.Status.WITHDRAWN
    carer.save()
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        carer,
        carer.user,
        f"no longer a carer. Reason: {reason}",
        request,
    )
    return carer


# --- referrals -----------------------------------------------------------------------------------


def _apply_referral_answers(referral: Referral, answers: dict[str, Any]) -> None:
    unknown = set(answers) - set(REFERRAL_FIELDS)
    if unknown:
        raise TypeError(f"Not referral answers: {sorted(unknown)}")
    for key, value in answers.items():
        if isinstance(value, str):
            value = _text(value, key, key.replace("_", " "))
        setattr(referral, key, value)
    if referral.offer and referral.offer not in Offer.values:
        raise SharedLivesRefused("Choose a long-term home, short breaks or day support", "offer")


@transaction.atomic
def make_referral(
    *,
    actor: User,
    person: User,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
    **answers: Any,
) -> Referral:
    """Record a person who needs a placement. Answers may be incomplete: matching waits for them."""
    _require_worker(actor)
    referral = Referral(person=person, worker=actor, received_on=today or _today())
    _apply_referral_answers(referral, answers)
    referral.save()
    _audit(actor, AuditEvent.Action.CREATE, referral, person, "referral made", request)
    return referral


@transaction.atomic
def update_referral(
    *, actor: User, referral: Referral, request: HttpRequest | None = None, **answers: Any
) -> Referral:
    _require_worker(actor)
    _apply_referral_answers(referral, answers)
    referral.save()
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        referral,
        referral.person,
        "referral details changed",
        request,
    )
    return referral


@transaction.atomic
def close_referral(
    *,
    actor: User,
    referral: Referral,
    reason: str,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    _require_worker(actor)
    reason = _text(reason, "reason", "why the referral is closing", required=True)
    if referral.matches.exclude(stage=Match.Stage.ENDED).exists():
        raise SharedLivesRefused("End the referral's open matches first", "reason")
    referral.status = Referral.Status.CLOSED
    referral.closed_on = on or _today()
    referral.close_reason = reason
    referral.save()
    _audit(actor, AuditEvent.Action.UPDATE, referral, referral.person, "referral closed", request)
    return referral


# --- matches -------------------------------------------------------------------------------------


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
    _require_worker(actor)
    day = on or _today()
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
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        match,
        referral.person,
        f"match with {carer.name} proposed",
        request,
    )
    return match


def _still_suitable(match: Match, day: dt.date, field: str) -> None:
    """Refuse, naming each reason, when the household could not be matched with this person on
    ``day`` (approval or a check lapsed since the match was proposed, the home or the referral
    changed, or the last place was taken)."""
    needs = selectors.needs_of(match.referral)
    if needs is None:
        raise SharedLivesRefused(
            "Complete the referral first", field, selectors.referral_missing(match.referral)
        )
    reasons = matching.exclusions(selectors.carer_facts(match.carer), needs, day)
    if reasons:
        raise SharedLivesRefused(
            f"{match.carer.name} cannot be matched with this person on that day", field, reasons
        )


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
    day = on or _today()
    if match.stage != Match.Stage.PROPOSED:
        raise SharedLivesRefused(
            "This match has already been answered by both sides or has ended", "agree"
        )
    if not agree:
        return _end(
            actor=actor,
            match=match,
            side=side,
            reason=_text(reason, "reason", "the reason") or "Said no before an introduction",
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
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        match,
        match.referral.person,
        f"{who} agreed to meet{by}",
        request,
    )
    return match


@transaction.atomic
def record_event(
    *,
    actor: User,
    match: Match,
    kind: str,
    on: dt.date,
    until: dt.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> MatchEvent:
    """Log an introduction, a visit or a trial stay. Nobody is introduced until both sides have
    said yes; visits and trial stays come after the introduction."""
    _require_worker(actor)
    if kind not in MatchEvent.Kind.values:
        raise SharedLivesRefused("Choose an introduction, a visit or a trial stay", "kind")
    if match.stage == Match.Stage.ENDED:
        raise SharedLivesRefused("This match has ended", "kind")
    if match.person_agreed_on is None or match.carer_agreed_on is None:
        waiting = [
            side
            for side, agreed in (
                ("the person", match.person_agreed_on),
                ("the carer", match.carer_agreed_on),
            )
            if agreed is None
        ]
        raise SharedLivesRefused(
            f"Both sides must agree before an introduction: waiting for {' and '.join(waiting)}",
            "kind",
        )
    if (
        kind != MatchEvent.Kind.INTRODUCTION
        and not match.events.filter(kind=MatchEvent.Kind.INTRODUCTION).exists()
    ):
        raise SharedLivesRefused("Record the introduction first", "kind")
    agreed = max(match.person_agreed_on, match.carer_agreed_on)
    if on < agreed:
        raise SharedLivesRefused("The date must be on or after the day both sides agreed", "on")
    _still_suitable(match, on, "on")
    if kind == MatchEvent.Kind.TRIAL_STAY and until is None:
        raise SharedLivesRefused("Enter the last day of the trial stay", "until")
    if until is not None and until < on:
        raise SharedLivesRefused("The last day must be on or after the first day", "until")
    event = MatchEvent.objects.create(
        match=match,
        kind=kind,
        on=on,
        until=until,
        note=_text(note, "note", "the note"),
        recorded_by=actor,
    )
    if kind == MatchEvent.Kind.INTRODUCTION and match.stage == Match.Stage.AGREED:
        match.stage = Match.Stage.INTRODUCED
        match.save()
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        match,
        match.referral.person,
        f"{event.get_kind_display()} recorded",
        request,
    )
    return event


def _money(value: Decimal | str | None, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise SharedLivesRefused("Enter an amount in pounds, like 645.00", field) from error
    if amount < 0:
        raise SharedLivesRefused("The amount cannot be less than £0.00", field)
    return amount


@transaction.atomic
def start_placement(
    *,
    actor: User,
    match: Match,
    started_on: dt.date,
    weekly_cost: Decimal | str | None = None,
    alternative_weekly_cost: Decimal | str | None = None,
    request: HttpRequest | None = None,
) -> Match:
    """The person moves in or starts their breaks or days. The weekly costs are the area's, if
    entered, otherwise the parameter file's on the first day."""
    _require_worker(actor)
    if match.stage != Match.Stage.INTRODUCED:
        raise SharedLivesRefused(
            "A placement starts after both sides agree and have been introduced", "started_on"
        )
    first = match.events.order_by("on").first()
    if first is not None and started_on < first.on:
        raise SharedLivesRefused("The placement cannot start before the introduction", "started_on")
    _still_suitable(match, started_on, "started_on")
    defaults = costs_on(started_on)
    weekly = _money(weekly_cost, "weekly_cost")
    alternative = _money(alternative_weekly_cost, "alternative_weekly_cost")
    match.weekly_cost = defaults.weekly_cost if weekly is None else weekly
    match.alternative_weekly_cost = (
        defaults.alternative_weekly_cost if alternative is None else alternative
    )
    match.started_on = started_on
    match.stage = Match.Stage.PLACED
    match.save()
    Referral.objects.filter(pk=match.referral_id).update(status=Referral.Status.PLACED)
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        match,
        match.referral.person,
        f"placement started at {format_money(match.weekly_cost)} a week",
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
    _audit(
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
    reason = _text(reason, "reason", "why the match is ending", required=True)
    day = on or _today()
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
