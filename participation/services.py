"""Writes for participatory budgeting and prioritisation: one transactional, audited function per use
case. Each refusal raises :class:`ParticipationError` with a message for the person, and leaves
everything already recorded as it was."""

from __future__ import annotations

import hashlib
import io
import itertools
import random
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import AuditEvent, User
from accounts.roles import Role
from accounts.services import record_audit
from directory.models import Neighbourhood
from participation import ballot_seal, counting, redraw, rules
from participation.models import (
    PHASE_ORDER,
    AgeBand,
    AnonymousBallot,
    BallotLinkKey,
    Channel,
    Comment,
    CostLine,
    DistrictPot,
    Panel,
    PanelItem,
    PanelMember,
    PanelPoolEntry,
    PanelVolunteer,
    PaperBallotEntry,
    Phase,
    Project,
    ProjectResult,
    Round,
    RoundResult,
    Theme,
    VoterParticipation,
    VoterRegistration,
    VoteType,
)
from rules.money import format_money
from wellbeing_hub.notifications import notify, site_url
from wellbeing_hub.spreadsheets import SafeCsvWriter

ROUND_STAFF = (Role.COMMISSIONER, Role.COORDINATOR, Role.ADMINISTRATOR)
PANEL_STAFF = (Role.COMMISSIONER, Role.ADMINISTRATOR)
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I


class ParticipationError(Exception):
    """A request refused, with a message for the person who made it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def is_round_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*ROUND_STAFF))


def is_panel_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*PANEL_STAFF))


def _require_staff(user: User) -> None:
    if not is_round_staff(user):
        raise ParticipationError("Only commissioners and coordinators can do this.")


def _money(amount: Decimal) -> str:
    return format_money(amount)


MAX_AMOUNT = Decimal("9999999999.99")
"""The largest amount in pounds anywhere in a round (the tables hold 12 digits, 2 after the point)."""
MAX_AMOUNT_TEXT = format_money(MAX_AMOUNT)


def _pence(value: Any, what: str, field: str | None = None) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ParticipationError(
            f"{what} must be an amount in pounds, like 1250.00", field
        ) from None
    if not amount.is_finite():
        raise ParticipationError(f"{what} must be an amount in pounds, like 1250.00", field)
    # Compared before quantize: quantize of a 29-digit or 1e999999999 amount raises.
    if amount.copy_abs() > MAX_AMOUNT:
        raise ParticipationError(f"{what} must be no more than {MAX_AMOUNT_TEXT}", field)
    if amount != amount.quantize(Decimal("0.01")):
        raise ParticipationError(f"{what} must be in pounds and pence, like 1250.50", field)
    return amount.quantize(Decimal("0.01"))


# --- rounds ----------------------------------------------------------------------------------------


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
    if not (is_round_staff(by) or getattr(by, "is_staff", False)):  # is_staff: the Django admin
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
    after = {
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


def is_split(round_: Round) -> bool:
    return round_.district_pots.exists()


def eligible_neighbourhoods(round_: Round) -> list[Neighbourhood]:
    if is_split(round_):
        return [pot.neighbourhood for pot in round_.district_pots.select_related("neighbourhood")]
    chosen = list(round_.neighbourhoods.all())
    return chosen or list(Neighbourhood.objects.all())


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


def _close_voting(round_: Round) -> None:
    """Destroy every link between voters and ballots.

    Every sealed ballot is opened, the salt is deleted, and every ballot is re-issued in the clear
    under a fresh random id, in a random order, with no tag: neither a tag, an id, nor the order rows
    were written in can then tie a ballot to the participation record written in the same
    transaction.
    """
    salt = BallotLinkKey.objects.filter(round=round_).values_list("key", flat=True).first()
    rows = []
    for district, channel, choices, tag, sealed in round_.ballots.values_list(
        "district_id", "channel", "choices", "link_tag", "sealed"
    ):
        if sealed:
            try:
                choices = ballot_seal.open_sealed(salt or "", tag or "", sealed)
            except ballot_seal.SealError:
                raise ParticipationError(
                    "The online ballots cannot be opened: BALLOT_SECRET_KEY is not the one they "
                    "were cast under. Restore it before closing the vote."
                ) from None
        rows.append((district, channel, choices))
    BallotLinkKey.objects.filter(round=round_).delete()
    round_.ballots.all().delete()
    secrets.SystemRandom().shuffle(rows)
    AnonymousBallot.objects.bulk_create(
        AnonymousBallot(round=round_, district_id=district, channel=channel, choices=choices)
        for district, channel, choices in rows
    )


def counting_settings(round_: Round) -> counting.CountSettings:
    return counting.CountSettings(
        vote_type=round_.vote_type,
        rule=round_.rule,
        completion=round_.completion,
        max_choices=round_.max_choices,
        max_points=round_.max_points,
    )


def _publish_results(round_: Round) -> None:
    waiting = round_.paper_entries.filter(confirmed_by__isnull=True).count()
    if waiting:
        raise ParticipationError(
            f"{waiting} paper ballot{'s are' if waiting != 1 else ' is'} waiting for a second "
            "person to confirm. Confirm them before publishing the results."
        )
    _check_paper_totals(round_)
    settings = counting_settings(round_)
    on_ballot = list(round_.projects.filter(status=Project.Status.ON_BALLOT).order_by("pk"))
    pots = list(round_.district_pots.select_related("neighbourhood"))
    counts: list[tuple[Neighbourhood | None, Decimal]] = (
        [(pot.neighbourhood, pot.amount) for pot in pots] if pots else [(None, round_.pot)]
    )
    for district, budget in counts:
        projects = [p for p in on_ballot if district is None or p.district_id == district.pk]
        ballots = [
            [(str(pid), int(points)) for pid, points in b.choices]
            for b in round_.ballots.filter(district=district).order_by("id")
        ]
        meta = {
            "description": round_.title,
            "country": "United Kingdom",
            "unit": round_.slug,
            "instance": str(round_.voting_close.year),
            "district": district.name if district else "",
            "date_begin": round_.voting_open.strftime("%d.%m.%Y"),
            "date_end": round_.voting_close.strftime("%d.%m.%Y"),
            "currency": "GBP",
        }
        election = counting.build_election(
            budget=budget,
            projects=[
                counting.CountProject(str(p.pk), p.title, p.cost or Decimal(0)) for p in projects
            ],
            ballots=ballots,
            settings=settings,
            meta=meta,
        )
        outcome = counting.count(election, settings)
        text = counting.pb_text(election)
        # Publish only a file that recounts to the same winners.
        if set(counting.recount(text, settings).selected) != set(outcome.selected):
            raise ParticipationError("The published file did not recount to the same winners.")
        result = RoundResult.objects.create(
            round=round_,
            district=district,
            file_name=f"{round_.slug}{'-' + district.slug if district else ''}.pb",
            budget=budget,
            spent=counting.to_pounds(outcome.total_cost),
            ballots=len(ballots),
            pb_file=text,
            explanation=counting.explain(outcome, {str(p.pk): p.title for p in projects}),
        )
        votes = dict.fromkeys((p.pk for p in projects), 0)
        points = dict.fromkeys((p.pk for p in projects), 0)
        for ballot in ballots:
            for pid, pts in ballot:
                votes[int(pid)] += 1
                points[int(pid)] += pts
        order = {pid: i for i, pid in enumerate(outcome.selected, start=1)}
        ProjectResult.objects.bulk_create(
            ProjectResult(
                result=result,
                project=p,
                votes=votes[p.pk],
                points=points[p.pk],
                selected=str(p.pk) in order,
                selection_order=order.get(str(p.pk)),
            )
            for p in projects
        )
    round_.published_at = timezone.now()


# --- ideas, costing, pitches, comments -------------------------------------------------------------


@transaction.atomic
def propose_idea(
    *,
    round_: Round,
    by: User,
    title: str,
    what: str,
    who_benefits: str,
    district: Neighbourhood | None = None,
    request: HttpRequest | None = None,
) -> Project:
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.phase != Phase.IDEAS:
        raise ParticipationError("Ideas are not being collected for this round at the moment.")
    if is_split(round_):
        if district is None:
            raise ParticipationError("Choose the neighbourhood the idea is for.", "district")
        if not round_.district_pots.filter(neighbourhood=district).exists():
            raise ParticipationError(f"{district} has no pot in this round.", "district")
    else:
        district = None
    project = Project.objects.create(
        round=round_,
        title=title.strip(),
        what=what.strip(),
        who_benefits=who_benefits.strip(),
        district=district,
        proposed_by=by,
    )
    record_audit(
        actor=by, action=AuditEvent.Action.CREATE, target=project, summary=f"Proposed {title}"
    )
    return project


def parse_cost_lines(text: str) -> list[tuple[str, Decimal]]:
    """Lines like ``Hall hire: 400.00`` (or ``Hall hire, £400``), one per line."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = re.fullmatch(r"\s*(.+?)\s*[:,]\s*£?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*", raw)
        if not match:
            raise ParticipationError(
                f"Line {number} of the cost breakdown should look like 'Hall hire: 400.00'.",
                "cost_lines",
            )
        amount = _pence(match.group(2).replace(",", ""), f"Line {number}'s amount", "cost_lines")
        if amount <= 0:
            raise ParticipationError(f"Line {number}'s amount must be more than £0.", "cost_lines")
        lines.append((match.group(1), amount))
    return lines


