"""Rotas: regular help on one weekday, members put on it, dates taken, given back and swapped,
visits recorded as done (time credited once) or missed."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from rules.ledger import format_minutes
from rules.timebank import RotaAssignment as RuleAssignment
from rules.timebank import RotaPlan, Slot, TimebankError, WeeklyCommitment, plan_rota
from timebank.models import (
    WEEKDAY_NAMES,
    Exchange,
    Member,
    Request,
    Rota,
    RotaAssignment,
    RotaSlot,
    RotaVisit,
)
from timebank.permissions import may_record_rota_visits
from timebank.services._common import (
    TimebankRefused,
    _notify,
    _notify_coordinators,
    _require_coordinator,
    _require_date_in_range,
)
from timebank.services.exchanges import _confirm_locked, _require_ended
from timebank.services.members import _require_approved, _require_check


def commitment_for(rota: Rota) -> WeeklyCommitment:
    return WeeklyCommitment(
        weekday=rota.weekday,
        start=rota.start_time,
        duration_minutes=rota.duration_minutes,
        first_date=rota.first_date,
        end_date=rota.end_date,
        title=rota.title,
    )


@transaction.atomic
def create_rota(
    *,
    coordinator: User,
    title: str,
    weekday: int,
    start_time: time,
    duration_minutes: int,
    first_date: date,
    end_date: date,
    receiver: Member | None = None,
    req: Request | None = None,
    remind_days_before: int = 2,
) -> Rota:
    _require_coordinator(coordinator)
    _require_date_in_range(first_date, "The first date", field="first_date")
    _require_date_in_range(end_date, "The last date", field="end_date")
    try:
        commitment = WeeklyCommitment(
            weekday, start_time, duration_minutes, first_date, end_date=end_date, title=title
        )
        commitment.dates()
    except TimebankError as error:
        raise TimebankRefused(error.message) from error
    rota = Rota.objects.create(
        title=title,
        weekday=weekday,
        start_time=start_time,
        duration_minutes=duration_minutes,
        first_date=first_date,
        end_date=end_date,
        receiver=receiver or (req.member if req else None),
        request=req,
        remind_days_before=remind_days_before,
        created_by=coordinator,
    )
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.CREATE,
        target=rota,
        subject=rota.receiver.user if rota.receiver else None,
        summary=f"Set up a rota: {title}"[:300],
    )
    return rota


@transaction.atomic
def assign_to_rota(
    *,
    coordinator: User,
    rota: Rota,
    member: Member,
    starting: date,
    every_weeks: int = 1,
    until: date | None = None,
) -> RotaAssignment:
    _require_coordinator(coordinator)
    _require_approved(member, who=member.name)
    if rota.receiver_id == member.pk:
        raise TimebankRefused(f"{member.name} is the person this rota helps.")
    if starting.weekday() != rota.weekday:
        raise TimebankRefused(
            f"{rota.title} is on {WEEKDAY_NAMES[rota.weekday]}s; choose a "
            f"{WEEKDAY_NAMES[rota.weekday]} to start.",
            field="starting",
        )
    _require_date_in_range(starting, "The first date they cover", field="starting")
    if until is not None:
        _require_date_in_range(until, "The last date they cover", field="until")
    if every_weeks < 1:
        raise TimebankRefused("Enter how often, as every 1 week or more.", field="every_weeks")
    if until is not None and until < starting:
        raise TimebankRefused("The last date must be after the first.", field="until")
    if rota.request is not None and rota.request.needs_check:
        _require_check(member, starting, rota.title)
    assignment = RotaAssignment.objects.create(
        rota=rota, member=member, every_weeks=every_weeks, starting=starting, until=until
    )
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.UPDATE,
        target=rota,
        subject=member.user,
        summary=f"Put {member.name} on the rota '{rota.title}'"[:300],
    )
    return assignment


def plan_for(rota: Rota) -> RotaPlan:
    """The rules' :class:`rules.timebank.RotaPlan` for ``rota`` (slots, covered, gaps), with the
    members' own changes: a date given back is that member's ``away`` date; a date taken (or
    accepted in a swap) adds the member to that date beside anyone else covering it."""
    away: dict[int, set[date]] = {}
    taken: dict[date, list[int]] = {}
    for change in RotaSlot.objects.filter(rota=rota).values_list("day", "member_id", "status"):
        day, member_id, status = change
        if status == RotaSlot.Status.GIVEN_BACK:
            away.setdefault(member_id, set()).add(day)
        elif status == RotaSlot.Status.TAKEN:
            taken.setdefault(day, []).append(member_id)
    assignments = [
        RuleAssignment(
            member_id=a.member_id,
            every_weeks=a.every_weeks,
            starting=a.starting,
            until=a.until,
            away=frozenset(away.get(a.member_id, ())),
        )
        for a in rota.assignments.all()
    ]
    plan = plan_rota(commitment_for(rota), assignments)
    if not taken:
        return plan
    slots = tuple(
        Slot(s.occurrence, s.members + tuple(m for m in taken.get(s.day, ()) if m not in s.members))
        for s in plan.slots
    )
    return RotaPlan(plan.commitment, slots)


def rota_slot_start(rota: Rota, day: date) -> datetime:
    """When the rota's help on ``day`` starts (aware, local time)."""
    return timezone.make_aware(datetime.combine(day, rota.start_time))


