"""Who may open and change a person's outcome record.

- the person themselves;
- a carer or family member the person gave permission to (:class:`outcomes.models.Helper`);
- a broker or administrator who reaches the person (their caseload, or glass broken:
  ``budgets.access.reaches``);
- the link worker holding the person's open social prescribing referral
  (``connect.selectors.on_open_caseload``), who records the person's own ONS4 answers "with help"
  in conversation. The reach ends when the referral is closed or declined.

Commissioners and providers see aggregates only, never a named person's record. Coordinators and
brokers put people on self-reported follow-up; a team's members work its worklist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import User
from accounts.roles import Role
from budgets import access as budget_access
from budgets import selectors as budget_selectors
from budgets.access import NotAllowed
from outcomes.models import Helper

if TYPE_CHECKING:
    from budgets.models import CaseTeam

RECORD_ROLES = (Role.BROKER, Role.ADMINISTRATOR)
AGGREGATE_ROLES = (Role.COMMISSIONER, Role.PROVIDER, Role.COORDINATOR, Role.ADMINISTRATOR)
FOLLOW_UP_ROLES = (Role.COORDINATOR, Role.BROKER, Role.ADMINISTRATOR)
WORDING_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)

__all__ = ["NotAllowed", "can_open", "is_helper", "require"]


def is_helper(user: User, person_id: int) -> bool:
    return (
        user.is_authenticated
        and Helper.objects.filter(
            person_id=person_id, helper=user, revoked_at__isnull=True
        ).exists()
    )


def practitioner_reaches(user: User, person_id: int) -> bool:
    return (
        user.is_authenticated
        and user.pk != person_id
        and user.has_role(*RECORD_ROLES)
        and budget_access.reaches(user, person_id)
    )


def link_worker_holds(user: User, person_id: int) -> bool:
    """The link worker holding this person's open social prescribing referral."""
    from connect import permissions as connect_permissions
    from connect import selectors as connect_selectors  # apps talk through selectors

    return (
        user.is_authenticated
        and user.pk != person_id
        and user.has_role(*connect_permissions.LINK_WORKER_ROLES)
        and connect_selectors.on_open_caseload(user, person_id)
    )


def can_open(user: User, person_id: int) -> bool:
    """May see and add to this person's outcome record."""
    if not user.is_authenticated:
        return False
    return (
        user.pk == person_id
        or is_helper(user, person_id)
        or practitioner_reaches(user, person_id)
        or link_worker_holds(user, person_id)
    )


def can_manage_helpers(user: User, person_id: int) -> bool:
    return user.is_authenticated and user.pk == person_id


def can_set_consent(user: User, person_id: int) -> bool:
    """Whether answers count in aggregates is the person's own choice."""
    return user.is_authenticated and user.pk == person_id


def can_see_aggregates(user: User) -> bool:
    return user.is_authenticated and user.has_role(*AGGREGATE_ROLES)


def can_manage_wording(user: User) -> bool:
    """Load or withdraw the area's licensed question wording: the area's coordinators and
    administrators (who hold the licence on the area's behalf)."""
    return user.is_authenticated and user.has_role(*WORDING_ROLES)


def can_start_follow_up(user: User, person_id: int) -> bool:
    if not user.is_authenticated or user.pk == person_id:
        return False
    if user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR):
        return True
    return practitioner_reaches(user, person_id)


def teams_of(user: User) -> list[CaseTeam]:
    if not user.is_authenticated:
        return []
    if user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR):
        return list(budget_selectors.case_teams())
    return list(budget_selectors.teams_with_member(user))


def can_work_list(user: User, team: CaseTeam) -> bool:
    return user.is_authenticated and (
        user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR)
        or budget_selectors.is_team_member(team, user)
    )


def require(condition: bool, message: str = "You cannot do that.") -> None:
    if not condition:
        raise NotAllowed(message)
