"""Reads for social prescribing referrals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from connect.models import OnwardReferral, Referral, ReferringOrganisation, ServiceReferralTerms
from directory import referral_selectors
from rules.connect.summary import ReferralFacts, summary

OPEN = (
    Referral.Status.RECEIVED,
    Referral.Status.CONTACTED,
    Referral.Status.FIRST_CONVERSATION,
    Referral.Status.CONNECTED,
)


def caseload(worker: User) -> QuerySet[Referral]:
    """The link worker's open referrals, plus new ones nobody has picked up yet."""
    return (
        Referral.objects.filter(status__in=OPEN)
        .filter(Q(link_worker=worker) | Q(link_worker__isnull=True))
        .select_related("person", "referring_organisation")
        .order_by("received_on", "pk")
    )


def referrals_of(person: User) -> QuerySet[Referral]:
    return Referral.objects.filter(person=person).prefetch_related("onward")


def organisations_of(user: User) -> QuerySet[ReferringOrganisation]:
    return ReferringOrganisation.objects.filter(staff=user)


def service_terms(service_id: str) -> ServiceReferralTerms | None:
    return ServiceReferralTerms.objects.filter(service_id=service_id).first()


def onward_for_service_member(user: User) -> list[OnwardReferral]:
    rows = OnwardReferral.objects.select_related("referral__person").order_by("sent_on", "pk")
    return [o for o in rows if referral_selectors.acts_for_service(user, o.service_id)]


def _day(d: Any) -> str:
    return d.isoformat() if d else ""


def message_back(referral: Referral) -> dict[str, Any]:
    """The structured message back to the referrer, holding only what the person agreed to share."""
    facts = ReferralFacts(
        referral_id=str(referral.pk),
        person_name=referral.person.get_full_name(),
        referrer_name=(
            referral.referring_organisation.name
            if referral.referring_organisation
            else referral.get_source_display()
        ),
        reason=referral.reason,
        what_matters=referral.what_matters,
        status=referral.get_status_display(),
        received_on=_day(referral.received_on),
        first_conversation_on=_day(referral.first_conversation_on),
        closed_on=_day(referral.closed_on),
        declined=referral.status == Referral.Status.DECLINED,
        services=tuple(
            (referral_selectors.service_name(o.service_id), o.get_status_display())
            for o in referral.onward.all()
        ),
        wellbeing=(),
        consent_share_back=referral.consent_share_back,
        consent_outcomes=referral.consent_outcomes,
    )
    return summary(facts)


# --- for the evidence pages (aggregates only: no person is named) ---------------------------------


def declined_for_capacity(since: dt.date) -> list[dict[str, Any]]:
    """Onward referrals answered on or after ``since`` that a service could not take for lack of
    capacity: declined by the provider with the reason "No space", or declined automatically
    because nobody answered in time. One row per service, most declined first:
    ``{"service_id", "service_name", "count"}``."""
    rows = (
        OnwardReferral.objects.filter(answered_on__gte=since)
        .filter(
            Q(
                status=OnwardReferral.Status.DECLINED,
                decline_reason=OnwardReferral.DeclineReason.CAPACITY,
            )
            | Q(status=OnwardReferral.Status.AUTO_DECLINED)
        )
        .values("service_id")
        .annotate(count=Count("pk"))
    )
    found = [
        {
            "service_id": row["service_id"],
            "service_name": referral_selectors.service_name(row["service_id"]),
            "count": row["count"],
        }
        for row in rows
    ]
    return sorted(found, key=lambda r: (-r["count"], r["service_name"], r["service_id"]))


def people_supported(start: dt.date, end: dt.date) -> int:
    """How many different people a link worker was supporting at some time from ``start`` to
    ``end`` (both inclusive): their referral had reached a first conversation on or before
    ``end`` and had not been closed or declined before ``start``. A referral that never got to a
    first conversation (the person could not be reached, or declined at once) is not support."""
    if end < start:
        raise ValueError("The period must end on or after its start")
    return (
        Referral.objects.filter(first_conversation_on__isnull=False, first_conversation_on__lte=end)
        .exclude(closed_on__lt=start)
        .exclude(declined_on__lt=start)
        .values("person_id")
        .distinct()
        .count()
    )
