"""What needs doing in the directory, for staff home pages (issue 13). Read-only.

- :func:`moderation_tasks` (coordinators): enquiries to pass on to providers the directory cannot
  email, listing changes and reviews waiting for moderation.
- :func:`provider_tasks`: the provider's enquiries waiting for a reply, and their listing changes
  with their status (waiting, published, not published and why).
- :func:`commissioner_figures`: enquiries sent and answered, as totals.

Imports of Open Referral feeds are run from the command line and keep no record in the database
yet, so there is no "imports needing attention" list to show."""

from __future__ import annotations

import datetime as dt
from statistics import median

from django.db.models import F, Max, Min, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.worklist import Figure, Item, Task
from directory.enquiry_routing import enquiries_to_pass_on
from directory.models import Enquiry, ListingChange, Review
from directory.services.providers import organizations_of

LISTED = 10
RECENT_DAYS = 30
"""Listing changes decided within this many days stay on the provider's list with their status."""
ENQUIRY_REPORT_DAYS = 90


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def _change_label(change: ListingChange) -> str:
    if change.service is not None:
        return f"Change to {change.service.name}"
    name = change.proposed.get("name") if isinstance(change.proposed, dict) else None
    return f"New service: {name}" if name else "New service"


# --- coordinators --------------------------------------------------------------------------------


def moderation_tasks() -> tuple[Task, ...]:
    changes = list(
        ListingChange.objects.filter(state=ListingChange.State.PENDING)
        .select_related("service", "organization")
        .order_by("submitted_at", "id")
    )
    reviews = list(
        Review.objects.filter(state=Review.State.PENDING)
        .select_related("service")
        .order_by("created_at", "id")
    )
    moderation = reverse("directory:moderation")
    to_pass_on = enquiries_to_pass_on()
    return (
        Task(
            label="Enquiries to pass on to providers",
            count=len(to_pass_on),
            url=moderation,
            when=_day(to_pass_on[0].waiting_since) if to_pass_on else None,
            when_label="Oldest waiting",
            hint="The provider has no email address on the directory, or the email failed.",
            items=tuple(
                Item(
                    label=f"{e.subject} (for {e.service.organization.name})",
                    url=reverse("directory:enquiry", args=[e.pk]),
                    when=_day(e.waiting_since),
                    when_label="Waiting since",
                )
                for e in to_pass_on[:LISTED]
            ),
        ),
        Task(
            label="Listing changes to publish or refuse",
            count=len(changes),
            url=moderation,
            when=_day(changes[0].submitted_at) if changes else None,
            when_label="Oldest sent",
            hint="Nothing reaches the public directory until you publish it.",
            items=tuple(
                Item(
                    label=f"{_change_label(c)} ({c.organization.name})",
                    url=reverse("directory:moderate-change", args=[c.pk]),
                    when=_day(c.submitted_at),
                    when_label="Sent",
                )
                for c in changes[:LISTED]
            ),
        ),
        Task(
            label="Reviews to moderate",
            count=len(reviews),
            url=moderation,
            when=_day(reviews[0].created_at) if reviews else None,
            when_label="Oldest written",
            items=tuple(
                Item(
                    label=f"Review of {r.service.name}",
                    url=reverse("directory:moderate-review", args=[r.pk]),
                    when=_day(r.created_at),
                    when_label="Written",
                )
                for r in reviews[:LISTED]
            ),
        ),
    )


# --- providers -----------------------------------------------------------------------------------


def enquiries_to_answer(user: User) -> Task:
    """Enquiries to the user's organisations whose latest message is from the person asking
    (nobody from the provider has replied since), longest waiting first."""
    orgs = organizations_of(user)
    found = (
        Enquiry.objects.filter(service__organization__in=orgs)
        .select_related("service")
        .annotate(
            asked=Max("messages__sent_at", filter=Q(messages__from_provider=False)),
            replied=Max("messages__sent_at", filter=Q(messages__from_provider=True)),
        )
        .filter(asked__isnull=False)
        .filter(Q(replied__isnull=True) | Q(replied__lt=F("asked")))
        .order_by("asked", "id")
        if orgs
        else Enquiry.objects.none()
    )
    waiting = list(found)
    return Task(
        label="Enquiries to answer",
        count=len(waiting),
        url=reverse("directory:inbox"),
        when=_day(waiting[0].asked) if waiting else None,  # type: ignore[attr-defined]
        when_label="Oldest waiting since",
        items=tuple(
            Item(
                label=f"{e.subject} ({e.service.name})",
                url=reverse("directory:enquiry", args=[e.pk]),
                when=_day(e.asked),  # type: ignore[attr-defined]
                when_label="Waiting since",
            )
            for e in waiting[:LISTED]
        ),
    )