def _rota_day(rota: Rota, day: date) -> Slot:
    """The slot of ``rota`` on ``day``, refused (field ``day``) when the rota has no such date."""
    plan = plan_for(rota)
    for slot in plan.slots:
        if slot.day == day:
            return slot
    raise TimebankRefused(
        f"{rota.title} has no date on {day:%-d %B %Y}: choose one of its "
        f"{WEEKDAY_NAMES[rota.weekday]}s from the list.",
        field="day",
    )


def _lock_rota(rota: Rota) -> Rota:
    """Lock the rota's row: every change to its dates and outcomes runs one after the other."""
    return (
        Rota.objects.select_for_update(of=("self",))
        .select_related("receiver__user", "request")
        .get(pk=rota.pk)
    )


def _rota_member(by: User) -> Member:
    member = Member.objects.select_related("user").filter(user=by).first()
    return _require_approved(member)


def _require_to_come(rota: Rota, day: date) -> None:
    if rota_slot_start(rota, day) <= timezone.now():
        raise TimebankRefused(
            f"{day:%-d %B %Y} has already started or passed; only dates to come can be changed.",
            field="day",
        )


def _set_rota_slot(
    rota: Rota, day: date, member: Member, status: str, offered_by: Member | None = None
) -> RotaSlot:
    change, _ = RotaSlot.objects.update_or_create(
        rota=rota,
        day=day,
        member=member,
        defaults={"status": status, "offered_by": offered_by},
    )
    return change


def _rota_audit(by: User, rota: Rota, subject: Member, summary: str) -> None:
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=rota,
        subject=subject.user,
        summary=summary[:300],
    )


def take_rota_slot(*, by: User, rota: Rota, day: date) -> RotaSlot:
    """An approved member takes a date of the rota that nobody covers."""
    member = _rota_member(by)
    with transaction.atomic():
        rota = _lock_rota(rota)
        if rota.receiver_id == member.pk:
            raise TimebankRefused("This rota is for you, so you cannot cover its dates.")
        slot = _rota_day(rota, day)
        _require_to_come(rota, day)
        if member.pk in slot.members:
            raise TimebankRefused(f"You already cover {day:%-d %B %Y}.", field="day")
        if slot.members:
            raise TimebankRefused(
                f"{day:%-d %B %Y} is already covered. Choose a date marked as a gap.", field="day"
            )
        if rota.request is not None and rota.request.needs_check:
            _require_check(member, day, rota.title)
        change = _set_rota_slot(rota, day, member, RotaSlot.Status.TAKEN)
        _rota_audit(by, rota, member, f"{member.name} took {day:%-d %B %Y} on '{rota.title}'")
    if rota.receiver is not None:
        _notify(
            f"{member.name} is coming on {day:%-d %B %Y}",
            f"{member.name} will help with {rota.title} on {day:%-d %B %Y} at "
            f"{rota.start_time:%H:%M}.",
            [rota.receiver.user.email],
            "timebank_rotas",
        )
    return change


def give_back_rota_slot(*, by: User, rota: Rota, day: date) -> RotaSlot:
    """A member gives back a date they cover; coordinators are told if it is now a gap."""
    member = _rota_member(by)
    with transaction.atomic():
        rota = _lock_rota(rota)
        slot = _rota_day(rota, day)
        _require_to_come(rota, day)
        if member.pk not in slot.members:
            raise TimebankRefused(f"You do not cover {day:%-d %B %Y}.", field="day")
        change = _set_rota_slot(rota, day, member, RotaSlot.Status.GIVEN_BACK)
        # Any swap this member offered for that date is withdrawn with it.
        RotaSlot.objects.filter(
            rota=rota, day=day, offered_by=member, status=RotaSlot.Status.OFFERED
        ).delete()
        _rota_audit(by, rota, member, f"{member.name} gave back {day:%-d %B %Y} on '{rota.title}'")
        gap = set(slot.members) == {member.pk}
    if gap:
        _notify_coordinators(
            f"A rota date needs cover: {rota.title}",
            f"{member.name} gave back {day:%-d %B %Y} on {rota.title}. Nobody covers it now.",
        )
    return change


def offer_rota_slot(*, by: User, rota: Rota, day: date, to: Member) -> RotaSlot:
    """A swap: a member covering ``day`` asks ``to`` to take it; it is theirs once they accept."""
    member = _rota_member(by)
    with transaction.atomic():
        rota = _lock_rota(rota)
        slot = _rota_day(rota, day)
        _require_to_come(rota, day)
        if member.pk not in slot.members:
            raise TimebankRefused(f"You do not cover {day:%-d %B %Y}.", field="day")
        if to.pk == member.pk or not to.is_approved or to.pk == rota.receiver_id:
            raise TimebankRefused(
                "Choose another approved member (not the person the rota helps).", field="member"
            )
        if to.pk in slot.members:
            raise TimebankRefused(f"{to.name} already covers {day:%-d %B %Y}.", field="member")
        change = _set_rota_slot(rota, day, to, RotaSlot.Status.OFFERED, offered_by=member)
        _rota_audit(
            by, rota, to, f"{member.name} asked {to.name} to take {day:%-d %B %Y} on '{rota.title}'"
        )
    _notify(
        f"Can you take {rota.title} on {day:%-d %B %Y}?",
        f"{member.name} asks you to take their date on {rota.title}: {day:%-d %B %Y} at "
        f"{rota.start_time:%H:%M}. Sign in to the time bank to accept or decline.",
        [to.user.email],
        "timebank_rotas",
    )
    return change