@transaction.atomic
def assess_idea(
    *,
    project: Project,
    by: User,
    take_forward: bool,
    reason: str = "",
    cost: Decimal | None = None,
    lines: Sequence[tuple[str, Decimal]] = (),
    request: HttpRequest | None = None,
) -> Project:
    """Staff decide on an idea: cost it with a breakdown, or give a public reason for not going on."""
    _require_staff(by)
    round_ = Round.objects.select_for_update().get(pk=project.round_id)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if round_.phase not in (Phase.FEASIBILITY, Phase.PITCHES):
        raise ParticipationError(
            "Ideas are checked and costed after ideas close and before voting opens."
        )
    if take_forward:
        if cost is None:
            raise ParticipationError("Enter the project's cost.", "cost")
        cost = _pence(cost, "The cost", "cost")
        if cost <= 0:
            raise ParticipationError("The cost must be more than £0.", "cost")
        if not lines:
            raise ParticipationError("Add the cost breakdown, one line per item.", "cost_lines")
        total = sum((amount for _, amount in lines), Decimal("0.00"))
        if total != cost:
            raise ParticipationError(
                f"The cost breakdown adds up to {_money(total)} but the project cost is "
                f"{_money(cost)}.",
                "cost_lines",
            )
        budget = (
            round_.district_pots.get(neighbourhood_id=project.district_id).amount
            if project.district_id
            else round_.pot
        )
        if cost > budget:
            raise ParticipationError(
                f"The project costs {_money(cost)}, more than the whole pot of {_money(budget)}.",
                "cost",
            )
        project.status = Project.Status.ON_BALLOT
        project.cost = cost
        project.public_reason = reason.strip()
    else:
        if not reason.strip():
            raise ParticipationError(
                "Give the reason the idea is not taken forward: it is shown to everyone.", "reason"
            )
        project.status = Project.Status.NOT_TAKEN_FORWARD
        project.cost = None
        project.public_reason = reason.strip()
    project.decided_by = by
    project.save()
    project.cost_lines.all().delete()
    if take_forward:
        CostLine.objects.bulk_create(
            CostLine(project=project, description=description, amount=amount)
            for description, amount in lines
        )
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=project,
        summary=f"{project.title}: {project.get_status_display()}",
        request=request,
    )
    return project