def listing_changes(user: User, today: dt.date | None = None) -> Task:
    """The organisations' listing changes still waiting, and those decided in the last
    :data:`RECENT_DAYS` days with their result (a refusal with its reason)."""
    today = today or timezone.localdate()
    orgs = organizations_of(user)
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    changes = (
        list(
            ListingChange.objects.filter(organization__in=orgs)
            .filter(Q(state=ListingChange.State.PENDING) | Q(decided_at__gte=since))
            .select_related("service")
            .order_by("-submitted_at", "-id")
        )
        if orgs
        else []
    )
    pending = [c for c in changes if c.state == ListingChange.State.PENDING]
    refused = [c for c in changes if c.state == ListingChange.State.REFUSED]
    return Task(
        label="Listing changes waiting for a coordinator",
        count=len(pending),
        url=reverse("directory:provider-home"),
        when=_day(min(c.submitted_at for c in pending)) if pending else None,
        when_label="Oldest sent",
        overdue=len(refused),
        overdue_label=f"not published in the last {RECENT_DAYS} days: read why",
        hint="A coordinator checks each change before it appears in the directory.",
        items=tuple(
            Item(
                label=_change_label(c),
                url=(
                    reverse("directory:listing-edit", args=[c.service_id])
                    if c.state == ListingChange.State.REFUSED and c.service_id
                    else reverse("directory:provider-home")
                ),
                when=_day(c.decided_at or c.submitted_at),
                when_label="Sent" if c.state == ListingChange.State.PENDING else "Decided",
                status=c.get_state_display(),
                overdue=c.state == ListingChange.State.REFUSED,
                detail=c.reason if c.state == ListingChange.State.REFUSED else "",
            )
            for c in changes[:LISTED]
        ),
    )


def provider_tasks(user: User, today: dt.date | None = None) -> tuple[Task, ...]:
    return (enquiries_to_answer(user), listing_changes(user, today))


# --- commissioners -------------------------------------------------------------------------------


def commissioner_figures(today: dt.date | None = None) -> tuple[Figure, ...]:
    """Enquiries sent in the last :data:`ENQUIRY_REPORT_DAYS` days: how many, how many a
    provider answered, and the median time to the first answer."""
    today = today or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=ENQUIRY_REPORT_DAYS)
    rows = list(
        Enquiry.objects.filter(created_at__gte=since)
        .annotate(first_reply=Min("messages__sent_at", filter=Q(messages__from_provider=True)))
        .values_list("created_at", "first_reply")
    )
    answered = [reply - sent for sent, reply in rows if reply is not None]
    hours = median(d.total_seconds() / 3600 for d in answered) if answered else None
    share = f" ({len(answered) / len(rows):.0%})" if rows else ""
    return (
        Figure(f"Enquiries sent in the last {ENQUIRY_REPORT_DAYS} days", str(len(rows))),
        Figure("Enquiries a provider answered", f"{len(answered)}{share}"),
        Figure(
            "Typical time to the first answer (median)",
            _duration(hours) if hours is not None else "No answers yet",
        ),
        Figure(
            "Listing changes waiting for moderation",
            str(ListingChange.objects.filter(state=ListingChange.State.PENDING).count()),
        ),
    )


def _duration(hours: float) -> str:
    if hours < 1:
        return "less than an hour"
    if hours < 48:
        whole = round(hours)
        return f"{whole} hour{'s' if whole != 1 else ''}"
    days = round(hours / 24)
    return f"{days} days"
