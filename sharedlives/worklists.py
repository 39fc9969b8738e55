"""What needs doing in Shared Lives, for the scheme worker's home page. Read-only.

Names people only as the scheme worker may see them (their own scheme's referrals and carers)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.worklist import Item, Section, Task
from sharedlives import access, selectors
from sharedlives.models import Carer, CarerCheck, Match

WAITING_DAYS = 28
"""A referral waiting longer than this for a match, or a match waiting this long for an answer,
is counted as waiting too long."""
EXPIRY_WARNING_DAYS = 30
LISTED = 10


def referrals_waiting(today: dt.date | None = None) -> Task:
    """Open referrals with no match in progress, oldest first: complete ones go to the shortlist,
    incomplete ones to the referral page that says what is missing."""
    today = today or timezone.localdate()
    busy = Match.objects.exclude(stage=Match.Stage.ENDED).values("referral_id")
    waiting = list(selectors.open_referrals().exclude(pk__in=busy).order_by("received_on", "pk"))
    late = [r for r in waiting if (today - r.received_on).days > WAITING_DAYS]
    items = []
    for r in waiting[:LISTED]:
        missing = selectors.referral_missing(r)
        items.append(
            Item(
                label=r.person.get_full_name(),
                url=reverse(
                    "sharedlives:referral" if missing else "sharedlives:shortlist", args=[r.pk]
                ),
                when=r.received_on,
                when_label="Received",
                overdue=r in late,
                status=f"{len(missing)} answers missing" if missing else "Ready to match",
            )
        )
    return Task(
        label="Referrals waiting for a match",
        count=len(waiting),
        url=reverse("sharedlives:home"),
        when=waiting[0].received_on if waiting else None,
        when_label="Oldest received",
        overdue=len(late),
        overdue_label=f"waiting more than {WAITING_DAYS} days",
        hint="Complete the referral, then ask both sides about someone on its shortlist.",
        items=tuple(items),
    )


def answers_waiting(today: dt.date | None = None) -> Task:
    """Matches where the person or the carer has not answered yet, oldest first."""
    today = today or timezone.localdate()
    waiting = list(selectors.open_matches().filter(stage=Match.Stage.PROPOSED))
    late = [m for m in waiting if (today - m.proposed_on).days > WAITING_DAYS]
    return Task(
        label="Matches waiting for an answer",
        count=len(waiting),
        url=reverse("sharedlives:home"),
        when=waiting[0].proposed_on if waiting else None,
        when_label="Oldest asked",
        overdue=len(late),
        overdue_label=f"waiting more than {WAITING_DAYS} days",
        items=tuple(
            Item(
                label=f"{m.referral.person.get_full_name()} and {m.carer.name}",
                url=reverse("sharedlives:match", args=[m.pk]),
                when=m.proposed_on,
                when_label="Asked",
                overdue=m in late,
            )
            for m in waiting[:LISTED]
        ),
    )


def checks_expiring(today: dt.date | None = None) -> Task:
    """Checks of approved households that expire within the warning period (or have just)."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    checks = list(
        CarerCheck.objects.filter(carer__status=Carer.Status.APPROVED, expires_on__lte=soon)
        .select_related("carer", "adult")
        .order_by("expires_on", "pk")
    )
    # only the latest check of each kind (and adult) counts: a renewed check is not expiring
    latest: dict[tuple[int, str, int | None], CarerCheck] = {}
    for c in CarerCheck.objects.filter(carer__status=Carer.Status.APPROVED).order_by(
        "checked_on", "pk"
    ):
        latest[(c.carer_id, c.kind, c.adult_id)] = c
    current = {c.pk for c in latest.values()}
    expiring = [c for c in checks if c.pk in current]
    return Task(
        label="Carers' checks expiring",
        count=len(expiring),
        url=reverse("sharedlives:home"),
        when=expiring[0].expires_on if expiring else None,
        when_label="First expires",
        overdue=sum(1 for c in expiring if c.expires_on and c.expires_on < today),
        overdue_label="already expired: the household cannot be matched",
        hint=f"Checks that expire in the next {EXPIRY_WARNING_DAYS} days, or have expired.",
        items=tuple(
            Item(
                label=f"{c.get_kind_display()}{f' for {c.adult.name}' if c.adult else ''}: {c.carer.name}",
                url=reverse("sharedlives:carer", args=[c.carer_id]),
                when=c.expires_on,
                when_label="Expires",
                overdue=bool(c.expires_on and c.expires_on < today),
            )
            for c in expiring[:LISTED]
        ),
    )


def assessments(today: dt.date | None = None) -> Task:
    waiting = list(Carer.objects.filter(status=Carer.Status.APPLYING).order_by("created_on", "pk"))
    return Task(
        label="Carer households being assessed",
        count=len(waiting),
        url=reverse("sharedlives:home"),
        when=waiting[0].created_on if waiting else None,
        when_label="Oldest started",
        items=tuple(
            Item(
                label=c.name,
                url=reverse("sharedlives:carer", args=[c.pk]),
                when=c.created_on,
                when_label="Started",
            )
            for c in waiting[:LISTED]
        ),
    )


def sections_for(user: User) -> list[Section]:
    """The Shared Lives section of a scheme worker's home page (none for anyone else)."""
    if not access.is_scheme_worker(user):
        return []
    return [
        Section(
            key="sharedlives",
            title="Shared Lives",
            tasks=(referrals_waiting(), answers_waiting(), checks_expiring(), assessments()),
            links=(
                ("Shared Lives: carers, referrals and matches", reverse("sharedlives:home")),
                ("Add a referral", reverse("sharedlives:referral_new")),
            ),
        )
    ]
