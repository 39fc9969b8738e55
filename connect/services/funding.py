"""Funding follows the referral: micro-grants and time credits from community pots, each awarded
exactly once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import HttpRequest

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from connect.models import CommunityPot, FundingAward, Referral
from connect.permissions import is_link_worker
from connect.services._common import ConnectError, local_today
from rules.connect.funding import credits_problem, grant_problem
from rules.ledger.errors import LedgerError
from rules.ledger.units import Money


def pot_remaining_pence(pot: CommunityPot) -> int:
    spent = FundingAward.objects.filter(pot=pot).aggregate(total=Sum("amount_pence"))["total"]
    return pot.total_pence - int(spent or 0)


def _pounds_to_pence(amount: Decimal | str | None) -> int:
    try:
        return Money.from_pounds(Decimal(str(amount)) if amount is not None else "").units
    except (LedgerError, InvalidOperation, ValueError):
        raise ConnectError(
            "amount", "Enter the amount in pounds and pence, like 25 or 25.50"
        ) from None


def award_funding(
    *,
    actor: User,
    referral: Referral,
    pot: CommunityPot,
    purpose: str,
    key: str,
    amount: Decimal | str | None = None,
    hours: int | None = None,
    today: dt.date | None = None,
    request: HttpRequest | None = None,
) -> tuple[FundingAward, bool]:
    """Attach a micro-grant or time credits from a community pot to a referral, exactly once:
    the same ``key`` again (a second click, a retry) returns the first award and posts nothing
    (``created`` False). Time credits go through the time bank's own ledger
    (``timebank.services.issue_credits``) with the same key, so they are issued once there too."""
    if not is_link_worker(actor):
        raise ConnectError("pot", "Only a link worker can attach funding")
    if not key or len(key) > 90 or not key.replace("-", "").isalnum():
        raise ConnectError("pot", "This form has expired. Reload the page and try again")
    if not purpose.strip():
        raise ConnectError("purpose", "Say what the funding is for, like 'art class materials'")
    if referral.status in (Referral.Status.DECLINED, Referral.Status.CLOSED):
        raise ConnectError("pot", "Funding can only be attached to an open referral")
    day = today or local_today()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                locked = CommunityPot.objects.select_for_update().get(pk=pot.pk)
                existing = FundingAward.objects.filter(key=key).first()
                if existing is not None:
                    if existing.referral_id != referral.pk or existing.pot_id != pot.pk:
                        raise ConnectError(
                            "pot", "This form was already used. Reload the page and try again"
                        )
                    return existing, False
                if not locked.active:
                    raise ConnectError("pot", "This pot is closed: choose another")
                if locked.kind == CommunityPot.Kind.MONEY:
                    award = _award_money(actor, referral, locked, purpose, key, amount, day)
                else:
                    award = _award_time(actor, referral, locked, purpose, key, hours, day)
                record_audit(
                    actor=actor,
                    action=AuditEvent.Action.CREATE,
                    target=award,
                    subject=referral.person,
                    summary=f"Funding from {locked.name}: "
                    + (
                        str(Money(award.amount_pence))
                        if award.amount_pence
                        else f"{award.minutes // 60} hours of time credits"
                    ),
                    request=request,
                )
                return award, True
        except IntegrityError:
            continue  # the same key stored by a concurrent request: look again
    found = FundingAward.objects.filter(key=key, referral=referral).first()
    if found is None:
        raise ConnectError("pot", "This could not be recorded. Try again")
    return found, False


def _award_money(
    actor: User,
    referral: Referral,
    pot: CommunityPot,
    purpose: str,
    key: str,
    amount: Decimal | str | None,
    day: dt.date,
) -> FundingAward:
    pence = _pounds_to_pence(amount)
    problem = grant_problem(
        amount_pence=pence,
        max_award_pence=pot.max_award_pence,
        remaining_pence=pot_remaining_pence(pot),
    )
    if problem:
        raise ConnectError("amount", problem)
    return FundingAward.objects.create(
        key=key,
        referral=referral,
        pot=pot,
        amount_pence=pence,
        purpose=purpose.strip()[:300],
        awarded_on=day,
        awarded_by=actor,
    )


def _award_time(
    actor: User,
    referral: Referral,
    pot: CommunityPot,
    purpose: str,
    key: str,
    hours: int | None,
    day: dt.date,
) -> FundingAward:
    from timebank import selectors as timebank_selectors
    from timebank import services as timebank

    if hours is None:
        raise ConnectError("hours", "Enter the number of hours of time credits, like 5")
    minutes = hours * 60
    problem = credits_problem(minutes=minutes, max_award_minutes=pot.max_award_minutes)
    if problem:
        raise ConnectError("hours", problem)
    member = timebank_selectors.member_for(referral.person)
    if member is None or member.status != "approved":
        raise ConnectError(
            "pot",
            "The person is not an approved time bank member yet: ask them to join the time bank "
            "first, or choose a micro-grant",
        )
    issuer: Any = (
        timebank_selectors.approved_members().filter(pk=pot.timebank_issuer_id).first()
        if pot.timebank_issuer_id
        else None
    )
    if issuer is None:
        raise ConnectError("pot", "This pot has no time bank organisation to issue its credits")
    try:
        txn = timebank.issue_credits(
            by=actor,
            organisation=issuer,
            member=member,
            minutes=minutes,
            reason=f"Social prescribing: {purpose.strip()[:100]}",
            idempotency_key=f"connect-{key}",
        )
    except timebank.TimebankRefused as refused:
        raise ConnectError("pot", str(refused)) from None
    return FundingAward.objects.create(
        key=key,
        referral=referral,
        pot=pot,
        minutes=minutes,
        purpose=purpose.strip()[:300],
        awarded_on=day,
        awarded_by=actor,
        timebank_transaction_id=txn.pk,
    )
