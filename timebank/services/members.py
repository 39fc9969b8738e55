"""Joining the time bank: applications, approval (with the joining credit), debit limits,
safeguarding (DBS) checks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from rules.ledger import format_minutes
from timebank.models import (
    AVAILABILITY_CHOICES,
    Account,
    LedgerTransaction,
    Member,
    SafeguardingCheck,
)
from timebank.services._common import (
    TimebankRefused,
    _notify,
    _notify_coordinators,
    _require_coordinator,
    _require_date_in_range,
)
from timebank.services.ledger import _post, account_for, issuer_account

if TYPE_CHECKING:
    from directory.models import Neighbourhood


def joining_credit_minutes() -> int:
    """Minutes credited on approval (settings.TIMEBANK_JOINING_CREDIT_MINUTES, default 5 hours)."""
    return int(settings.TIMEBANK_JOINING_CREDIT_MINUTES)


def _clean_availability(codes: Iterable[str]) -> list[str]:
    allowed = {code for code, _ in AVAILABILITY_CHOICES}
    chosen = [c for c in codes if c in allowed]
    return sorted(set(chosen), key=[c for c, _ in AVAILABILITY_CHOICES].index)


@transaction.atomic
def apply_to_join(
    *,
    user: User,
    kind: str = Member.Kind.PERSON,
    name: str = "",
    neighbourhood: Neighbourhood | None = None,
    about: str = "",
    access_needs: str = "",
    availability: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> Member:
    if Member.objects.filter(user=user).exists():
        raise TimebankRefused("You have already applied to join the time bank.")
    if kind not in Member.Kind.values:
        raise TimebankRefused("Choose whether you are joining as a person or an organisation.")
    member = Member.objects.create(
        user=user,
        kind=kind,
        name=(name or user.get_full_name()).strip()[:150],
        neighbourhood=neighbourhood,
        about=about,
        access_needs=access_needs,
        availability=_clean_availability(availability),
    )
    Account.objects.create(member=member)
    record_audit(
        actor=user,
        action=AuditEvent.Action.CREATE,
        target=member,
        subject=user,
        summary="Applied to join the time bank",
        request=request,
    )
    _notify_coordinators(
        "New time bank application", f"{member.name} has applied to join the time bank."
    )
    return member


@transaction.atomic
def approve_member(
    *, coordinator: User, member: Member, request: HttpRequest | None = None
) -> Member:
    """Approve an application and credit the joining hours from the time bank's own account."""
    _require_coordinator(coordinator)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status == Member.Status.APPROVED:
        return member
    if member.user_id == coordinator.pk:
        raise TimebankRefused("Another coordinator must approve your own application.")
    member.status = Member.Status.APPROVED
    member.approved_at = timezone.now()
    member.approved_by = coordinator
    member.save(update_fields=["status", "approved_at", "approved_by"])
    account = account_for(member)
    credit = joining_credit_minutes()
    if credit > 0:
        _post(
            key=f"joining:{member.pk}",
            kind=LedgerTransaction.Kind.JOINING_CREDIT,
            amounts={issuer_account(): -credit, account: credit},
            effective=timezone.localdate(),
            memo=f"Joining credit: {format_minutes(credit)}",
            by=coordinator,
        )
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.UPDATE,
        target=member,
        subject=member.user,
        summary="Approved as a time bank member",
        request=request,
    )
    _notify(
        "You are now a time bank member",
        f"Welcome to the time bank, {member.name}. "
        f"We have added {format_minutes(credit)} to your account to get you started.",
        [member.user.email],
        "timebank_membership",
    )
    return member


