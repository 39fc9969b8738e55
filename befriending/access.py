"""Who may do what in befriending: named predicates, one per rule, asked by the views (what a page
shows and accepts) and the services (what is written), so a rule is written once.

- Coordinators (the coordinator or administrator role) run befriending: record checks, propose,
  end matches, read concerns, run peer groups.
- The befriender and the person on a match see it, agree to it, end it; the befriender (and the
  coordinator) log contacts. Nobody else sees a match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.roles import Role

if TYPE_CHECKING:
    from befriending.models import Match

COORDINATING_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_coordinator(user: Any) -> bool:
    return _signed_in(user) and bool(user.has_role(*COORDINATING_ROLES))


def is_befriender_on(user: Any, match: Match) -> bool:
    return _signed_in(user) and match.volunteer.user_id == user.pk


def is_person_on(user: Any, match: Match) -> bool:
    return _signed_in(user) and match.request.person_id == user.pk


def may_see_match(user: Any, match: Match) -> bool:
    return is_coordinator(user) or is_befriender_on(user, match) or is_person_on(user, match)


def may_log_contact(user: Any, match: Match) -> bool:
    return is_coordinator(user) or is_befriender_on(user, match)


def side_of(user: Any, match: Match) -> str:
    """The side ``user`` speaks for on ``match``: "volunteer", "person", "coordinator" or ""."""
    if is_befriender_on(user, match):
        return "volunteer"
    if is_person_on(user, match):
        return "person"
    if is_coordinator(user):
        return "coordinator"
    return ""
