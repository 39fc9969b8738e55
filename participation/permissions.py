"""Who may do what in participatory budgeting and People's Panels: named predicates, one per rule.

The views (what a page shows and accepts) and the services (what is written) ask the same
predicate, so each rule is written once. ``participation/tests/test_permissions.py`` runs every
role (and a superuser) against every service that changes data.

- Round staff (commissioners, coordinators and administrators) run PB rounds: create and change
  them, cost ideas, decide registrations, give out and enter paper ballots, move a round on and
  offer themes from the gap in the market.
- Panel staff (commissioners and administrators) set up, draw and publish People's Panels.
- A superuser holds the administrator role (``accounts.models.User.roles``), so both.

Residents need no role: anyone signed in may propose an idea, comment, register, vote, join the
panel pool; what they may touch is their own (their idea's pitch, their ballot, their seat).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.roles import Role

if TYPE_CHECKING:
    from participation.models import PaperBallotEntry, Project, VoterRegistration

ROUND_STAFF = (Role.COMMISSIONER, Role.COORDINATOR, Role.ADMINISTRATOR)
"""The roles that run PB rounds."""
PANEL_STAFF = (Role.COMMISSIONER, Role.ADMINISTRATOR)
"""The roles that run People's Panels."""


def is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def is_round_staff(user: Any) -> bool:
    """A signed-in person holding a role that runs PB rounds."""
    return bool(is_signed_in(user) and user.has_role(*ROUND_STAFF))


def is_panel_staff(user: Any) -> bool:
    """A signed-in person holding a role that runs People's Panels."""
    return bool(is_signed_in(user) and user.has_role(*PANEL_STAFF))


def may_change_round_settings(user: Any) -> bool:
    """Round staff, and staff working in the Django admin (its round form saves through the same
    service, which still refuses what is locked once voting opens)."""
    return is_round_staff(user) or bool(is_signed_in(user) and user.is_staff)


def can_edit_pitch(user: Any, project: Project) -> bool:
    """The person who proposed the idea, or round staff."""
    if not is_signed_in(user):
        return False
    return is_round_staff(user) or project.proposed_by_id == user.pk


def may_decide_registration(user: Any, registration: VoterRegistration) -> bool:
    """Round staff, on someone else's registration (never their own)."""
    return is_round_staff(user) and registration.user_id != user.pk


def may_confirm_paper_ballot(user: Any, entry: PaperBallotEntry) -> bool:
    """Round staff other than the person who entered the paper: two people see every paper."""
    return is_round_staff(user) and entry.entered_by_id != user.pk