@transaction.atomic
def decline_member(
    *, coordinator: User, member: Member, reason: str, request: HttpRequest | None = None
) -> Member:
    _require_coordinator(coordinator)
    if member.status != Member.Status.APPLIED:
        raise TimebankRefused("Only an application that is waiting can be declined.")
    member.status = Member.Status.DECLINED
    member.save(update_fields=["status"])
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.UPDATE,
        target=member,
        subject=member.user,
        summary=f"Application not approved: {reason}"[:300],
        request=request,
    )
    _notify(
        "Your application to join the time bank",
        f"{member.name}, your application to join the time bank was not approved.\n\n"
        f"The reason: {reason.strip()}\n\nIf you have questions, contact the time bank "
        "coordinator or apply again when things change.",
        [member.user.email],
        "timebank_membership",
    )
    return member


@transaction.atomic
def set_debit_limit(*, coordinator: User, member: Member, minutes: int | None) -> Account:
    _require_coordinator(coordinator)
    if member.is_organisation:
        raise TimebankRefused(
            f"{member.name} is an organisation. Organisations' accounts have no debit limit: "
            "they issue time credits."
        )
    if minutes is not None and minutes > 0:
        raise TimebankRefused("A debit limit is the lowest balance allowed: zero or below.")
    account = account_for(member)
    account.debit_limit = minutes
    account.save(update_fields=["debit_limit"])
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.UPDATE,
        target=account,
        subject=member.user,
        summary=f"Debit limit set to {'the default' if minutes is None else format_minutes(minutes)}",
    )
    return account


@transaction.atomic
def record_check(
    *,
    coordinator: User,
    member: Member,
    kind: str,
    checked_on: date,
    expires_on: date | None = None,
    notes: str = "",
    request: HttpRequest | None = None,
) -> SafeguardingCheck:
    _require_coordinator(coordinator)
    if kind not in SafeguardingCheck.Kind.values:
        raise TimebankRefused("Choose the kind of check.", field="kind")
    _require_date_in_range(checked_on, "The date of the check", field="checked_on")
    if expires_on is not None:
        _require_date_in_range(expires_on, "The renewal date", field="expires_on")
    if checked_on > timezone.localdate():
        raise TimebankRefused(
            "The date of the check must be today or in the past.", field="checked_on"
        )
    if expires_on is not None and expires_on <= checked_on:
        raise TimebankRefused(
            "The check must expire after the date it was made.", field="expires_on"
        )
    if kind != SafeguardingCheck.Kind.REFERENCE and expires_on is None:
        raise TimebankRefused("Enter when the DBS check should be renewed.", field="expires_on")
    check = SafeguardingCheck.objects.create(
        member=member,
        kind=kind,
        checked_on=checked_on,
        expires_on=expires_on,
        notes=notes,
        recorded_by=coordinator,
    )
    record_audit(
        actor=coordinator,
        action=AuditEvent.Action.CREATE,
        target=check,
        subject=member.user,
        summary=f"Recorded a safeguarding check: {check.get_kind_display()}",
        request=request,
    )
    return check


def dbs_valid_until(member: Member, on: date) -> date | None:
    """The last day ``member``'s DBS checks cover, counting checks made by ``on`` (or None)."""
    best: date | None = None
    for check in member.checks.all():
        if not check.is_dbs or check.checked_on > on or check.expires_on is None:
            continue
        if best is None or check.expires_on > best:
            best = check.expires_on
    return best


def _require_check(member: Member, on: date, activity: str) -> None:
    until = dbs_valid_until(member, on)
    if until is None or until < on:
        raise TimebankRefused(
            f"{member.name} does not have a valid DBS check on {on:%-d %B %Y}, and "
            f"'{activity}' needs one. A coordinator can record the check first."
        )


def _require_approved(member: Member | None, who: str | None = None) -> Member:
    """``member``, refused unless approved; ``who`` names them (else "You": the person acting)."""
    if member is None:
        raise TimebankRefused(f"{who or 'You'} must join the time bank first.")
    if not member.is_approved:
        name = "You are" if who is None else f"{who} is"
        raise TimebankRefused(f"{name} not an approved member of the time bank yet.")
    return member
