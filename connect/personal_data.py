"""What the connect app holds about a person: their own referrals (with onward referrals) are
exported and erased; referrals they made or worked on for others are exported as what and when,
and the account links are cleared on erasure (the other person's record stays); membership of a
referring organisation is exported and removed."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from connect.models import Referral, ReferringOrganisation


def _referral(r: Referral) -> dict[str, Any]:
    return {
        "received_on": r.received_on.isoformat(),
        "source": r.get_source_display(),
        "reason": r.reason,
        "what_matters": r.what_matters,
        "status": r.get_status_display(),
        "consent": {
            "share_back": r.consent_share_back,
            "onward": r.consent_onward,
            "outcomes": r.consent_outcomes,
            "recorded_on": r.consent_recorded_on.isoformat() if r.consent_recorded_on else None,
        },
        "onward_referrals": [
            {
                "service_id": o.service_id,
                "status": o.get_status_display(),
                "sent_on": o.sent_on.isoformat(),
            }
            for o in r.onward.all()
        ],
    }


def export(person: User) -> dict[str, Any]:
    return {
        "referrals": [_referral(r) for r in Referral.objects.filter(person=person)],
        "referrals_made": [
            {"received_on": r.received_on.isoformat()}
            for r in Referral.objects.filter(referred_by=person).exclude(person=person)
        ],
        "caseload": [
            {"received_on": r.received_on.isoformat(), "status": r.get_status_display()}
            for r in Referral.objects.filter(link_worker=person).exclude(person=person)
        ],
        "referring_organisations": [
            o.name for o in ReferringOrganisation.objects.filter(staff=person)
        ],
    }


def erase(person: User) -> None:
    Referral.objects.filter(person=person).delete()  # onward referrals cascade
    Referral.objects.filter(referred_by=person).update(referred_by=None)
    Referral.objects.filter(link_worker=person).update(link_worker=None)
    for org in ReferringOrganisation.objects.filter(staff=person):
        org.staff.remove(person)
