"""Issue 14: each ``participation.permissions`` predicate as a table of actors.

``test_permissions.py`` runs every role against every service with actors who own nothing. Here
each predicate is asked directly, with nobody (``None``), an anonymous visitor, a resident with no
role, the idea's proposer, a Django-admin staff member with no role, and each staff role (and a
superuser), on their own registration or paper entry and on someone else's.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.roles import Role
from directory.tests import factories as f
from participation import permissions
from participation.models import PaperBallotEntry, VoterRegistration
from participation.tests import factories as pf

pytestmark = pytest.mark.django_db

# actor: (is_signed_in, is_round_staff, is_panel_staff, may_change_round_settings)
TABLE: dict[str, tuple[bool, bool, bool, bool]] = {
    "nobody": (False, False, False, False),
    "anonymous": (False, False, False, False),
    "resident": (True, False, False, False),
    "admin site staff": (True, False, False, True),
    Role.PROVIDER.value: (True, False, False, False),
    Role.COMMISSIONER.value: (True, True, True, True),
    Role.COORDINATOR.value: (True, True, False, True),
    Role.ADMINISTRATOR.value: (True, True, True, True),
    "superuser": (True, True, True, True),
}


def _actor(name: str) -> Any:
    if name == "nobody":
        return None
    if name == "anonymous":
        return AnonymousUser()
    if name == "resident":
        return f.user()
    if name == "admin site staff":
        return f.user(None, is_staff=True)
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


@pytest.mark.parametrize("name", list(TABLE))
def test_the_role_predicates_for_each_actor(name: str) -> None:
    """Round staff: commissioners, coordinators, administrators; panel staff: commissioners and
    administrators; round settings: round staff and Django-admin staff; nobody signed out."""
    user = _actor(name)
    signed_in, round_staff, panel_staff, settings = TABLE[name]
    assert permissions.is_signed_in(user) is signed_in
    assert permissions.is_round_staff(user) is round_staff
    assert permissions.is_panel_staff(user) is panel_staff
    assert permissions.may_change_round_settings(user) is settings


def test_the_proposer_and_round_staff_edit_a_pitch() -> None:
    """The person who proposed the idea, or round staff; not another resident, not a panel-only
    role, not anybody signed out."""
    proposer = f.user()
    project = pf.idea(pf.round_(), by=proposer)
    assert permissions.can_edit_pitch(proposer, project) is True
    for role in (Role.COMMISSIONER, Role.COORDINATOR, Role.ADMINISTRATOR):
        assert permissions.can_edit_pitch(f.user(role), project) is True
    assert permissions.can_edit_pitch(f.user(None, is_superuser=True), project) is True
    for other in (None, AnonymousUser(), f.user(), f.user(Role.PROVIDER)):
        assert permissions.can_edit_pitch(other, project) is False


def _staff() -> list[User]:
    return [f.user(Role.COMMISSIONER), f.user(Role.COORDINATOR), f.user(Role.ADMINISTRATOR)]


def test_round_staff_decide_someone_elses_registration_never_their_own() -> None:
    """Round staff decide a registration, except their own; residents decide none."""
    resident = f.user()
    theirs = VoterRegistration(user=resident)
    for member in _staff():
        assert permissions.may_decide_registration(member, theirs) is True
        assert permissions.may_decide_registration(member, VoterRegistration(user=member)) is False
    assert permissions.may_decide_registration(resident, theirs) is False
    assert permissions.may_decide_registration(f.user(), theirs) is False


def test_a_paper_ballot_is_confirmed_by_round_staff_who_did_not_enter_it() -> None:
    """Two people see every paper: round staff other than the one who entered it confirm it."""
    entered_by = f.user(Role.COORDINATOR)
    entry = PaperBallotEntry(entered_by=entered_by)
    for member in _staff():
        assert permissions.may_confirm_paper_ballot(member, entry) is True
    assert permissions.may_confirm_paper_ballot(entered_by, entry) is False
    assert permissions.may_confirm_paper_ballot(f.user(), entry) is False
