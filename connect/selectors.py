"""Reads for social prescribing referrals."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

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
    from django.db.models import Q

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