def can_edit_pitch(user: Any, project: Project) -> bool:
    if not (user and user.is_authenticated):
        return False
    return is_round_staff(user) or project.proposed_by_id == user.pk


@transaction.atomic
def update_pitch(
    *,
    project: Project,
    by: User,
    pitch: str,
    media_url: str = "",
    request: HttpRequest | None = None,
) -> Project:
    project = Project.objects.select_for_update().select_related("round").get(pk=project.pk)
    if not can_edit_pitch(by, project):
        raise ParticipationError(
            "Only the person who proposed the idea, or staff, can edit its pitch."
        )
    if project.round.phase not in (Phase.FEASIBILITY, Phase.PITCHES):
        raise ParticipationError("Pitches can be written until voting opens.")
    if project.status != Project.Status.ON_BALLOT:
        raise ParticipationError("Only projects taken forward have a pitch.")
    project.pitch = pitch.strip()
    project.media_url = media_url.strip()
    project.save(update_fields=["pitch", "media_url"])
    record_audit(actor=by, action=AuditEvent.Action.UPDATE, target=project, summary="Pitch updated")
    return project


@transaction.atomic
def add_comment(*, project: Project, by: User, text: str) -> Comment:
    project = Project.objects.select_related("round").get(pk=project.pk)
    round_ = project.round
    if round_.phase not in (Phase.PITCHES, Phase.VOTING):
        raise ParticipationError("Comments are open during pitches and voting.")
    if project.status != Project.Status.ON_BALLOT:
        raise ParticipationError("You can comment on projects that were taken forward.")
    if not text.strip():
        raise ParticipationError("Write your comment.", "text")
    comment = Comment.objects.create(project=project, author=by, text=text.strip())
    record_audit(actor=by, action=AuditEvent.Action.CREATE, target=comment, summary="Commented")
    return comment


# --- voter registration ----------------------------------------------------------------------------

AGE_BAND_LIMITS: dict[str, tuple[int, int | None]] = {
    AgeBand.B11: (11, 15),
    AgeBand.B16: (16, 17),
    AgeBand.B18: (18, 24),
    AgeBand.B25: (25, 34),
    AgeBand.B35: (35, 49),
    AgeBand.B50: (50, 64),
    AgeBand.B65: (65, 79),
    AgeBand.B80: (80, None),
}


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band_for(age: int) -> str:
    for band, (low, high) in AGE_BAND_LIMITS.items():
        if age >= low and (high is None or age <= high):
            return band
    return ""


def check_eligibility(
    round_: Round,
    neighbourhood: Neighbourhood,
    date_of_birth: date | None,
    age_band: str,
    today: date | None = None,
) -> None:
    if neighbourhood not in eligible_neighbourhoods(round_):
        raise ParticipationError(
            f"People living in {neighbourhood} cannot vote in this round.", "neighbourhood"
        )
    on = max(round_.voting_open, today or timezone.localdate())
    if date_of_birth is not None:
        if date_of_birth > (today or timezone.localdate()):
            raise ParticipationError("The date of birth must be in the past.", "date_of_birth")
        if age_on(date_of_birth, on) < round_.min_age:
            raise ParticipationError(
                f"You need to be {round_.min_age} or over to vote in this round.", "date_of_birth"
            )
        return
    if not age_band:
        raise ParticipationError("Give your date of birth or your age group.", "age_band")
    low, high = AGE_BAND_LIMITS[age_band]
    if high is not None and high < round_.min_age:
        raise ParticipationError(
            f"You need to be {round_.min_age} or over to vote in this round.", "age_band"
        )
    if low < round_.min_age:
        raise ParticipationError(
            f"The age group {AgeBand(age_band).label} includes people under {round_.min_age}: "
            "give your date of birth instead.",
            "date_of_birth",
        )


@transaction.atomic
def register_voter(
    *,
    round_: Round,
    user: User,
    neighbourhood: Neighbourhood,
    date_of_birth: date | None = None,
    age_band: str = "",
    approved_by: User | None = None,
    request: HttpRequest | None = None,
) -> VoterRegistration:
    """Register to vote. Self-declared rounds approve at once; others wait for staff."""
    round_ = Round.objects.get(pk=round_.pk)
    if round_.phase in (Phase.COUNTING, Phase.RESULTS):
        raise ParticipationError("Voting has closed for this round.")
    check_eligibility(round_, neighbourhood, date_of_birth, age_band)
    existing = VoterRegistration.objects.filter(round=round_, user=user).first()
    if existing and VoterParticipation.objects.filter(round=round_, user=user).exists():
        raise ParticipationError("You have already voted, so your registration cannot change.")
    approved = round_.registration_rule == "self-declared" or approved_by is not None
    registration = existing or VoterRegistration(round=round_, user=user)
    registration.neighbourhood = neighbourhood
    registration.date_of_birth = date_of_birth
    registration.age_band = "" if date_of_birth else age_band
    registration.status = (
        VoterRegistration.Status.APPROVED if approved else VoterRegistration.Status.PENDING
    )
    registration.decided_by = approved_by
    registration.save()
    record_audit(
        actor=approved_by or user,
        action=AuditEvent.Action.CREATE if existing is None else AuditEvent.Action.UPDATE,
        target=registration,
        subject=user,
        summary=f"Registered to vote in {round_.title} ({registration.get_status_display()})",
        request=request,
    )
    return registration


