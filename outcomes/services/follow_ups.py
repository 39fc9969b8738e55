"""Self-reported follow-up: the team puts a person on it, the person reports when they choose, a
report past the threshold (or asking for contact) goes on the team's worklist, and quiet people
are reminded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from outcomes import access
from outcomes.measures import registry
from outcomes.models import (
    AnswerSet,
    FollowUp,
    FollowUpReport,
    Reminder,
    WorkItem,
)
from outcomes.services._common import (
    OutcomesRefused,
    _audit,
    today,
)
from outcomes.services.answers import (
    record_answers,
)
from rules.outcomes import Score
from wellbeing_hub.notifications import notify, site_url

if TYPE_CHECKING:
    # Only a type: no budgets table is read here.
    from budgets.models import CaseTeam


@transaction.atomic
def start_follow_up(
    *,
    person: User,
    actor: User,
    team: CaseTeam,
    measure_id: str,
    value_id: str,
    threshold: Decimal,
    reminder_days: int,
    response_days: int,
    request: HttpRequest | None = None,
) -> FollowUp:
    access.require(access.can_start_follow_up(actor, person.pk), "Only the team can do this.")
    # The follow-up goes on the team's worklist: a broker chooses one of their own teams (the
    # view offers only those; checked here too, not left to the form).
    access.require(
        access.can_work_list(actor, team),
        "You can only put someone on follow-up with a team you are a member of.",
    )
    from outcomes.measures import threshold_values

    measure = registry().get(measure_id)
    if not measure.scorable:
        raise OutcomesRefused("Choose a measure that can be scored", field="measure_id")
    if value_id not in dict(threshold_values(measure)):
        raise OutcomesRefused(f"Choose a value {measure.name} reports", field="value_id")
    if not 1 <= reminder_days <= 365:
        raise OutcomesRefused("Enter a number of days from 1 to 365", field="reminder_days")
    if not 1 <= response_days <= 30:
        raise OutcomesRefused("Enter a number of days from 1 to 30", field="response_days")
    FollowUp.objects.filter(person=person, ended_on__isnull=True).update(ended_on=today())
    follow_up = FollowUp.objects.create(
        person=person,
        team=team,
        measure_id=measure.id,
        value_id=value_id,
        threshold=threshold,
        reminder_days=reminder_days,
        response_days=response_days,
        started_by=actor,
        started_on=today(),
    )
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        follow_up,
        person,
        f"Put on self-reported follow-up with {team.name}",
        request,
    )
    return follow_up


@transaction.atomic
def end_follow_up(*, follow_up: FollowUp, actor: User, request: HttpRequest | None = None) -> None:
    access.require(
        access.can_start_follow_up(actor, follow_up.person_id), "Only the team can do this."
    )
    if follow_up.ended_on is None:
        follow_up.ended_on = today()
        follow_up.save(update_fields=["ended_on"])
        _audit(
            actor, AuditEvent.Action.UPDATE, follow_up, follow_up.person, "Follow-up ended", request
        )


def past_threshold(follow_up: FollowUp, result: Score) -> bool:
    """The value is at the threshold or beyond it in its worse direction."""
    value = result.get(follow_up.value_id)
    threshold = Decimal(follow_up.threshold)
    from fractions import Fraction

    limit = Fraction(threshold)
    return value.value <= limit if value.higher_is_better else value.value >= limit


@transaction.atomic
def report(
    *,
    follow_up: FollowUp,
    actor: User,
    answers: dict[str, object] | None,
    contact_me: bool,
    note: str = "",
    answered_by: str | None = None,
    request: HttpRequest | None = None,
) -> FollowUpReport:
    """The person reports when they choose. Past the threshold, or 'please contact me', puts them
    on the team's worklist with a response deadline (the team is told by email)."""
    person = follow_up.person
    access.require(access.can_open(actor, person.pk), "You cannot report for this person.")
    if follow_up.ended_on is not None:
        raise OutcomesRefused("This follow-up has ended", field=None)
    answer_set = None
    crossed = False
    if answers is not None:
        answer_set, result = record_answers(
            person=person,
            actor=actor,
            measure_id=follow_up.measure_id,
            answers=answers,
            answered_on=today(),
            occasion=AnswerSet.Occasion.FOLLOW_UP,
            answered_by=answered_by,
            request=request,
        )
        crossed = past_threshold(follow_up, result)
    elif not contact_me:
        raise OutcomesRefused("Answer the questions, or ask us to contact you", field="contact_me")
    entry = FollowUpReport.objects.create(
        follow_up=follow_up,
        answer_set=answer_set,
        contact_me=contact_me,
        note=note.strip(),
        past_threshold=crossed,
    )
    reasons = []
    if crossed:
        reasons.append(WorkItem.Reason.THRESHOLD)
    if contact_me:
        reasons.append(WorkItem.Reason.CONTACT)
    due = timezone.now() + dt.timedelta(days=follow_up.response_days)
    for reason in reasons:
        WorkItem.objects.create(follow_up=follow_up, report=entry, reason=reason, due_by=due)
    if reasons:
        from django.urls import reverse

        notify(
            f"Someone on self-reported follow-up needs a reply by {timezone.localtime(due):%-d %B}",
            "A person on your team's self-reported follow-up needs contacting. See the worklist: "
            + site_url(reverse("outcomes:worklist")),
            [m.email for m in follow_up.team.members.all()],
            kind="follow_up",
        )
    _audit(
        actor,
        AuditEvent.Action.CREATE,
        entry,
        person,
        "Self-reported"
        + (" (past threshold)" if crossed else "")
        + (" (asked to be contacted)" if contact_me else ""),
        request,
    )
    return entry


