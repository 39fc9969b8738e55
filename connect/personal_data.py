"""What the connect app holds about a person: their own referrals (with onward referrals) are
exported and erased (funding awards stay, without the referral, so a community pot adds up);
referrals they made or worked on for others are exported as what and when,
and the account links are cleared on erasure (the other person's record stays); membership of a
referring organisation is exported and removed."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from connect.models import Invitation, Referral, ReferringOrganisation


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
        "wellbeing_answered": [
            {"stage": w.get_stage_display(), "answered_on": w.answered_on.isoformat()}
            for w in r.wellbeing.all()
        ],
        "funding": [
            {
                "pot": a.pot.name,
                "amount": a.amount_display,
                "purpose": a.purpose,
                "awarded_on": a.awarded_on.isoformat(),
            }
            for a in r.funding.select_related("pot")
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
    # Onward referrals and wellbeing links cascade; funding awards stay without the referral, so
    # the community pot still adds up (the ONS4 answers are erased by the outcomes app).
    Referral.objects.filter(person=person).delete()
    Invitation.objects.filter(person=person).delete()
    Referral.objects.filter(referred_by=person).update(referred_by=None)
    Referral.objects.filter(link_worker=person).update(link_worker=None)
    for org in ReferringOrganisation.objects.filter(staff=person):
        org.staff.remove(person)
