"""What needs doing in the time bank, for staff home pages (issue 13). Read-only.

- :func:`coordinator_tasks`: applications to decide, requests nobody has answered, safeguarding
  checks about to expire, each linking to the page where it is done.
- :func:`commissioner_figures`: the time bank's report as totals, never a member's record."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.worklist import Figure, Item, Task
from rules.ledger.formatting import format_minutes
from timebank import selectors
from timebank.models import Exchange, Member, Request, Rota, SafeguardingCheck
from timebank.services.reminders import EXPIRY_WARNING_DAYS

WAITING_DAYS = 7
"""An application or a request waiting longer than this is counted as waiting too long."""

LISTED = 10
REPORT_DAYS = 365


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def applications(today: dt.date | None = None) -> Task:
    """Applications to join, oldest first; each is decided on the applicant's own page."""
    today = today or timezone.localdate()
    waiting = list(Member.objects.filter(status=Member.Status.APPLIED).order_by("applied_at", "id"))
    late = [m for m in waiting if (today - timezone.localdate(m.applied_at)).days > WAITING_DAYS]
    return Task(
        label="Applications to join",
        count=len(waiting),
        url=reverse("timebank:coordinator"),
        when=_day(waiting[0].applied_at) if waiting else None,
        when_label="Oldest applied",
        overdue=len(late),
        overdue_label=f"waiting more than {WAITING_DAYS} days",
        hint="Check references and DBS where needed, then approve or decline on the application.",
        items=tuple(
            Item(
                label=m.name or "An application",
                url=reverse("timebank:member", args=[m.pk]),
                when=_day(m.applied_at),
                when_label="Applied",
                overdue=m in late,
            )
            for m in waiting[:LISTED]
        ),
    )


def unanswered_requests(today: dt.date | None = None) -> Task:
    """Open requests nobody has offered to help with yet (no exchange proposed or confirmed, no
    rota), oldest first."""
    today = today or timezone.localdate()
    answered = Exchange.objects.filter(
        request=OuterRef("pk"),
        status__in=[Exchange.Status.PROPOSED, Exchange.Status.CONFIRMED],
    )
    waiting = list(
        Request.objects.filter(status=Request.Status.OPEN)
        .exclude(Exists(answered))
        .exclude(Exists(Rota.objects.filter(request=OuterRef("pk"))))
        .order_by("created_at", "id")
    )
    late = [r for r in waiting if (today - timezone.localdate(r.created_at)).days > WAITING_DAYS]
    return Task(
        label="Requests nobody has answered",
        count=len(waiting),
        url=reverse("timebank:requests"),
        when=_day(waiting[0].created_at) if waiting else None,
        when_label="Oldest asked",
        overdue=len(late),
        overdue_label=f"waiting more than {WAITING_DAYS} days",
        hint="Suggest a helper from the request's page, or tell the member what happens next.",
        items=tuple(
            Item(
                label=r.title,
                url=reverse("timebank:request", args=[r.pk]),
                when=_day(r.created_at),
                when_label="Asked",
                overdue=r in late,
            )
            for r in waiting[:LISTED]
        ),
    )


def checks_expiring(today: dt.date | None = None) -> Task:
    """Safeguarding checks of approved members that expire within the warning period."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    expiring = list(
        SafeguardingCheck.objects.filter(
            expires_on__gte=today, expires_on__lte=soon, member__status=Member.Status.APPROVED
        )
        .select_related("member")
        .order_by("expires_on", "id")
    )
    return Task(
        label="Safeguarding checks expiring",
        count=len(expiring),
        url=reverse("timebank:coordinator"),
        when=expiring[0].expires_on if expiring else None,
        when_label="First expires",
        hint=f"Checks that expire in the next {EXPIRY_WARNING_DAYS} days.",
        items=tuple(
            Item(
                label=f"{check.get_kind_display()}: {check.member.name}",
                url=reverse("timebank:member", args=[check.member_id]),
                when=check.expires_on,
                when_label="Expires",
            )
            for check in expiring[:LISTED]
        ),
    )


def coordinator_tasks(today: dt.date | None = None) -> tuple[Task, ...]:
    return (applications(today), unanswered_requests(today), checks_expiring(today))


def commissioner_figures(today: dt.date | None = None) -> tuple[Figure, ...]:
    """The last year of the time bank in totals (the same figures as its report page)."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=REPORT_DAYS)
    report = selectors.report(start, today)
    return (
        Figure("Approved members", str(report.members)),
        Figure("Members who gave or received time in the last year", str(report.active)),
        Figure("Time exchanged in the last year", format_minutes(report.total_minutes)),
        Figure(
            "Members who both gave and received",
            f"{report.reciprocity.share:.0%} of active members",
        ),
        Figure("Time credits issued in the last year", format_minutes(report.credits.issued)),
        Figure("Time credits spent in the last year", format_minutes(report.credits.spent)),
    )