@transaction.atomic
def close_work_item(
    *, item: WorkItem, actor: User, note: str, request: HttpRequest | None = None
) -> WorkItem:
    access.require(
        access.can_work_list(actor, item.follow_up.team), "This is not your team's list."
    )
    if not note.strip():
        raise OutcomesRefused("Say what was done", field="note")
    if item.done_at is None:
        item.done_at = timezone.now()
        item.done_by = actor
        item.done_note = note.strip()
        item.save(update_fields=["done_at", "done_by", "done_note"])
        _audit(
            actor,
            AuditEvent.Action.UPDATE,
            item,
            item.follow_up.person,
            "Contacted from the follow-up worklist",
            request,
        )
    return item


def last_reported_on(follow_up: FollowUp) -> dt.date:
    latest = follow_up.reports.order_by("-reported_at").first()
    if latest is None:
        return follow_up.started_on
    return max(follow_up.started_on, timezone.localtime(latest.reported_at).date())


def send_reminders(on: dt.date | None = None) -> int:
    """Remind each person who has not reported for their follow-up's period, once per quiet
    period, and put them on the team's worklist so nobody is dropped silently. Idempotent."""
    on = on or today()
    sent = 0
    for follow_up in FollowUp.objects.filter(ended_on__isnull=True).select_related(
        "person", "team"
    ):
        quiet_since = last_reported_on(follow_up)
        if (on - quiet_since).days < follow_up.reminder_days:
            continue
        with transaction.atomic():
            _, created = Reminder.objects.get_or_create(
                follow_up=follow_up, quiet_since=quiet_since
            )
            if not created:
                continue
            WorkItem.objects.create(
                follow_up=follow_up,
                reason=WorkItem.Reason.NOT_REPORTED,
                due_by=timezone.now() + dt.timedelta(days=follow_up.response_days),
            )
            from django.urls import reverse

            notify(
                "How are you doing? Report when you are ready",
                f"You have not reported for {follow_up.reminder_days} days. You can tell us how you "
                "are, or ask us to contact you, here: "
                + site_url(reverse("outcomes:report", args=[follow_up.person_id])),
                [follow_up.person.email],
                kind="outcomes_reminders",
            )
            record_audit(
                actor=None,
                action=AuditEvent.Action.CREATE,
                target=follow_up,
                subject=follow_up.person,
                summary=f"Reminder: not reported since {quiet_since.isoformat()}",
            )
            sent += 1
    return sent
