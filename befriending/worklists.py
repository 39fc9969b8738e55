"""What needs doing in befriending, for the coordinator's home page. Read-only; the home page
names nobody in the counts (the items link to pages that audit who looks)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accounts.worklist import Item, Section, Task
from befriending import access, selectors

WAITING_DAYS = 14
"""A person waiting longer than this for a befriender is counted as waiting too long."""
LISTED = 10


def concerns_task() -> Task:
    concerns = list(selectors.unread_concerns())
    return Task(
        label="Concerns from befrienders to read",
        count=len(concerns),
        url=reverse("befriending:coordinate"),
        when=concerns[0].on if concerns else None,
        when_label="Oldest raised",
        overdue=len(concerns),
        overdue_label="not read yet",
        items=tuple(
            Item(
                label="A concern",
                url=reverse("befriending:match", args=[c.match_id]),
                when=c.on,
                when_label="Raised",
            )
            for c in concerns[:LISTED]
        ),
    )


def paused_task(today: dt.date) -> Task:
    paused = selectors.paused_matches(today)
    return Task(
        label="Matches paused because a check has lapsed",
        count=len(paused),
        url=reverse("befriending:coordinate"),
        overdue=len(paused),
        overdue_label="no contacts can be logged",
        hint="Record the new check on the befriender's page, or end the match well.",
        items=tuple(
            Item(
                label="A paused match",
                url=reverse("befriending:volunteer", args=[p.match.volunteer_id]),
                detail=" ".join(p.gaps),
                overdue=True,
            )
            for p in paused[:LISTED]
        ),
    )


def waiting_task(today: dt.date) -> Task:
    waiting = list(selectors.waiting_requests())
    late = [r for r in waiting if (today - r.received_on).days > WAITING_DAYS]
    return Task(
        label="People waiting for a befriender",
        count=len(waiting),
        url=reverse("befriending:coordinate"),
        when=waiting[0].received_on if waiting else None,
        when_label="Oldest asked",
        overdue=len(late),
        overdue_label=f"waiting more than {WAITING_DAYS} days",
        items=tuple(
            Item(
                label="A person waiting",
                url=reverse("befriending:request", args=[r.pk]),
                when=r.received_on,
                when_label="Asked",
                overdue=r in late,
            )
            for r in waiting[:LISTED]
        ),
    )


def agreement_task() -> Task:
    proposed = list(selectors.proposed_matches())
    return Task(
        label="Matches waiting for both sides to agree",
        count=len(proposed),
        url=reverse("befriending:coordinate"),
        when=proposed[0].proposed_on if proposed else None,
        when_label="Oldest suggested",
    )


def expiring_task(today: dt.date) -> Task:
    expiring = selectors.checks_expiring(today)
    return Task(
        label=f"Volunteers' checks to renew in the next {selectors.EXPIRING_DAYS} days",
        count=len(expiring),
        url=reverse("befriending:coordinate"),
        when=expiring[0].until if expiring else None,
        when_label="Soonest runs out after",
    )


def coordinator_tasks(today: dt.date | None = None) -> tuple[Task, ...]:
    today = today or timezone.localdate()
    return (
        concerns_task(),
        paused_task(today),
        waiting_task(today),
        agreement_task(),
        expiring_task(today),
    )


def sections_for(user: object) -> list[Section]:
    """The befriending section of a coordinator's home page (nothing for anyone else)."""
    if not access.is_coordinator(user):
        return []
    return [
        Section(
            key="befriending",
            title="Befriending",
            tasks=coordinator_tasks(),
            links=(("Coordinate befriending", reverse("befriending:coordinate")),),
        )
    ]