@transaction.atomic
def decide_registration(
    *, registration: VoterRegistration, by: User, approve: bool, request: HttpRequest | None = None
) -> VoterRegistration:
    _require_staff(by)
    registration = VoterRegistration.objects.select_for_update().get(pk=registration.pk)
    if registration.user_id == by.pk:
        raise ParticipationError("Someone else must decide on your own registration.")
    registration.status = (
        VoterRegistration.Status.APPROVED if approve else VoterRegistration.Status.REFUSED
    )
    registration.decided_by = by
    registration.save(update_fields=["status", "decided_by"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=registration,
        subject=registration.user,
        summary=f"Voter registration {registration.get_status_display().lower()}",
        request=request,
    )
    return registration


# --- ballots ---------------------------------------------------------------------------------------


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def receipt_hash(code: str) -> str:
    cleaned = re.sub(r"[^A-Z0-9]", "", code.upper())
    return hashlib.sha256(f"pb-receipt:{cleaned}".encode()).hexdigest()


def _link_tag(salt: str, round_: Round, user: User) -> str:
    return ballot_seal.link_tag(salt, round_.pk, user.pk)


def ballot_district(round_: Round, neighbourhood: Neighbourhood) -> Neighbourhood | None:
    return neighbourhood if is_split(round_) else None


def clean_choices(
    round_: Round, choices: Mapping[int, int], district: Neighbourhood | None
) -> list[list[int]]:
    """Check a ballot against the round's rules; return it as sorted ``[project id, points]``."""
    allowed = round_.projects.filter(status=Project.Status.ON_BALLOT)
    if district is not None:
        allowed = allowed.filter(district=district)
    allowed_ids = set(allowed.values_list("pk", flat=True))
    chosen = {int(pid): int(points) for pid, points in choices.items() if int(points) != 0}
    if any(points < 0 for points in chosen.values()):
        raise ParticipationError("Points cannot be negative.")
    if not chosen:
        raise ParticipationError(
            "Choose at least one project."
            if round_.vote_type == VoteType.APPROVAL
            else "Give points to at least one project."
        )
    unknown = set(chosen) - allowed_ids
    if unknown:
        raise ParticipationError("Your ballot includes a project that is not on your ballot paper.")
    if round_.vote_type == VoteType.APPROVAL:
        if any(points != 1 for points in chosen.values()):
            raise ParticipationError("Choose each project once.")
        if round_.max_choices and len(chosen) > round_.max_choices:
            raise ParticipationError(
                f"You chose {len(chosen)} projects. You can choose up to {round_.max_choices}."
            )
    else:
        total = sum(chosen.values())
        if round_.max_points and total > round_.max_points:
            raise ParticipationError(
                f"You gave {total} points. You have {round_.max_points} points to share out."
            )
    return [[pid, chosen[pid]] for pid in sorted(chosen)]


def _lock_round_for_voting(round_: Round) -> Round:
    """Lock the round for sharing: ballots may be recorded side by side, but closing the vote waits
    for them (and they wait for it), so no ballot slips in as the links are destroyed."""
    if connection.vendor == "postgresql":
        return Round.objects.raw(
            "SELECT * FROM participation_round WHERE id = %s FOR SHARE", [round_.pk]
        )[0]
    return Round.objects.get(pk=round_.pk)


@dataclass(frozen=True)
class BallotReceipt:
    code: str
    changed: bool


def submit_ballot(
    *, round_: Round, voter: User, choices: Mapping[int, int], request: HttpRequest | None = None
) -> BallotReceipt:
    """Record (or, while voting is open, change) a voter's online ballot; return a new receipt code.

    One ballot per person is the database's unique (round, user) constraint; two submissions racing
    for the same voter cannot both insert, and the one that loses is retried as a change.
    """
    try:
        return _submit_ballot(round_, voter, choices, request)
    except IntegrityError:
        # Another request for the same voter committed first: ours becomes a change of ballot.
        return _submit_ballot(round_, voter, choices, request)


@transaction.atomic
def _submit_ballot(
    round_: Round, voter: User, choices: Mapping[int, int], request: HttpRequest | None
) -> BallotReceipt:
    round_ = _lock_round_for_voting(round_)
    if round_.phase != Phase.VOTING:
        raise ParticipationError(
            "Voting has closed for this round."
            if round_.phase_index > PHASE_ORDER.index(Phase.VOTING)
            else "Voting has not opened yet for this round."
        )
    registration = VoterRegistration.objects.filter(round=round_, user=voter).first()
    if registration is None:
        raise ParticipationError("Register to vote in this round first.")
    if registration.status != VoterRegistration.Status.APPROVED:
        raise ParticipationError("Your registration to vote has not been approved yet.")
    district = ballot_district(round_, registration.neighbourhood)
    cleaned = clean_choices(round_, choices, district)
    salt = BallotLinkKey.objects.get(round=round_).key
    tag = _link_tag(salt, round_, voter)
    sealed = ballot_seal.seal(salt, tag, cleaned)
    code = new_receipt_code()
    participation = (
        VoterParticipation.objects.select_for_update().filter(round=round_, user=voter).first()
    )
    if participation is None:
        with transaction.atomic():  # a savepoint, so the race's loser can be retried cleanly
            VoterParticipation.objects.create(
                round=round_,
                user=voter,
                neighbourhood=registration.neighbourhood,
                channel=Channel.ONLINE,
                receipt_hash=receipt_hash(code),
            )
            AnonymousBallot.objects.create(
                round=round_,
                district=district,
                channel=Channel.ONLINE,
                choices=[],  # sealed until voting closes
                sealed=sealed,
                link_tag=tag,
            )
        changed = False
    else:
        if participation.channel == Channel.PAPER:
            raise ParticipationError(
                "You were given a paper ballot for this round, so you cannot also vote online."
            )
        updated = AnonymousBallot.objects.filter(round=round_, link_tag=tag).update(sealed=sealed)
        if updated != 1:  # pragma: no cover - the tag is written with the participation
            raise ParticipationError("We could not find your ballot to change it.")
        participation.receipt_hash = receipt_hash(code)
        participation.save(update_fields=["receipt_hash"])
        changed = True
    record_audit(
        actor=voter,
        action=AuditEvent.Action.UPDATE if changed else AuditEvent.Action.CREATE,
        object_type="participation.voterparticipation",
        object_id=str(round_.pk),
        subject=voter,
        summary=f"{'Changed their' if changed else 'Cast a'} ballot in {round_.title}",
        request=request,
    )
    _email_receipt(round_, voter, code, changed)
    return BallotReceipt(code, changed)


def _email_receipt(round_: Round, voter: User, code: str, changed: bool) -> None:
    """The receipt code by email, so the voter can check later that their vote was counted.
    Never what they chose: the code only shows whether a ballot was recorded and counted."""
    from django.urls import reverse

    link = site_url(reverse("participation:receipts", args=[round_.slug]))
    notify(
        f"Your receipt code for {round_.title}",
        ("You changed your vote. " if changed else "Thank you for voting. ")
        + f"Your receipt code is {code}"
        + (" (it replaces the code we gave you before)" if changed else "")
        + ".\n\nKeep it to check that your vote was counted, once the results are out: "
        + f"{link}\n\nThe code does not show how you voted, and nobody can see your choices "
        "from it.",
        [voter.email],
        kind="pb_receipt",
    )


def current_choices(round_: Round, voter: User) -> dict[int, int] | None:
    """The voter's own ballot, while voting is open (afterwards nobody can find it)."""
    salt = BallotLinkKey.objects.filter(round=round_).values_list("key", flat=True).first()
    if salt is None:
        return None
    tag = _link_tag(salt, round_, voter)
    ballot = AnonymousBallot.objects.filter(round=round_, link_tag=tag).first()
    if ballot is None:
        return None
    try:
        choices = ballot_seal.open_sealed(salt, tag, ballot.sealed) if ballot.sealed else []
    except ballot_seal.SealError:
        return None
    return {int(pid): int(points) for pid, points in choices}


# --- paper ballots ---------------------------------------------------------------------------------


@transaction.atomic
def create_paper_voter(*, by: User, display_name: str) -> User:
    """An account without a password for a resident who votes on paper and has no account."""
    _require_staff(by)
    if not display_name.strip():
        raise ParticipationError("Enter the resident's name.", "display_name")
    user = User.objects.create_user(
        username=f"paper-voter-{secrets.token_hex(5)}", display_name=display_name.strip()
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.CREATE,
        target=user,
        subject=user,
        summary="Created a record for a paper voter",
    )
    return user


def issue_paper_ballot(
    *,
    round_: Round,
    by: User,
    voter: User,
    neighbourhood: Neighbourhood,
    date_of_birth: date | None = None,
    age_band: str = "",
    request: HttpRequest | None = None,
) -> str:
    """Mark a resident as given a paper ballot (the register), and return their receipt code.

    The paper's own number is not recorded against them: the paper goes in the box without a name.
    """
    _require_staff(by)
    try:
        with transaction.atomic():
            round_ = _lock_round_for_voting(round_)
            if round_.phase != Phase.VOTING:
                raise ParticipationError(
                    "Paper ballots can only be given out while voting is open."
                )
            registration = VoterRegistration.objects.filter(round=round_, user=voter).first()
            if registration is None or registration.status != VoterRegistration.Status.APPROVED:
                registration = register_voter(
                    round_=round_,
                    user=voter,
                    neighbourhood=neighbourhood,
                    date_of_birth=date_of_birth,
                    age_band=age_band,
                    approved_by=by,
                    request=request,
                )
            code = new_receipt_code()
            VoterParticipation.objects.create(
                round=round_,
                user=voter,
                neighbourhood=registration.neighbourhood,
                channel=Channel.PAPER,
                receipt_hash=receipt_hash(code),
            )
            record_audit(
                actor=by,
                action=AuditEvent.Action.CREATE,
                object_type="participation.voterparticipation",
                object_id=str(round_.pk),
                subject=voter,
                summary=f"Given a paper ballot for {round_.title}",
                request=request,
            )
            return code
    except IntegrityError:
        raise ParticipationError(
            "This person has already voted in this round (online or on paper)."
        ) from None


PAPER_NUMBER_MAX = 20
PAPER_NUMBER_SHAPE = re.compile(rf"[a-z0-9]{{1,{PAPER_NUMBER_MAX}}}", re.ASCII)
PAPER_NUMBER_HELP = (
    "Enter the letters and numbers printed on the paper, like P-0042 (up to "
    f"{PAPER_NUMBER_MAX} letters and numbers; spaces, dashes and capitals do not matter)."
)


def normalise_paper_number(typed: str) -> str:
    """The one form a paper's number is stored and compared in.

    Unicode NFKC (full-width and other compatibility forms become plain letters and digits), then
    format characters (category Cf, such as zero-width spaces), whitespace and dashes (category Pd)
    are dropped and the text is case-folded. What is left must be 1 to 20 ASCII letters and digits;
    it is stored in capitals (``p-1``, a full-width P with 1, and ``P1`` with a zero-width space
    between are all ``P1``).
    """
    text = unicodedata.normalize("NFKC", typed)
    text = "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Pd")
    ).casefold()
    if not PAPER_NUMBER_SHAPE.fullmatch(text):
        raise ParticipationError(PAPER_NUMBER_HELP, "paper_number")
    return text.upper()


