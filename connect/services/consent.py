"""The consent the person gives: to share back with the referrer, to onward referral, to outcomes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from connect.models import Referral
from connect.permissions import may_record_consent
from connect.services._common import ConnectError, local_today


@transaction.atomic
def record_consent(
    *,
    actor: User,
    referral: Referral,
    share_back: bool,
    onward: bool,
    outcomes: bool,
    on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    if not may_record_consent(actor, referral):
        raise ConnectError(
            "consent", "Only a link worker, or whoever made the referral, can record consent"
        )
    referral.consent_share_back = share_back
    referral.consent_onward = onward
    referral.consent_outcomes = outcomes
    referral.consent_recorded_on = on or local_today()
    referral.save()
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=referral,
        subject=referral.person,
        summary=f"Consent: share back {share_back}, onward {onward}, outcomes {outcomes}",
        request=request,
    )
    return referral
