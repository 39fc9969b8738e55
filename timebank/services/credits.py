"""Time credits: organisations issue them to members, members spend them with partners."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from rules.ledger import format_minutes
from timebank.models import LedgerTransaction, Member
from timebank.permissions import may_issue_credits, may_record_credits_spent
from timebank.services._common import TimebankRefused
from timebank.services.ledger import _post, account_for
from timebank.services.members import _require_approved

MAX_CREDIT_MINUTES = 1000 * 60
"""Time credits issued or spent in one entry: at most 1000 hours (a posting is a 32-bit integer)."""


def issue_credits(
    *,
    by: User,
    organisation: Member,
    member: Member,
    minutes: int,
    reason: str,
    idempotency_key: str,
) -> LedgerTransaction:
    """An organisation thanks a member for a contribution with time credits."""
    if not may_issue_credits(by, organisation):
        raise TimebankRefused("Only the organisation, or a coordinator, can issue its credits.")
    if not organisation.is_organisation:
        raise TimebankRefused("Time credits are issued by organisations.")
    _check_minutes(minutes, "The time credited")
    return _move_credits(
        by=by,
        source=organisation,
        destination=member,
        minutes=minutes,
        kind=LedgerTransaction.Kind.ISSUE,
        key=f"issue:{idempotency_key}",
        memo=f"{organisation.name}: {reason}",
        summary=f"{organisation.name} issued {format_minutes(minutes)} to {member.name}",
    )


def redeem_credits(
    *,
    by: User,
    member: Member,
    partner: Member,
    minutes: int,
    activity: str,
    idempotency_key: str,
) -> LedgerTransaction:
    """A member spends time credits on an activity at a partner (an art class, a museum visit)."""
    if not may_record_credits_spent(by, member, partner):
        raise TimebankRefused("Only the member, the partner or a coordinator can record this.")
    if not partner.is_organisation:
        raise TimebankRefused("Time credits are spent with partner organisations.")
    _check_minutes(minutes, "The time spent")
    return _move_credits(
        by=by,
        source=member,
        destination=partner,
        minutes=minutes,
        kind=LedgerTransaction.Kind.REDEMPTION,
        key=f"redeem:{idempotency_key}",
        memo=f"{activity} at {partner.name}",
        summary=f"{member.name} spent {format_minutes(minutes)} at {partner.name}",
    )


def _check_minutes(minutes: int, what: str) -> None:
    """A whole number of minutes, more than zero and at most MAX_CREDIT_MINUTES: checked before
    any text is made from it, so a wrong value is refused, not a crash."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise TimebankRefused(f"{what} must be more than zero.", field="minutes")
    if minutes > MAX_CREDIT_MINUTES:
        raise TimebankRefused(
            f"{what} can be at most {format_minutes(MAX_CREDIT_MINUTES)} at a time.",
            field="minutes",
        )


def _move_credits(
    *,
    by: User,
    source: Member,
    destination: Member,
    minutes: int,
    kind: str,
    key: str,
    memo: str,
    summary: str,
) -> LedgerTransaction:
    """Post time credits from one approved member to another, audited against the member whose
    credits they are (the receiver of an issue, the spender of a redemption). A retry with the
    same key returns the first entry and is not audited again (it wrote nothing)."""
    for m in (source, destination):
        _require_approved(m, who=m.name)
    person = destination if kind == LedgerTransaction.Kind.ISSUE else source
    with transaction.atomic():
        retry = LedgerTransaction.objects.filter(key=key).exists()
        txn = _post(
            key=key,
            kind=kind,
            amounts={account_for(source): -minutes, account_for(destination): minutes},
            effective=timezone.localdate(),
            memo=memo,
            by=by,
        )
        if not retry:
            record_audit(
                actor=by,
                action=AuditEvent.Action.CREATE,
                target=txn,
                subject=person.user,
                summary=summary,
            )
    return txn