def _check_paper_totals(round_: Round, adding: int = 0) -> None:
    given = round_.participations.filter(channel=Channel.PAPER).count()
    counted = round_.ballots.filter(channel=Channel.PAPER).count() + adding
    if counted > given:
        raise ParticipationError(
            f"That would make {counted} paper ballots, but only {given} were given out."
        )


@transaction.atomic
def enter_paper_ballot(
    *,
    round_: Round,
    by: User,
    paper_number: str,
    choices: Mapping[int, int],
    district: Neighbourhood | None = None,
    request: HttpRequest | None = None,
) -> PaperBallotEntry:
    _require_staff(by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.phase not in (Phase.VOTING, Phase.COUNTING):
        raise ParticipationError("Paper ballots are entered while voting is open or being counted.")
    paper_number = normalise_paper_number(paper_number)
    if is_split(round_):
        if district is None or not round_.district_pots.filter(neighbourhood=district).exists():
            raise ParticipationError("Choose the neighbourhood of the ballot box.", "district")
    else:
        district = None
    if PaperBallotEntry.objects.filter(round=round_, paper_number=paper_number).exists():
        raise ParticipationError(f"Paper {paper_number} has already been entered.", "paper_number")
    cleaned = clean_choices(round_, choices, district)
    entry = PaperBallotEntry.objects.create(
        round=round_,
        paper_number=paper_number,
        district=district,
        choices=cleaned,
        entered_by=by,
    )
    record_audit(
        actor=by,
        action=AuditEvent.Action.CREATE,
        target=entry,
        summary=f"Entered paper ballot {entry.paper_number}",
        request=request,
    )
    return entry


@transaction.atomic
def confirm_paper_ballot(
    *, entry: PaperBallotEntry, by: User, request: HttpRequest | None = None
) -> AnonymousBallot:
    """A second staff member checks the entry against the paper; only then does it count."""
    _require_staff(by)
    round_ = Round.objects.select_for_update().get(pk=entry.round_id)
    entry = PaperBallotEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.confirmed_by_id is not None:
        raise ParticipationError(f"Paper {entry.paper_number} has already been confirmed.")
    if entry.entered_by_id == by.pk:
        raise ParticipationError(
            "A different person must confirm a paper ballot from the one who entered it."
        )
    if round_.phase not in (Phase.VOTING, Phase.COUNTING):
        raise ParticipationError("The results are published: paper ballots can no longer be added.")
    _check_paper_totals(round_, adding=1)
    entry.confirmed_by = by
    entry.save(update_fields=["confirmed_by"])
    ballot = AnonymousBallot.objects.create(
        round=round_, district=entry.district, channel=Channel.PAPER, choices=entry.choices
    )
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=entry,
        summary=f"Confirmed paper ballot {entry.paper_number}",
        request=request,
    )
    return ballot