def answer_rota_swap(*, by: User, rota: Rota, day: date, accept: bool) -> RotaSlot | None:
    """The member asked to take a date accepts (it becomes theirs and the asker's is given back)
    or declines (the asker keeps it)."""
    member = _rota_member(by)
    with transaction.atomic():
        rota = _lock_rota(rota)
        _rota_day(rota, day)
        offer = (
            RotaSlot.objects.select_related("offered_by__user")
            .filter(rota=rota, day=day, member=member, status=RotaSlot.Status.OFFERED)
            .first()
        )
        if offer is None or offer.offered_by is None:
            raise TimebankRefused(f"Nobody has asked you to take {day:%-d %B %Y}.", field="day")
        asker = offer.offered_by
        if not accept:
            offer.delete()
            _rota_audit(by, rota, asker, f"{member.name} declined to take {day:%-d %B %Y}")
            return None
        _require_to_come(rota, day)
        if rota.request is not None and rota.request.needs_check:
            _require_check(member, day, rota.title)
        _set_rota_slot(rota, day, asker, RotaSlot.Status.GIVEN_BACK)
        change = _set_rota_slot(rota, day, member, RotaSlot.Status.TAKEN)
        _rota_audit(
            by, rota, member, f"{member.name} took {day:%-d %B %Y} from {asker.name} (a swap)"
        )
    return change


def record_rota_visit(*, by: User, rota: Rota, day: date, member: Member, done: bool) -> RotaVisit:
    """Record that ``member``'s visit on ``day`` was done (its time is credited exactly once,
    through the ledger, as a confirmed exchange from the person helped to the member) or missed
    (recorded, nothing credited). Recording the same outcome again returns the first record;
    the other outcome is refused."""
    try:
        with transaction.atomic():
            return _record_rota_visit(by=by, rota=rota, day=day, member=member, done=done)
    except IntegrityError:
        # The same visit recorded at the same moment by someone else: answer with it.
        existing = RotaVisit.objects.filter(rota=rota, day=day, member=member).first()
        if existing is None:
            raise
        return _same_visit(existing, done)


def _same_visit(visit: RotaVisit, done: bool) -> RotaVisit:
    wanted = RotaVisit.Outcome.DONE if done else RotaVisit.Outcome.MISSED
    if visit.outcome != wanted:
        raise TimebankRefused(
            f"This date was already recorded as {visit.get_outcome_display().lower()}. "
            "Ask a coordinator to correct it."
        )
    return visit


def _record_rota_visit(*, by: User, rota: Rota, day: date, member: Member, done: bool) -> RotaVisit:
    rota = _lock_rota(rota)  # one recording of a rota's visits at a time
    if not may_record_rota_visits(by, rota):
        raise TimebankRefused(
            "Only the person the rota helps, or a coordinator, can record whether it happened."
        )
    existing = RotaVisit.objects.filter(rota=rota, day=day, member=member).first()
    if existing is not None:
        return _same_visit(existing, done)
    slot = _rota_day(rota, day)
    if member.pk not in slot.members:
        raise TimebankRefused(f"{member.name} did not cover {day:%-d %B %Y}.", field="member")
    start = rota_slot_start(rota, day)
    _require_ended(start, rota.duration_minutes)
    exchange = None
    if done:
        if rota.receiver is None:
            raise TimebankRefused(
                "This rota names nobody it helps, so there is nobody to take the time from. "
                "Record the time as an exchange instead."
            )
        exchange = Exchange(
            idempotency_key=f"rota:{rota.pk}:{day.isoformat()}:{member.pk}",
            giver_id=member.pk,
            receiver_id=rota.receiver.pk,
            category=rota.request.category if rota.request is not None else None,
            start=start,
            minutes=rota.duration_minutes,
            description=f"{rota.title}, {day:%-d %B %Y}"[:300],
            proposed_by=by,
        )
        _confirm_locked(by=by, exchange=exchange)  # the ledger entry, under the accounts' locks
    visit = RotaVisit.objects.create(
        rota=rota,
        day=day,
        member=member,
        outcome=RotaVisit.Outcome.DONE if done else RotaVisit.Outcome.MISSED,
        exchange=exchange,
        recorded_by=by,
    )
    record_audit(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        target=rota,
        subject=member.user,
        summary=(
            f"{member.name}'s visit on {day:%-d %B %Y} ({rota.title}): "
            + (f"done, {format_minutes(rota.duration_minutes)} credited" if done else "missed")
        )[:300],
    )
    return visit
