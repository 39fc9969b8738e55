"""Setting up and running a PB round: create it, split its pot between neighbourhoods, change its
settings (some fixed once voting opens) and move it from phase to phase."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.text import slugify

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from participation import ballot_seal
from participation.models import (
    PHASE_ORDER,
    BallotLinkKey,
    DistrictPot,
    Phase,
    Project,
    Round,
    VoteType,
)
from participation.permissions import (
    may_change_round_settings,
)
from participation.services._common import (
    ParticipationError,
    _money,
    _pence,
    _require_staff,
)
from participation.services.results import (
    _close_voting,
    _publish_results,
)

if TYPE_CHECKING:
    # Only a type: the neighbourhoods themselves are read through directory.selectors.
    from directory.models import Neighbourhood


@transaction.atomic
def create_round(
    *,
    by: User,
    title: str,
    description: str,
    pot: Decimal,
    dates: Mapping[str, date],
    vote_type: str = VoteType.APPROVAL,
    max_choices: int | None = None,
    max_points: int | None = None,
    rule: str = "mes",
    completion: str = "add1",
    min_age: int = 16,
    registration_rule: str = "self-declared",
    neighbourhoods: Iterable[Neighbourhood] = (),
    request: HttpRequest | None = None,
) -> Round:
    _require_staff(by)
    pot = _pence(pot, "The pot", "pot")
    if pot <= 0:
        raise ParticipationError("The pot must be more than £0.", "pot")
    order = ["ideas_open", "ideas_close", "pitches_open", "voting_open", "voting_close"]
    for earlier, later in itertools.pairwise(order):
        if dates[earlier] > dates[later]:
            raise ParticipationError(
                "The dates must be in order: ideas open, ideas close, pitches, voting opens, "
                "voting closes.",
                later,
            )
    if vote_type == VoteType.CUMULATIVE and not max_points:
        raise ParticipationError("Say how many points each person shares out.", "max_points")
    base = slugify(title)[:40] or "round"
    slug, n = base, 1
    while Round.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    round_ = Round.objects.create(
        slug=slug,
        title=title,
        description=description,
        pot=pot,
        vote_type=vote_type,
        max_choices=max_choices if vote_type == VoteType.APPROVAL else None,
        max_points=max_points if vote_type == VoteType.CUMULATIVE else None,
        rule=rule,
        completion=completion,
        min_age=min_age,
        registration_rule=registration_rule,
        created_by=by,
        **{key: dates[key] for key in order},
    )
    round_.neighbourhoods.set(list(neighbourhoods))
    record_audit(
        actor=by,
        action=AuditEvent.Action.CREATE,
        target=round_,
        summary=f"Created PB round {title} ({_money(pot)})",
        request=request,
    )
    return round_


@transaction.atomic
def set_district_pots(
    *,
    round_: Round,
    by: User,
    amounts: Mapping[Neighbourhood, Decimal],
    request: HttpRequest | None = None,
) -> None:
    """Split the pot between neighbourhoods (an empty mapping: one pot for the whole area)."""
    _require_staff(by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.phase != Phase.IDEAS:
        raise ParticipationError("The pot can only be split while ideas are being collected.")
    if round_.projects.exists() or round_.registrations.exists():
        raise ParticipationError(
            "Split the pot before the first idea or voter registration comes in, so that every "
            "idea and voter belongs to a neighbourhood with a pot."
        )
    cleaned = {hood: _pence(amount, f"The pot for {hood}") for hood, amount in amounts.items()}
    cleaned = {hood: amount for hood, amount in cleaned.items() if amount}
    if any(amount < 0 for amount in cleaned.values()):
        raise ParticipationError("A neighbourhood's pot cannot be negative.")
    total = sum(cleaned.values(), Decimal("0.00"))
    if cleaned and total != round_.pot:
        raise ParticipationError(
            f"The neighbourhood pots add up to {_money(total)} but the pot is {_money(round_.pot)}."
        )
    round_.district_pots.all().delete()
    DistrictPot.objects.bulk_create(
        DistrictPot(round=round_, neighbourhood=hood, amount=amount)
        for hood, amount in cleaned.items()
    )
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=round_,
        summary=f"Split the pot between {len(cleaned)} neighbourhoods"
        if cleaned
        else "One pot for the whole area",
        request=request,
    )


LOCKED_ONCE_VOTING: dict[str, str] = {
    "pot": "the pot",
    "vote_type": "how people vote",
    "max_choices": "the most projects one person may choose",
    "max_points": "the points each person shares out",
    "rule": "the counting rule",
    "completion": "the Equal Shares completion",
    "min_age": "the minimum age",
    "registration_rule": "who checks that voters are eligible",
    "voting_open": "the day voting opened (ages are counted on it)",
    "neighbourhoods": "the neighbourhoods where voters must live",
}
"""Round fields that decide who may vote and how the votes are counted: fixed once voting opens."""

ROUND_EDITABLE = (
    "title",
    "description",
    *LOCKED_ONCE_VOTING,
    "ideas_open",
    "ideas_close",
    "pitches_open",
    "voting_close",
)


def voting_has_opened(round_: Round) -> bool:
    return round_.phase_index >= PHASE_ORDER.index(Phase.VOTING)


def locked_round_fields(round_: Round) -> frozenset[str]:
    """The fields of ``round_`` that can no longer change (none before voting opens)."""
    return frozenset(LOCKED_ONCE_VOTING) if voting_has_opened(round_) else frozenset()


def locked_message(field: str) -> str:
    return (
        f"You cannot change {LOCKED_ONCE_VOTING[field]}: voting has opened, and the rules a round "
        "is counted by stay as they were when the first person voted."
    )


def _shown(value: Any) -> str:
    if isinstance(value, Iterable) and not isinstance(value, str):
        return repr(sorted(str(v) for v in value))
    text = repr(str(value)) if value is not None else "None"
    return text if len(text) <= 120 else text[:117] + "...'"


def audit_round_changes(
    *,
    round_: Round,
    by: User | None,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    request: HttpRequest | None = None,
    how: str = "",
) -> None:
    """One audit record per changed field: who, which field, before and after."""
    for field in sorted(after):
        if before.get(field) != after[field]:
            record_audit(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                target=round_,
                summary=f"{how}Changed {field} of PB round {round_.slug}: "
                f"{_shown(before.get(field))} -> {_shown(after[field])}",
                request=request,
            )


@transaction.atomic
def update_round(
    *,
    round_: Round,
    by: User,
    changes: Mapping[str, Any],
    request: HttpRequest | None = None,
    how: str = "",
) -> Round:
    """Change a round's settings. Once voting has opened the counting rules, pot, ballot type and
    limits, and eligibility are refused (:data:`LOCKED_ONCE_VOTING`); every change is audited."""
    if not may_change_round_settings(by):
        raise ParticipationError("Only commissioners and coordinators can do this.")
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    unknown = set(changes) - set(ROUND_EDITABLE)
    if unknown:
        raise ParticipationError(f"{sorted(unknown)[0]} cannot be changed here.")
    before: dict[str, Any] = {}
    for field in changes:
        before[field] = (
            {n.pk for n in round_.neighbourhoods.all()}
            if field == "neighbourhoods"
            else getattr(round_, field)
        )
    after: dict[str, Any] = {
        field: {n.pk if hasattr(n, "pk") else int(n) for n in value}
        if field == "neighbourhoods"
        else value
        for field, value in changes.items()
    }
    for field in sorted(locked_round_fields(round_) & set(after)):
        if before[field] != after[field]:
            raise ParticipationError(locked_message(field), field)
    if "pot" in after:
        after["pot"] = _pence(after["pot"], "The pot", "pot")
        if after["pot"] <= 0:
            raise ParticipationError("The pot must be more than £0.", "pot")
    for field, value in after.items():
        if field != "neighbourhoods":
            setattr(round_, field, value)
    try:
        with transaction.atomic():
            round_.save()
    except IntegrityError:
        raise ParticipationError(
            "The dates must be in order and a points vote needs points."
        ) from None
    if "neighbourhoods" in after:
        round_.neighbourhoods.set(list(after["neighbourhoods"]))
    audit_round_changes(round_=round_, by=by, before=before, after=after, request=request, how=how)
    return round_


@transaction.atomic
def advance_round(*, round_: Round, by: User, request: HttpRequest | None = None) -> Round:
    """Move a round to its next phase, after checking it is ready."""
    _require_staff(by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.phase == Phase.RESULTS:
        raise ParticipationError("The results are published: this round has finished.")
    next_phase = PHASE_ORDER[PHASE_ORDER.index(round_.phase) + 1]
    if next_phase == Phase.PITCHES:
        waiting = round_.projects.filter(status=Project.Status.PROPOSED).count()
        if waiting:
            raise ParticipationError(
                f"{waiting} idea{'s' if waiting != 1 else ''} still need{'s' if waiting == 1 else ''}"
                " a decision before pitches can start."
            )
        if not round_.projects.filter(status=Project.Status.ON_BALLOT).exists():
            raise ParticipationError(
                "No idea has been taken forward, so there is nothing to vote on."
            )
    if next_phase == Phase.VOTING:
        BallotLinkKey.objects.create(round=round_, key=ballot_seal.new_salt())
    if next_phase == Phase.COUNTING:
        _close_voting(round_)
    if next_phase == Phase.RESULTS:
        _publish_results(round_)
    round_.phase = next_phase
    round_.save(update_fields=["phase", "published_at"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=round_,
        summary=f"Moved {round_.title} to {round_.get_phase_display()}",
        request=request,
    )
    return round_
