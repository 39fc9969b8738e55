"""Offers of help and requests for help (also those made from a support plan)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from timebank.models import Member, Offer, Request
from timebank.permissions import may_close_request
from timebank.services._common import TimebankRefused, _link, _notify, _notify_coordinators
from timebank.services.members import _clean_availability, _require_approved, apply_to_join

if TYPE_CHECKING:
    from directory.models import Neighbourhood, TaxonomyTerm


@transaction.atomic
def create_offer(
    *,
    member: Member,
    title: str,
    category: TaxonomyTerm | None,
    details: str = "",
    neighbourhood: Neighbourhood | None = None,
) -> Offer:
    _require_approved(member)
    offer = Offer.objects.create(
        member=member,
        title=title,
        category=category,
        details=details,
        neighbourhood=neighbourhood or member.neighbourhood,
    )
    record_audit(
        actor=member.user,
        action=AuditEvent.Action.CREATE,
        target=offer,
        subject=member.user,
        summary=f"Offered '{title}'"[:300],
    )
    return offer


@transaction.atomic
def create_request(
    *,
    member: Member,
    title: str,
    category: TaxonomyTerm | None,
    details: str = "",
    access_needs: str = "",
    neighbourhood: Neighbourhood | None = None,
    times: Iterable[str] = (),
    needs_check: bool = False,
    minutes_per_week: int | None = None,
    from_support_plan: bool = False,
    by: User | None = None,
    offer: Offer | None = None,
) -> Request:
    """Open a request for help. ``offer``: the request asks for that offer ("Ask for this"); its
    member is emailed that someone asked."""
    if not from_support_plan:
        _require_approved(member)
    if minutes_per_week is not None and minutes_per_week <= 0:
        raise TimebankRefused("The time needed each week must be more than zero.")
    req = Request.objects.create(
        member=member,
        title=title,
        category=category,
        details=details,
        access_needs=access_needs,
        neighbourhood=neighbourhood or member.neighbourhood,
        times=_clean_availability(times),
        needs_check=needs_check,
        minutes_per_week=minutes_per_week,
        from_support_plan=from_support_plan,
    )
    record_audit(
        actor=by or member.user,
        action=AuditEvent.Action.CREATE,
        target=req,
        subject=member.user,
        summary=f"Asked for help: '{title}'"[:300],
    )
    if offer is not None and offer.member_id != member.pk and offer.member.user.email:
        _notify(
            f"{member.name} asked for your offer: {offer.title}",
            f"{member.name} asked for '{offer.title}'. Sign in to the time bank and open "
            f"{_link('timebank:request', req.pk)} to see their request and arrange the help.",
            [offer.member.user.email],
            "timebank_requests",
        )
    return req


def tell_coordinators_unmatched(req: Request) -> None:
    """Email the coordinators that nobody is suggested for ``req`` yet, so they look for someone
    (what the request page tells its requester happens next)."""
    _notify_coordinators(
        f"A request nobody matches yet: {req.title}",
        f"{req.member.name} asked for help ('{req.title}') and nobody is suggested for it yet. "
        f"Open {_link('timebank:request', req.pk)} to find someone who can help.",
    )


def request_for_plan(
    *,
    person: User,
    category: TaxonomyTerm | None,
    minutes_per_week: int,
    title: str,
    details: str = "",
    by: User | None = None,
) -> Request:
    """For support plans (budgets app): ask the time bank for ``minutes_per_week`` of help.

    If ``person`` is not a member yet, an application is made for them (a coordinator still
    approves it before anyone is suggested to help). Returns the open :class:`Request`; pair it
    with :func:`timebank.selectors.confirmed_minutes` to show hours received beside paid support.
    """
    with transaction.atomic():
        member = Member.objects.filter(user=person).first()
        if member is None:
            member = apply_to_join(user=person, about="Referred from a support plan.")
        return create_request(
            member=member,
            title=title,
            category=category,
            details=details,
            minutes_per_week=minutes_per_week,
            from_support_plan=True,
            by=by,
        )


@transaction.atomic
def close_request(*, by: User, req: Request) -> Request:
    if not may_close_request(by, req):
        raise TimebankRefused("Only the member who asked, or a coordinator, can close a request.")
    req.status = Request.Status.CLOSED
    req.save(update_fields=["status"])
    return req
