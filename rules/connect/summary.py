"""The message back to the referrer and GP, in the shape of the PRSB Social Prescribing Information
Standard v1.1 (January 2023) "Message back to GP and referrer", holding only what the person agreed to
share back. Anything not consented is left out entirely, not blanked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# SNOMED CT concepts, as listed by Social Rx, "What are the social prescribing SNOMED codes"
# (https://www.socialrx.co.uk/blogs/blog/social-prescribing-snomed-codes-why-important).
REFERRAL_TO_SOCIAL_PRESCRIBING = ("871731000000106", "Referral to social prescribing service")
SOCIAL_PRESCRIBING_DECLINED = ("871711000000103", "Social prescribing declined")
SNOMED_SYSTEM = "http://snomed.info/sct"
STANDARD = "PRSB Social Prescribing Information Standard v1.1 (January 2023), Message back to GP and referrer"


@dataclass(frozen=True)
class ReferralFacts:
    """Everything the link worker holds; the summary picks from it by consent."""

    referral_id: str
    person_name: str
    referrer_name: str
    reason: str
    what_matters: str
    status: str
    received_on: str
    first_conversation_on: str
    closed_on: str
    declined: bool
    services: tuple[tuple[str, str], ...] = ()  # (service name, outcome of the onward referral)
    wellbeing: tuple[tuple[str, str], ...] = ()  # (when, score in words)
    consent_share_back: bool = False
    consent_outcomes: bool = False
    notes: tuple[str, ...] = field(default=())


def summary(facts: ReferralFacts) -> dict[str, Any]:
    """The structured message back. Without consent to share back only the fact of the referral and
    its coded state go: the referrer needs to know the referral was handled, nothing more."""
    code, display = (
        SOCIAL_PRESCRIBING_DECLINED if facts.declined else REFERRAL_TO_SOCIAL_PRESCRIBING
    )
    out: dict[str, Any] = {
        "standard": STANDARD,
        "referral_id": facts.referral_id,
        "referrer": facts.referrer_name,
        "social_prescribing_status": {"system": SNOMED_SYSTEM, "code": code, "display": display},
        "person_consented_to_share": facts.consent_share_back,
    }
    if not facts.consent_share_back:
        return out
    out["person"] = {"name": facts.person_name}
    out["referral_details"] = {"reason_for_referral": facts.reason, "received": facts.received_on}
    out["what_matters_to_me"] = facts.what_matters
    out["social_prescribing_activity"] = {
        "status": facts.status,
        "first_conversation": facts.first_conversation_on,
        "discharged": facts.closed_on,
        "connected_to": [{"service": s, "outcome": o} for s, o in facts.services],
    }
    if facts.consent_outcomes:
        out["outcome_measures"] = [{"when": w, "result": r} for w, r in facts.wellbeing]
    return out