@transaction.atomic
def reject_paper_entry(
    *, entry: PaperBallotEntry, by: User, request: HttpRequest | None = None
) -> None:
    """The checker found a mistake: remove the unconfirmed entry so it can be entered again."""
    _require_staff(by)
    entry = PaperBallotEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.confirmed_by_id is not None:
        raise ParticipationError("A confirmed paper ballot cannot be removed.")
    record_audit(
        actor=by,
        action=AuditEvent.Action.DELETE,
        target=entry,
        summary=f"Removed an unconfirmed entry for paper {entry.paper_number}",
        request=request,
    )
    entry.delete()


# --- prioritisation panels -------------------------------------------------------------------------


@transaction.atomic
def join_panel_pool(
    *, user: User, neighbourhood: Neighbourhood, age_band: str, request: HttpRequest | None = None
) -> PanelVolunteer:
    if age_band not in AGE_BAND_LIMITS:
        raise ParticipationError("Choose your age group.", "age_band")
    if AGE_BAND_LIMITS[age_band][0] < 16:
        raise ParticipationError("People's Panel members must be 16 or over.", "age_band")
    volunteer, created = PanelVolunteer.objects.update_or_create(
        user=user, defaults={"neighbourhood": neighbourhood, "age_band": age_band}
    )
    record_audit(
        actor=user,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=volunteer,
        subject=user,
        summary="Joined the People's Panel pool",
        request=request,
    )
    return volunteer


@transaction.atomic
def leave_panel_pool(*, user: User) -> None:
    PanelVolunteer.objects.filter(user=user).delete()
    record_audit(
        actor=user,
        action=AuditEvent.Action.DELETE,
        object_type="participation.panelvolunteer",
        subject=user,
        summary="Left the People's Panel pool",
    )


@transaction.atomic
def create_panel(
    *,
    by: User,
    title: str,
    question: str,
    size: int,
    items: Sequence[str],
    quorum: int | None = None,
    balance_tolerance: int = rules.DEFAULT_BALANCE_TOLERANCE,
    request: HttpRequest | None = None,
) -> Panel:
    if not is_panel_staff(by):
        raise ParticipationError("Only commissioners can set up a prioritisation panel.")
    names = [name.strip() for name in items if name.strip()]
    if len(names) < 2:
        raise ParticipationError("List at least two items to rank, one per line.", "items")
    if len({n.lower() for n in names}) != len(names):
        raise ParticipationError("An item is listed twice.", "items")
    if size < 1:
        raise ParticipationError("The panel needs at least one person.", "size")
    quorum = rules.default_quorum(size) if quorum is None else quorum
    lowest = rules.smallest_quorum(size)
    if not lowest <= quorum <= max(size, lowest):
        raise ParticipationError(
            f"The quorum must be between {lowest} (half the panel, rounded up) and {size} "
            "(everyone on the panel).",
            "quorum",
        )
    if not 0 <= balance_tolerance <= 50:
        raise ParticipationError(
            "The balance tolerance must be between 0 and 50 percentage points.",
            "balance_tolerance",
        )
    panel = Panel.objects.create(
        title=title,
        question=question,
        size=size,
        quorum=quorum,
        balance_tolerance=balance_tolerance,
        created_by=by,
    )
    PanelItem.objects.bulk_create(PanelItem(panel=panel, name=name) for name in names)
    record_audit(
        actor=by, action=AuditEvent.Action.CREATE, target=panel, summary=f"Created panel {title}"
    )
    return panel


