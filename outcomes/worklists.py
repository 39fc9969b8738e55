"""What needs doing in outcomes, for staff home pages (issue 13). Read-only.

:func:`follow_up_task`: the follow-up worklist of the user's teams (people to contact by a
deadline) as counts and the next deadline. It names nobody: opening the worklist itself is what
shows (and audits) who is on it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.worklist import Task
from outcomes import access, selectors


def on_a_team(user: User) -> bool:
    return bool(access.teams_of(user))


def follow_up_task(user: User, now: dt.datetime | None = None) -> Task | None:
    """None when the user is on no team with a worklist."""
    teams = access.teams_of(user)
    if not teams:
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    dues = list(selectors.worklist(teams).values_list("due_by", flat=True))
    overdue = sum(1 for due in dues if due < now)
    today_count = sum(1 for due in dues if due >= now and timezone.localdate(due) == today)
    names = ", ".join(team.name for team in teams[:3]) + (" and others" if len(teams) > 3 else "")
    hint = f"People to contact for {names}."
    if today_count:
        hint += f" {today_count} due today."
    return Task(
        label="Follow-up: people to contact",
        count=len(dues),
        url=reverse("outcomes:worklist"),
        when=timezone.localdate(min(dues)) if dues else None,
        when_label="Next contact due by",
        overdue=overdue,
        overdue_label="past their deadline",
        hint=hint,
    )
