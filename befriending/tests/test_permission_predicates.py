"""Issue 14: each ``befriending.access`` predicate as a table of actors on one running match.

``test_permissions.py`` runs every role against every service with actors who are on no match. Here
the predicates are asked directly, with the match's own befriender and person too, and with nobody
(``None``), an anonymous visitor, a signed-in person with no part in the match, and the
coordinating roles (coordinator, administrator, superuser).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.roles import Role
from befriending import access
from befriending.models import Match
from befriending.tests import factories as b
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

# actor: (is_coordinator, is_befriender_on, is_person_on, may_see_match, may_log_contact, side_of)
TABLE: dict[str, tuple[bool, bool, bool, bool, bool, str]] = {
    "nobody": (False, False, False, False, False, ""),
    "anonymous": (False, False, False, False, False, ""),
    "stranger": (False, False, False, False, False, ""),
    "commissioner": (False, False, False, False, False, ""),
    "befriender": (False, True, False, True, True, "volunteer"),
    "person": (False, False, True, True, False, "person"),
    "coordinator": (True, False, False, True, True, "coordinator"),
    "administrator": (True, False, False, True, True, "coordinator"),
    "superuser": (True, False, False, True, True, "coordinator"),
}


def _actor(name: str, match: Match) -> Any:
    if name == "nobody":
        return None
    if name == "anonymous":
        return AnonymousUser()
    if name == "befriender":
        return b.volunteer_account(match.volunteer)
    if name == "person":
        return b.person_account(match.request)
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    roles = {
        "stranger": Role.PERSON,
        "commissioner": Role.COMMISSIONER,
        "coordinator": Role.COORDINATOR,
        "administrator": Role.ADMINISTRATOR,
    }
    return f.user(roles[name])


@pytest.mark.parametrize("name", list(TABLE))
def test_each_predicate_for_each_actor(name: str) -> None:
    """Coordinators run befriending; the befriender and the person see their match and speak for
    their own side; only the befriender (and coordinators) log contacts; nobody else sees it."""
    match = b.running_match()
    user = _actor(name, match)
    coordinator, befriender, person, see, log, side = TABLE[name]
    assert access.is_coordinator(user) is coordinator
    assert access.is_befriender_on(user, match) is befriender
    assert access.is_person_on(user, match) is person
    assert access.may_see_match(user, match) is see
    assert access.may_log_contact(user, match) is log
    assert access.side_of(user, match) == side


def test_a_coordinator_who_is_the_befriender_speaks_as_the_befriender() -> None:
    """The befriender's side comes first: a coordinator volunteering speaks as the volunteer."""
    match = b.running_match()
    volunteer = b.volunteer_account(match.volunteer)
    volunteer.groups.add(*b.coordinator().groups.all())
    volunteer = type(volunteer).objects.get(pk=volunteer.pk)
    assert access.is_coordinator(volunteer) is True
    assert access.side_of(volunteer, match) == "volunteer"


def test_a_coordinator_who_is_the_person_speaks_as_the_person() -> None:
    """The person's side comes before the coordinator's."""
    match = b.running_match()
    person = b.person_account(match.request)
    person.groups.add(*b.coordinator().groups.all())
    person = type(person).objects.get(pk=person.pk)
    assert access.is_coordinator(person) is True
    assert access.side_of(person, match) == "person"
