"""Issue 14: each predicate of ``timebank.permissions`` as a table of actors.

Every test builds one small world (a coordinator, two members, an organisation, an applicant, an
exchange between the members, a request, rotas with and without a person they help, an API token)
and asks one predicate for every actor: no user at all (``None``), an anonymous visitor, people
signed in with no role or a non-coordinating role, the object's own person, and the coordinating
roles (a superuser holds the administrator role). The whole table is compared at once, so a
changed rule shows which actors it lets through or shuts out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.roles import Role
from directory.tests import factories as f
from timebank import permissions, services
from timebank.models import ApiToken, Exchange, Member, Request, Rota
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db


class World:
    """The people and records the tables ask about (all made through the services)."""

    def __init__(self) -> None:
        self.cora = tb.coordinator()
        self.alf = tb.member(by=self.cora, name="Alf")
        self.bea = tb.member(by=self.cora, name="Bea")
        self.org = tb.member(by=self.cora, name="Library", kind=Member.Kind.SERVICE)
        self.applicant = tb.member(approved=False, name="Cy")
        self.declined = tb.member(approved=False, name="Dee")
        services.decline_member(coordinator=self.cora, member=self.declined, reason="No")
        self.left = tb.member(by=self.cora, name="Eve")
        Member.objects.filter(pk=self.left.pk).update(status=Member.Status.LEFT)
        # Alf gives Bea an hour (proposed by Alf, not confirmed: a party is a party either way).
        self.exchange: Exchange = tb.exchange(self.alf, self.bea, 60, confirm=False)
        self.req: Request = services.create_request(member=self.bea, title="A lift", category=None)
        self.rota_for_bea = Rota(title="Lift", receiver=self.bea)
        self.rota_for_nobody = Rota(title="Litter pick", receiver=None)
        services.issue_api_token(user=self.alf.user)
        self.token = ApiToken.objects.get(user=self.alf.user)
        self.actors: dict[str, Any] = {
            "none": None,
            "anonymous": AnonymousUser(),
            "no role": f.user(None),
            "person": f.user(Role.PERSON),
            "carer": f.user(Role.CARER),
            "commissioner": f.user(Role.COMMISSIONER),
            "coordinator": f.user(Role.COORDINATOR),
            "administrator": f.user(Role.ADMINISTRATOR),
            "superuser": f.user(None, is_superuser=True, is_staff=True),
            "alf": self.alf.user,
            "bea": self.bea.user,
            "org": self.org.user,
            "applicant": self.applicant.user,
            "declined": self.declined.user,
            "left": self.left.user,
        }

    def table(self, predicate: Callable[[Any], bool]) -> dict[str, bool]:
        """``predicate`` for every actor (each answer must be a real bool)."""
        answers = {name: predicate(user) for name, user in self.actors.items()}
        for name, answer in answers.items():
            assert isinstance(answer, bool), (name, answer)
        return answers

    def expect(self, *allowed: str) -> dict[str, bool]:
        unknown = set(allowed) - set(self.actors)
        assert not unknown, unknown
        return {name: name in allowed for name in self.actors}


COORDINATORS = ("coordinator", "administrator", "superuser")


@pytest.fixture
def w() -> World:
    return World()


def test_a_coordinator_is_a_signed_in_coordinator_or_administrator(w: World) -> None:
    """Coordinators, administrators and superusers coordinate; no one else does, whatever their
    membership, and no visitor who is not signed in."""
    assert w.table(permissions.is_coordinator) == w.expect(*COORDINATORS)


def test_reports_are_read_by_coordinators_and_commissioners(w: World) -> None:
    """The time bank's totals: coordinators and commissioners, nobody else."""
    assert w.table(permissions.may_read_reports) == w.expect(*COORDINATORS, "commissioner")


def test_a_user_acts_for_their_own_member_record_only(w: World) -> None:
    """``acts_for``: the account behind the member, not a coordinator, not another member."""
    assert w.table(lambda u: permissions.acts_for(u, w.alf)) == w.expect("alf")
    assert w.table(lambda u: permissions.acts_for(u, w.org)) == w.expect("org")


def test_nobody_acts_for_no_member(w: World) -> None:
    """``acts_for(user, None)``: no member, so no one acts for it (not even a coordinator)."""
    assert w.table(lambda u: permissions.acts_for(u, None)) == w.expect()


def test_the_parties_of_an_exchange_are_its_giver_and_receiver(w: World) -> None:
    """``is_party``: the giver and the receiver; a coordinator is not a party."""
    assert w.table(lambda u: permissions.is_party(u, w.exchange)) == w.expect("alf", "bea")


def test_an_exchange_is_seen_by_its_parties_and_coordinators(w: World) -> None:
    """``may_see_exchange``: the two members and coordinators."""
    assert w.table(lambda u: permissions.may_see_exchange(u, w.exchange)) == w.expect(
        "alf", "bea", *COORDINATORS
    )


def test_a_request_is_closed_by_its_member_or_a_coordinator(w: World) -> None:
    """``may_close_request``: Bea's request, by Bea or a coordinator (not the helper Alf)."""
    assert w.table(lambda u: permissions.may_close_request(u, w.req)) == w.expect(
        "bea", *COORDINATORS
    )


def test_credits_are_issued_by_the_organisation_or_a_coordinator(w: World) -> None:
    """``may_issue_credits``: the organisation's own account, or a coordinator."""
    assert w.table(lambda u: permissions.may_issue_credits(u, w.org)) == w.expect(
        "org", *COORDINATORS
    )


def test_credits_spent_are_recorded_by_the_member_the_partner_or_a_coordinator(w: World) -> None:
    """``may_record_credits_spent``: Alf spending at the library is recorded by Alf, by the
    library, or by a coordinator."""
    assert w.table(lambda u: permissions.may_record_credits_spent(u, w.alf, w.org)) == w.expect(
        "alf", "org", *COORDINATORS
    )


def test_rota_visits_are_recorded_by_the_person_helped_or_a_coordinator(w: World) -> None:
    """``may_record_rota_visits``: Bea (whom the rota helps) or a coordinator; for a rota that
    helps no one in particular, coordinators only."""
    assert w.table(lambda u: permissions.may_record_rota_visits(u, w.rota_for_bea)) == w.expect(
        "bea", *COORDINATORS
    )
    assert w.table(lambda u: permissions.may_record_rota_visits(u, w.rota_for_nobody)) == (
        w.expect(*COORDINATORS)
    )


def test_api_tokens_are_held_by_approved_members_and_coordinators(w: World) -> None:
    """``may_hold_api_token``: approved members (people and organisations) and coordinators;
    not an applicant, a declined applicant, a member who left, or anyone else signed in."""
    assert w.table(permissions.may_hold_api_token) == w.expect("alf", "bea", "org", *COORDINATORS)


def test_a_token_is_revoked_by_its_owner_or_a_coordinator(w: World) -> None:
    """``may_revoke_token``: Alf's token, by Alf or a coordinator."""
    assert w.table(lambda u: permissions.may_revoke_token(u, w.token)) == w.expect(
        "alf", *COORDINATORS
    )