def stratum_of(volunteer: PanelVolunteer) -> str:
    return f"{volunteer.age_band} / {volunteer.neighbourhood.name}"


POOL_COLUMNS = ("age_group", "neighbourhood")


def pool_csv(rows: Sequence[tuple[int, str, str]]) -> str:
    """The published pool file: entry number, age group and neighbourhood; no names."""
    stream = io.StringIO()
    writer = SafeCsvWriter(stream, lineterminator="\n")
    writer.writerow(["entry", *POOL_COLUMNS])
    for row in rows:
        writer.writerow(row)
    return stream.getvalue()


@transaction.atomic
def announce_draw(
    *, panel: Panel, by: User, seed: str | None = None, request: HttpRequest | None = None
) -> Panel:
    """Fix and publish the anonymised pool and commit to the seed (its SHA-256 hash).

    The pool is everyone in the People's Panel pool now, in a random order numbered 1, 2, 3…; the
    entry numbers link to people only inside the hub. The seed is made here (``seed`` is for tests
    and the demo) and kept secret until the draw, when it is revealed so anyone can check it against
    the hash and repeat the draw with ``python -m participation.redraw``.
    """
    if not is_panel_staff(by):
        raise ParticipationError("Only commissioners can announce a panel's draw.")
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if panel.status != Panel.Status.DRAFT:
        raise ParticipationError("This panel's draw has already been announced.")
    volunteers = list(PanelVolunteer.objects.select_related("neighbourhood").order_by("pk"))
    if len(volunteers) < panel.size:
        raise ParticipationError(
            f"The pool has {len(volunteers)} people, fewer than the {panel.size} seats on the "
            "panel. Wait for more people to put their names forward, or make the panel smaller."
        )
    # The entry numbers must not follow the order people joined in: shuffle before numbering
    # (a given seed, for tests and the demo, shuffles the same way every time).
    shuffler = secrets.SystemRandom() if seed is None else random.Random(seed)
    shuffler.shuffle(volunteers)
    rows = [
        (number, v.age_band, v.neighbourhood.name) for number, v in enumerate(volunteers, start=1)
    ]
    text = pool_csv(rows)
    seed = secrets.token_hex(32) if seed is None else seed
    try:
        _columns, pool = redraw.read_pool(text)
        rules.public_draw(pool, panel.size, seed)
    except (redraw.PoolFileError, rules.SampleError) as error:
        raise ParticipationError(str(error)) from None
    PanelPoolEntry.objects.bulk_create(
        PanelPoolEntry(
            panel=panel,
            entry=number,
            user_id=v.user_id,
            age_band=v.age_band,
            neighbourhood=v.neighbourhood.name,
        )
        for number, v in enumerate(volunteers, start=1)
    )
    panel.pool_file = text
    panel.secret_seed = seed
    panel.seed_commitment = rules.seed_commitment(seed)
    panel.announced_at = timezone.now()
    panel.status = Panel.Status.ANNOUNCED
    panel.save(
        update_fields=["pool_file", "secret_seed", "seed_commitment", "announced_at", "status"]
    )
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=panel,
        summary=(
            f"Announced the draw of {panel.title}: pool of {len(rows)} published, "
            f"seed SHA-256 {panel.seed_commitment}"
        ),
        request=request,
    )
    return panel


