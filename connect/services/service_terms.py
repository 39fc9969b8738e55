"""Whether a community service takes referrals, and its typical wait (set by the provider)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from connect.models import ServiceReferralTerms
from connect.permissions import acts_for_service
from connect.services._common import ConnectError, local_today
from directory import referral_selectors

MAX_WAIT_DAYS = 365


@transaction.atomic
def set_service_terms(
    *,
    actor: User,
    service_id: str,
    takes_referrals: bool,
    typical_wait_days: int | None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> ServiceReferralTerms:
    if not acts_for_service(actor, service_id):
        raise ConnectError("service", "You do not act for this service")
    if typical_wait_days is not None and not 0 <= typical_wait_days <= MAX_WAIT_DAYS:
        raise ConnectError(
            "typical_wait_days",
            f"Enter the typical wait as a number of days from 0 to {MAX_WAIT_DAYS}, or leave it "
            "empty if you do not know",
        )
    terms, _ = ServiceReferralTerms.objects.update_or_create(
        service_id=service_id,
        defaults={
            "takes_referrals": takes_referrals,
            "typical_wait_days": typical_wait_days,
            "updated_on": today or local_today(),
        },
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=terms,
        summary=(
            f"{referral_selectors.service_name(service_id)}: "
            f"{'taking' if takes_referrals else 'not taking'} referrals, typical wait "
            f"{'not known' if typical_wait_days is None else f'{typical_wait_days} days'}"
        ),
        request=request,
    )
    return terms
