"""What needs doing in social prescribing, for staff home pages. Read-only; names nobody on the
home page itself (the caseload and inbox pages show, and audit, who)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.worklist import Section, Task
from connect import permissions, selectors
from connect.models import OnwardReferral, Referral

RECENT_DAYS = 14


def new_referrals_task() -> Task:
    days = list(
        Referral.objects.filter(status=Referral.Status.RECEIVED, link_worker__isnull=True)
        .order_by("received_on")
        .values_list("received_on", flat=True)
    )
    return Task(
        label="New referrals nobody has picked up",
        count=len(days),
        url=reverse("connect:caseload"),
        when=days[0] if days else None,
        when_label="Oldest received",
    )


def caseload_task(worker: User) -> Task:
    rows = list(selectors.caseload(worker).filter(link_worker=worker))
    return Task(
        label="Open referrals on your caseload",
        count=len(rows),
        url=reverse("connect:caseload"),
        when=min((r.received_on for r in rows), default=None),
        when_label="Oldest received",
    )


def declined_task(worker: User, today: dt.date | None = None) -> Task:
    """Onward referrals of the worker's people declined (by the service or automatically) in the
    last fortnight: the person needs another option."""
    today = today or timezone.localdate()
    rows = list(
        OnwardReferral.objects.filter(
            referral__link_worker=worker,
            status__in=(OnwardReferral.Status.DECLINED, OnwardReferral.Status.AUTO_DECLINED),
            answered_on__gte=today - dt.timedelta(days=RECENT_DAYS),
        ).values_list("status", flat=True)
    )
    return Task(
        label=f"Onward referrals declined in the last {RECENT_DAYS} days",
        count=len(rows),
        url=reverse("connect:caseload"),
        overdue=sum(1 for s in rows if s == OnwardReferral.Status.AUTO_DECLINED),
        overdue_label="declined automatically (no answer in time)",
    )


def provider_task(user: User, today: dt.date | None = None) -> Task | None:
    today = today or timezone.localdate()
    waiting = [
        o
        for o in selectors.onward_for_service_member(user)
        if o.status == OnwardReferral.Status.SENT
    ]
    if not waiting:
        return None
    return Task(
        label="Social prescribing referrals to accept or decline",
        count=len(waiting),
        url=reverse("connect:provider_inbox"),
        when=min(o.answer_due for o in waiting),
        when_label="Next answer due by",
        overdue=sum(1 for o in waiting if o.answer_due < today),
        overdue_label="past the answer date (they are declined automatically)",
    )


def sections_for(user: User) -> list[Section]:
    """Link workers' section (and coordinators', who keep oversight), and services' inbox."""
    found: list[Section] = []
    if permissions.is_link_worker(user):
        found.append(
            Section(
                key="connect",
                title="Social prescribing",
                tasks=(new_referrals_task(), caseload_task(user), declined_task(user)),
                links=(
                    ("Caseload", reverse("connect:caseload")),
                    ("Make a referral", reverse("connect:refer")),
                    ("Reports", reverse("connect:reports")),
                ),
            )
        )
    inbox = provider_task(user)
    if inbox is not None:
        found.append(
            Section(
                key="connect-services",
                title="Social prescribing referrals to your services",
                tasks=(inbox,),
                links=(("Referral details of your services", reverse("connect:terms")),),
            )
        )
    return found
