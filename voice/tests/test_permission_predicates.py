"""Issue 14: each ``voice.permissions`` predicate as a table of actors.

``test_permissions.py`` runs every role against every service with actors who are party to
nothing. Here each predicate is asked directly, with nobody (``None``), an anonymous visitor, a
signed-in person with no role, each role and a superuser, and for responding and answering for a
check, members of the organisation or council team the feedback or check is about and members of
another one, at each moderation state. Feedback and checks are built in memory (not saved): the
predicates read only their fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.roles import Role
from directory.models import Organization
from directory.tests import factories as f
from voice import permissions
from voice.models import Feedback, QualityCheck, Team

pytestmark = pytest.mark.django_db

Moderation = Feedback.Moderation

# actor: (is_moderator, is_commissioner, can_enter_for_others, may_see_overdue,
#         can_record_coproduction)
ROLES: dict[str, tuple[bool, bool, bool, bool, bool]] = {
    "nobody": (False, False, False, False, False),
    "anonymous": (False, False, False, False, False),
    Role.PERSON.value: (False, False, False, False, False),
    Role.PROVIDER.value: (False, False, False, False, False),
    Role.MODERATOR.value: (True, False, True, True, True),
    Role.COMMISSIONER.value: (False, True, False, True, True),
    Role.COORDINATOR.value: (False, False, True, False, False),
    Role.ADMINISTRATOR.value: (False, False, True, True, True),
    "superuser": (False, False, True, True, True),
}


def _actor(name: str) -> Any:
    if name == "nobody":
        return None
    if name == "anonymous":
        return AnonymousUser()
    if name == "superuser":
        return f.user(None, is_superuser=True, is_staff=True)
    return f.user(name)


@pytest.mark.parametrize("name", list(ROLES))
def test_the_role_predicates_for_each_actor(name: str) -> None:
    """Moderators moderate; commissioners are told of escalations; coordinators, administrators
    and moderators enter feedback for others; commissioners, moderators and administrators read
    what is overdue and write up co-production; nobody signed out holds any of these."""
    user = _actor(name)
    moderator, commissioner, enter, overdue, coproduction = ROLES[name]
    assert permissions.is_moderator(user) is moderator
    assert permissions.is_commissioner(user) is commissioner
    assert permissions.can_enter_for_others(user) is enter
    assert permissions.may_see_overdue(user) is overdue
    assert permissions.can_record_coproduction(user) is coproduction


def test_signed_in_is_the_person_only_when_signed_in() -> None:
    """Nobody and an anonymous visitor are not signed in; an account is."""
    person = f.user()
    assert permissions.signed_in(None) is None
    assert permissions.signed_in(AnonymousUser()) is None
    assert permissions.signed_in(person) is person


class Parties:
    """A provider organisation and a council team, each with a member, and a member of another
    organisation and of another team."""

    def __init__(self) -> None:
        self.org = f.organization()
        self.member = f.provider_user(self.org)
        self.other_member = f.provider_user(f.organization())
        self.team = Team.objects.create(name="Adult social care", slug="adult-social-care")
        self.team_member = f.user()
        self.team.members.add(self.team_member)
        other_team = Team.objects.create(name="Housing", slug="housing")
        self.other_team_member = f.user()
        other_team.members.add(self.other_team_member)
        self.stranger = f.user()
        self.moderator = f.user(Role.MODERATOR)

    def everyone(self) -> list[Any]:
        return [
            None,
            AnonymousUser(),
            self.member,
            self.other_member,
            self.team_member,
            self.other_team_member,
            self.stranger,
            self.moderator,
        ]


def _about_service(org: Organization | None, moderation: str) -> Feedback:
    return Feedback(
        about=Feedback.About.SERVICE,
        organization_id=str(org.pk) if org else "",
        moderation=moderation,
    )


def _about_team(team: Team, moderation: str) -> Feedback:
    return Feedback(about=Feedback.About.TEAM, team=team, moderation=moderation)


def _responders(feedback: Feedback, parties: Parties) -> list[Any]:
    return [u for u in parties.everyone() if permissions.can_respond(u, feedback)]


@pytest.mark.parametrize(
    ("moderation", "passed_on"),
    [
        (Moderation.WAITING, False),
        (Moderation.DECLINED, False),
        (Moderation.PUBLISHED, True),
        (Moderation.PRIVATE, True),
    ],
)
def test_the_provider_or_team_responds_once_a_moderator_has_passed_it_on(
    moderation: str, passed_on: bool
) -> None:
    """Feedback about a service: the organisation's members; about a council team: the team's
    members; only once published or passed on privately; nobody else ever."""
    parties = Parties()
    service = _about_service(parties.org, moderation)
    team = _about_team(parties.team, moderation)
    assert _responders(service, parties) == ([parties.member] if passed_on else [])
    assert _responders(team, parties) == ([parties.team_member] if passed_on else [])


def test_what_the_feedback_is_about_decides_who_responds() -> None:
    """Feedback about a service is the organisation's even if a team is set on it; feedback about
    something else is nobody's; a service with no organisation has nobody to respond."""
    parties = Parties()
    service = _about_service(parties.org, Moderation.PUBLISHED)
    service.team = parties.team
    assert _responders(service, parties) == [parties.member]
    other = Feedback(
        about=Feedback.About.OTHER,
        organization_id=str(parties.org.pk),
        moderation=Moderation.PUBLISHED,
    )
    assert _responders(other, parties) == []
    assert _responders(_about_service(None, Moderation.PUBLISHED), parties) == []
    missing = Feedback(
        about=Feedback.About.SERVICE, organization_id="gone", moderation=Moderation.PUBLISHED
    )
    assert _responders(missing, parties) == []


def _check(
    about: str, *, org: Organization | None = None, team: Team | None = None
) -> QualityCheck:
    return QualityCheck(
        about=about,
        organization_id=str(org.pk) if org else "",
        team=team,
        visit_date=dt.date(2026, 5, 1),
        minutes_per_expert=60,
    )


def _answerers(check: QualityCheck, parties: Parties) -> list[Any]:
    return [u for u in parties.everyone() if permissions.can_answer_for_check(u, check)]


def test_the_checked_provider_or_team_answers_for_a_check() -> None:
    """A check of a service: the organisation's members; of a council team: the team's members;
    the ``about`` field decides which; nobody else (not the moderator who runs it)."""
    parties = Parties()
    about = QualityCheck.About
    assert _answerers(_check(about.SERVICE, org=parties.org), parties) == [parties.member]
    assert _answerers(_check(about.TEAM, team=parties.team), parties) == [parties.team_member]
    both = _check(about.SERVICE, org=parties.org, team=parties.team)
    assert _answerers(both, parties) == [parties.member]
    assert _answerers(_check(about.SERVICE), parties) == []
    assert _answerers(_check(about.TEAM), parties) == []
    assert _answerers(_check("other", org=parties.org), parties) == []