@transaction.atomic
def draw_panel(*, panel: Panel, by: User, request: HttpRequest | None = None) -> Panel:
    """Draw the panel from the published pool with the committed seed, then reveal the seed."""
    if not is_panel_staff(by):
        raise ParticipationError("Only commissioners can draw a panel.")
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if panel.status == Panel.Status.DRAFT:
        raise ParticipationError(
            "Announce the draw first: that publishes the pool and the seed's hash, so anyone "
            "can check the draw afterwards."
        )
    if panel.status != Panel.Status.ANNOUNCED:
        raise ParticipationError("This panel has already been drawn.")
    try:
        columns, pool = redraw.read_pool(panel.pool_file)
        draw = rules.public_draw(pool, panel.size, panel.secret_seed)
    except (redraw.PoolFileError, rules.SampleError) as error:
        raise ParticipationError(str(error)) from None
    entries = {e.entry: e for e in PanelPoolEntry.objects.filter(panel=panel)}
    PanelMember.objects.bulk_create(
        PanelMember(
            panel=panel,
            user_id=entries[entry].user_id,
            entry=entry,
            stratum=f"{entries[entry].age_band} / {entries[entry].neighbourhood}",
        )
        for entry in draw.selected
    )
    panel.status = Panel.Status.RANKING
    panel.draw_record = {
        "method": draw.method,
        "seed": draw.seed,
        "commitment": panel.seed_commitment,
        "size": draw.size,
        "pool_size": len(pool),
        "columns": columns,
        "strata": [
            {"stratum": " / ".join(stratum), "pool": draw.strata_sizes[stratum], "seats": seats}
            for stratum, seats in draw.allocation.items()
        ],
        "selected_entries": list(draw.selected),
        "announced_at": panel.announced_at.isoformat() if panel.announced_at else None,
        "drawn_at": timezone.now().isoformat(),
    }
    panel.save(update_fields=["status", "draw_record"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=panel,
        summary=(
            f"Drew {draw.size} panel members from a published pool of {len(pool)} "
            f"(seed {draw.seed}, entries {' '.join(map(str, draw.selected))})"
        ),
        request=request,
    )
    return panel


@transaction.atomic
def submit_ranking(
    *, panel: Panel, member: User, order: Sequence[int], request: HttpRequest | None = None
) -> PanelMember:
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if panel.status != Panel.Status.RANKING:
        raise ParticipationError("This panel is not ranking at the moment.")
    seat = PanelMember.objects.filter(panel=panel, user=member).first()
    if seat is None:
        raise ParticipationError("Only people drawn for this panel can rank its items.")
    item_ids = list(panel.items.values_list("pk", flat=True))
    if sorted(order) != sorted(item_ids) or len(order) != len(item_ids):
        raise ParticipationError("Give every item a different place, from 1 to the last.")
    seat.ranking = list(order)
    seat.ranked_at = timezone.now()
    seat.save(update_fields=["ranking", "ranked_at"])
    record_audit(
        actor=member, action=AuditEvent.Action.UPDATE, target=seat, summary="Ranked panel items"
    )
    return seat


PANEL_DIMENSIONS = ("age group", "neighbourhood")


def _member_groups(stratum: str) -> tuple[str, ...]:
    age_band, _sep, neighbourhood = stratum.partition(" / ")
    return (age_band, neighbourhood)


def panel_publication_check(panel: Panel) -> rules.PublicationCheck:
    """The quorum and balance check a panel must pass before its ranking is published."""
    seats = list(panel.members.order_by("pk").values_list("stratum", "ranking"))
    seated = [_member_groups(stratum) for stratum, _ranking in seats]
    ranked = [_member_groups(stratum) for stratum, ranking in seats if ranking]
    quorum = panel.quorum if panel.quorum is not None else rules.default_quorum(len(seats))
    return rules.publication_check(
        seated, ranked, PANEL_DIMENSIONS, quorum=quorum, tolerance=panel.balance_tolerance
    )


@transaction.atomic
def publish_panel(*, panel: Panel, by: User, request: HttpRequest | None = None) -> Panel:
    """Publish the panel's ranking once enough members, from across its strata, have ranked."""
    if not is_panel_staff(by):
        raise ParticipationError("Only commissioners can publish a panel's ranking.")
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if panel.status != Panel.Status.RANKING:
        raise ParticipationError("Only a panel that is ranking can be published.")
    check = panel_publication_check(panel)
    if not check.ready:
        raise ParticipationError(" ".join(check.problems))
    items = list(panel.items.all())
    ids = [str(item.pk) for item in items]
    rankings = [
        [str(pk) for pk in seat.ranking]
        for seat in panel.members.exclude(ranking__isnull=True).order_by("pk")
        if seat.ranking
    ]
    names = {str(item.pk): item.name for item in items}
    scores = rules.borda(rankings, ids)
    borda_order = rules.borda_order(rankings, ids)
    borda_places = rules.borda_places(scores, borda_order)
    consensus = rules.kemeny(rankings, ids)
    ties = rules.kemeny_ties(rankings, ids) if consensus.exact else None
    agreement = rules.describe_agreement(rankings, ids)
    w = agreement.w

    def place_text(item: str, place: int) -> str:
        if ties is None or len(ties.places[item]) == 1:
            return str(place)
        spots = ties.places[item]
        return f"{spots[0]} to {spots[-1]} (tied)"

    panel.result = {
        "rankings": len(rankings),
        "members": check.members,
        "quorum": check.quorum,
        "balance_tolerance": check.tolerance,
        "borda": [
            {"item": names[i], "score": scores[i], "place": borda_places[i]} for i in borda_order
        ],
        "borda_tied": any(place.startswith("=") for place in borda_places.values()),
        "kemeny": [names[i] for i in consensus.order],
        "kemeny_places": [
            {"item": names[i], "place": place_text(i, n)}
            for n, i in enumerate(consensus.order, start=1)
        ],
        "kemeny_distance": consensus.distance,
        "kemeny_exact": consensus.exact,
        "kemeny_orders": ties.orders if ties is not None else None,
        "kendall_w": f"{float(w):.3f}",
        "kendall_w_exact": f"{w.numerator}/{w.denominator}",
        "chance_w": f"{float(agreement.chance_w):.3f}",
        "agreement_p": f"{agreement.p_value:.3f}",
        "agreement": agreement.words,
        "balance": [
            {
                "dimension": row.dimension,
                "group": row.group,
                "seats": row.seats,
                "ranked": row.ranked,
            }
            for row in check.balance
        ],
    }
    panel.status = Panel.Status.PUBLISHED
    panel.save(update_fields=["result", "status"])
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=panel,
        summary=(
            f"Published the ranking of {panel.title} "
            f"({len(rankings)} of {check.members} members ranked)"
        ),
        request=request,
    )
    return panel


# --- themes from the gap in the market -----------------------------------------------------------


@transaction.atomic
def offer_theme(*, actor: User, round_: Round, title: str, evidence: str) -> Theme:
    """Offer a theme to a round that is still taking ideas, with the evidence for it (counts from
    the gap-in-the-market page; no person is named there). Commissioners and coordinators only;
    the same theme is offered to a round once."""
    _require_staff(actor)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.phase != Phase.IDEAS:
        raise ParticipationError(
            "This round has stopped taking ideas: choose a round that is still taking them",
            field="round",
        )
    title = " ".join(title.split())
    if not title:
        raise ParticipationError("Give the theme a title", field="title")
    if len(title) > 150:
        raise ParticipationError("Give the theme a title of 150 characters or fewer", field="title")
    if round_.themes.filter(title__iexact=title).exists():
        raise ParticipationError("This theme has already been offered to this round", field="title")
    theme = Theme.objects.create(
        round=round_, title=title, evidence=evidence.strip()[:1000], offered_by=actor
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=theme,
        summary=f"Offered the theme {title!r} to the round {round_.title!r}",
    )
    return theme
