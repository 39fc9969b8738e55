"""Who may do what in the time bank: named predicates, one per rule.

The views (what a page shows and accepts) and the services (what is written) ask the same
predicate, so a rule is written once. ``timebank/tests/test_permissions.py`` runs every role against
every service that changes data.

A coordinator is a person holding the coordinator or the administrator role (a superuser holds
the administrator role, see ``accounts.models.User.roles``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.roles import Role

if TYPE_CHECKING:
    from timebank.models import ApiToken, Exchange, Member, Request, Rota

COORDINATING_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)
"""The roles that coordinate the time bank."""


def is_coordinator(user: Any) -> bool:
    """A signed-in person holding a coordinating role."""
    return bool(user is not None and user.is_authenticated and user.has_role(*COORDINATING_ROLES))


def may_read_reports(user: Any) -> bool:
    """Coordinators, and commissioners, who read the time bank's totals (never a person's record)."""
    return is_coordinator(user) or bool(
        user is not None and user.is_authenticated and user.has_role(Role.COMMISSIONER)
    )


def acts_for(user: Any, member: Member | None) -> bool:
    """``user`` is the person behind ``member`` (their own account, or their organisation's)."""
    return member is not None and user is not None and member.user_id == user.pk


def is_party(user: Any, exchange: Exchange) -> bool:
    """``user`` gave or received the time of ``exchange``."""
    return bool(
        user is not None
        and user.pk is not None
        and user.pk in (exchange.giver.user_id, exchange.receiver.user_id)
    )


def may_see_exchange(user: Any, exchange: Exchange) -> bool:
    """The two members of an exchange and coordinators see it, answer it and correct it."""
    return is_coordinator(user) or is_party(user, exchange)


def may_close_request(user: Any, req: Request) -> bool:
    return acts_for(user, req.member) or is_coordinator(user)


def may_issue_credits(user: Any, organisation: Member) -> bool:
    return is_coordinator(user) or acts_for(user, organisation)


def may_record_credits_spent(user: Any, member: Member, partner: Member) -> bool:
    return is_coordinator(user) or acts_for(user, member) or acts_for(user, partner)


def may_record_rota_visits(user: Any, rota: Rota) -> bool:
    """Coordinators and the person the rota helps record whether a date was done or missed."""
    return is_coordinator(user) or (
        rota.receiver is not None and user is not None and rota.receiver.user_id == user.pk
    )


def may_hold_api_token(user: Any) -> bool:
    """Approved members and coordinators may make API tokens."""
    if is_coordinator(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    from timebank.models import Member

    return Member.objects.filter(user=user, status=Member.Status.APPROVED).exists()


def may_revoke_token(user: Any, token: ApiToken) -> bool:
    """A token's owner, or a coordinator."""
    return user is not None and (token.user_id == user.pk or is_coordinator(user))
