"""What needs doing in participatory budgeting, for staff home pages (issue 13). Read-only.

:func:`round_tasks`: each round not yet finished, with its next date (ideas close, pitches open,
voting opens or closes), whether that date has passed without the round moving on, and the work
waiting in it (ideas to check and cost, registrations to decide, paper ballots to check), each
linking to the page where it is done. Counts only: no voter is named."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accounts.worklist import Item, Task
from participation.models import Phase, Project, Round, VoterRegistration

_NEXT_DATE = {
    Phase.IDEAS: ("ideas_close", "Ideas close"),
    Phase.FEASIBILITY: ("pitches_open", "Pitches open"),
    Phase.PITCHES: ("voting_open", "Voting opens"),
    Phase.VOTING: ("voting_close", "Voting closes"),
}


def _round_task(round_: Round, today: dt.date) -> Task:
    manage = reverse("participation:round-manage", args=[round_.slug])
    ideas = round_.projects.filter(status=Project.Status.PROPOSED).count()
    registrations = round_.registrations.filter(status=VoterRegistration.Status.PENDING).count()
    paper = round_.paper_entries.filter(confirmed_by__isnull=True).count()
    items = []
    if ideas:
        items.append(Item(label=f"Ideas to check and cost: {ideas}", url=manage))
    if registrations:
        items.append(
            Item(
                label=f"Registrations to decide: {registrations}",
                url=reverse("participation:registrations", args=[round_.slug]),
            )
        )
    if paper:
        items.append(Item(label=f"Paper ballots to check: {paper}", url=manage))
    if round_.phase == Phase.COUNTING:
        items.append(Item(label="Count the votes and publish the results", url=manage))
    field, when_label = _NEXT_DATE.get(Phase(round_.phase), ("", ""))
    when = getattr(round_, field) if field else None
    behind = when is not None and when < today
    return Task(
        label=f"{round_.title} ({round_.get_phase_display()})",
        count=ideas + registrations + paper + (1 if round_.phase == Phase.COUNTING else 0),
        url=manage,
        when=when,
        when_label=when_label,
        overdue=1 if behind else 0,
        overdue_label="date passed: move the round on",
        items=tuple(items),
        itemised=False,
    )


def round_tasks(today: dt.date | None = None) -> tuple[Task, ...]:
    """Rounds not yet showing results, the nearest date first."""
    today = today or timezone.localdate()
    rounds = Round.objects.exclude(phase=Phase.RESULTS).order_by("voting_close", "id")
    tasks = [_round_task(r, today) for r in rounds]
    return tuple(sorted(tasks, key=lambda t: (t.when is None, t.when or today)))
