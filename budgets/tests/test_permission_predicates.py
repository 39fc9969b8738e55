"""The predicates of ``budgets.access`` one by one, as tables of actors: who is a practitioner, an
approver, an assigner; whose caseload holds whom (directly or through a team); break glass, which
lets a practitioner in until its expiry time and not at it; and who may view, answer, decide,
record and correct. Services call these predicates, so each rule here is a rule of the ledger and
the plans too.

Caseload records are written directly here, whatever the actor's role (as
``budgets/tests/test_permissions.py`` does), so a result comes from the role and the record alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from budgets import access
from budgets.models import (
    Assessment,
    BreakGlassAccess,
    BudgetAccount,
    CaseAssignment,
    CaseTeam,
    Invitation,
    SupportPlan,
)
from directory.tests import factories as f

pytestmark = pytest.mark.django_db

# A fixed moment with no microseconds: break glass is tested a second either side of its expiry.
NOON = dt.datetime(2026, 3, 2, 12, 0, 0, tzinfo=dt.UTC)


def anonymous() -> User:
    """A visitor who has not signed in: views pass ``request.user``, which is then anonymous."""
    return cast(User, AnonymousUser())


@dataclass
class Cast:
    person: User  # a person using support, on the broker's caseload
    other: User  # another person, on nobody's caseload but the other broker's
    broker: User
    other_broker: User
    team_broker: User  # a member of the team whose caseload holds ``person``
    commissioner: User
    administrator: User
    coordinator: User
    provider: User
    superuser: User


@pytest.fixture
def cast_() -> Cast:
    person = f.user(Role.PERSON)
    other = f.user(Role.PERSON)
    c = Cast(
        person=person,
        other=other,
        broker=f.user(Role.BROKER),
        other_broker=f.user(Role.BROKER),
        team_broker=f.user(Role.BROKER),
        commissioner=f.user(Role.COMMISSIONER),
        administrator=f.user(Role.ADMINISTRATOR),
        coordinator=f.user(Role.COORDINATOR),
        provider=f.user(Role.PROVIDER),
        superuser=f.user(None, is_superuser=True, is_staff=True),
    )
    for holder in (c.broker, c.commissioner, c.administrator, c.coordinator, c.superuser):
        CaseAssignment.objects.create(person=person, practitioner=holder)
    CaseAssignment.objects.create(person=other, practitioner=c.other_broker)
    team = CaseTeam.objects.create(name="North team")
    team.members.add(c.team_broker)
    CaseAssignment.objects.create(person=person, team=team)
    return c


def grant(practitioner: User, person: User, expires_at: dt.datetime) -> BreakGlassAccess:
    return BreakGlassAccess.objects.create(
        practitioner=practitioner, person=person, reason="Safeguarding call", expires_at=expires_at
    )


# --- roles -------------------------------------------------------------------------------------

ROLE_TABLE = [
    # role, is_practitioner, is_approver, can_assign_caseloads, can_enter_charging_figures
    (Role.PERSON, False, False, False, False),
    (Role.CARER, False, False, False, False),
    (Role.PROVIDER, False, False, False, False),
    (Role.BROKER, True, True, False, False),
    (Role.COMMISSIONER, True, True, False, False),
    (Role.ADMINISTRATOR, True, False, True, True),
    (Role.COORDINATOR, False, False, True, True),
    (Role.LINK_WORKER, False, False, False, False),
    (None, False, False, False, False),
]


@pytest.mark.parametrize(("role", "practitioner", "approver", "assigner", "figures"), ROLE_TABLE)
def test_role_predicates(
    role: str | None, practitioner: bool, approver: bool, assigner: bool, figures: bool
) -> None:
    """Each role predicate holds for its roles only (a signed-in person with no role for none)."""
    user = f.user(role)
    assert access.is_practitioner(user) is practitioner
    assert access.is_approver(user) is approver
    assert access.can_assign_caseloads(user) is assigner
    assert access.can_enter_charging_figures(user) is figures


def test_role_predicates_for_a_superuser_and_an_anonymous_visitor() -> None:
    """A superuser holds the administrator role; an anonymous visitor holds none (and has no
    ``has_role`` to ask)."""
    superuser = f.user(None, is_superuser=True)
    assert access.is_practitioner(superuser) is True
    assert access.is_approver(superuser) is False
    assert access.can_assign_caseloads(superuser) is True
    assert access.can_enter_charging_figures(superuser) is True
    visitor = anonymous()
    assert not access.is_practitioner(visitor)
    assert not access.is_approver(visitor)
    assert not access.can_assign_caseloads(visitor)
    assert not access.can_enter_charging_figures(visitor)


# --- caseloads ---------------------------------------------------------------------------------


def test_caseload_holds_own_and_team_assignments_only(cast_: Cast) -> None:
    """A caseload is the practitioner's own assignments and their teams', nobody else's."""
    c = cast_
    own = list(access.caseload(c.broker))
    assert [(a.person_id, a.practitioner_id, a.team_id) for a in own] == [
        (c.person.pk, c.broker.pk, None)
    ]
    via_team = list(access.caseload(c.team_broker))
    assert len(via_team) == 1
    assert via_team[0].person_id == c.person.pk and via_team[0].team is not None
    assert [a.person_id for a in access.caseload(c.other_broker)] == [c.other.pk]
    assert not access.caseload(f.user(Role.BROKER)).exists()


def test_caseload_people(cast_: Cast) -> None:
    """The people on a practitioner's caseload, and nobody for someone who is not a practitioner
    (a coordinator's caseload record gives them nobody)."""
    c = cast_
    assert list(access.caseload_people(c.broker)) == [c.person]
    assert list(access.caseload_people(c.team_broker)) == [c.person]
    assert list(access.caseload_people(c.other_broker)) == [c.other]
    assert list(access.caseload_people(c.superuser)) == [c.person]
    assert not access.caseload_people(f.user(Role.BROKER)).exists()
    assert not access.caseload_people(c.coordinator).exists()
    assert not access.caseload_people(c.person).exists()
    assert not access.caseload_people(anonymous()).exists()


def test_on_caseload(cast_: Cast) -> None:
    """On the caseload: a practitioner with an assignment (own or team), for that person only;
    never a non-practitioner, and never "no person"."""
    c = cast_
    assert access.on_caseload(c.broker, c.person.pk) is True
    assert access.on_caseload(c.team_broker, c.person.pk) is True
    assert access.on_caseload(c.superuser, c.person.pk) is True
    assert access.on_caseload(c.broker, c.other.pk) is False
    assert access.on_caseload(c.other_broker, c.person.pk) is False
    assert access.on_caseload(c.coordinator, c.person.pk) is False
    assert access.on_caseload(c.broker, None) is False
    assert access.on_caseload(c.coordinator, None) is False
    assert access.on_caseload(anonymous(), c.person.pk) is False


# --- break glass -------------------------------------------------------------------------------


def test_break_glass_lets_in_until_expiry_not_at_it(cast_: Cast) -> None:
    """Break glass reaches the person until ``expires_at``: a second before yes, at it and a
    second after no."""
    c = cast_
    expires = NOON + dt.timedelta(hours=access.BREAK_GLASS_HOURS)
    grant(c.other_broker, c.person, expires)
    cases = [
        (expires - dt.timedelta(seconds=1), True),
        (expires, False),
        (expires + dt.timedelta(seconds=1), False),
    ]
    for when, expected in cases:
        with time_machine.travel(when, tick=False):
            assert access.break_glass_active(c.other_broker, c.person.pk) is expected, when
            assert access.reaches(c.other_broker, c.person.pk) is expected, when
            until = access.break_glass_until(c.other_broker, c.person.pk)
            assert until == (expires if expected else None), when


def test_break_glass_is_for_that_practitioner_and_person_only(cast_: Cast) -> None:
    """A grant opens one person's records to one practitioner; a non-practitioner holding a grant
    record is not let in, and nobody is let in to "no person"."""
    c = cast_
    with time_machine.travel(NOON, tick=False):
        later = NOON + dt.timedelta(hours=1)
        grant(c.other_broker, c.person, later)
        grant(c.coordinator, c.other, later)
        assert access.break_glass_active(c.other_broker, c.person.pk) is True
        assert access.break_glass_active(c.other_broker, c.other.pk) is False
        assert access.break_glass_active(c.broker, c.person.pk) is False
        assert access.break_glass_active(c.team_broker, c.person.pk) is False
        assert access.break_glass_active(c.coordinator, c.other.pk) is False
        assert access.break_glass_active(c.other_broker, None) is False
        assert access.break_glass_active(anonymous(), c.person.pk) is False
        assert access.break_glass_until(c.other_broker, c.person.pk) == later
        assert access.break_glass_until(c.other_broker, c.other.pk) is None
        assert access.break_glass_until(c.broker, c.person.pk) is None


def test_break_glass_until_is_the_latest_active_grant(cast_: Cast) -> None:
    """With several grants, the practitioner is in until the latest expiry (whatever order the
    grants were made in); expired grants do not count."""
    c = cast_
    with time_machine.travel(NOON, tick=False):
        grant(c.other_broker, c.person, NOON + dt.timedelta(hours=3))
        grant(c.other_broker, c.person, NOON - dt.timedelta(hours=1))
        grant(c.other_broker, c.person, NOON + dt.timedelta(hours=1))
        assert access.break_glass_until(c.other_broker, c.person.pk) == NOON + dt.timedelta(hours=3)
    with time_machine.travel(NOON + dt.timedelta(hours=2), tick=False):
        assert access.break_glass_until(c.other_broker, c.person.pk) == NOON + dt.timedelta(hours=3)


def test_reaches_by_caseload_or_glass(cast_: Cast) -> None:
    """A practitioner reaches a person on their caseload, or whose records they broke glass for
    (either alone is enough)."""
    c = cast_
    with time_machine.travel(NOON, tick=False):
        grant(c.other_broker, c.person, NOON + dt.timedelta(hours=1))
        assert access.reaches(c.broker, c.person.pk) is True  # caseload, no glass
        assert access.reaches(c.other_broker, c.person.pk) is True  # glass, no caseload
        assert access.reaches(c.other_broker, c.other.pk) is True  # caseload
        assert access.reaches(c.broker, c.other.pk) is False
        assert access.reaches(c.coordinator, c.person.pk) is False
        assert access.reaches(c.person, c.person.pk) is False
        assert access.reaches(c.broker, None) is False


# --- acting for a person ---------------------------------------------------------------------


def test_can_act_for(cast_: Cast) -> None:
    """The person themselves, or a practitioner who reaches them; nobody else, and never an
    anonymous visitor (not even for "no person")."""
    c = cast_
    assert access.can_act_for(c.person, c.person.pk) is True
    assert access.can_act_for(c.broker, c.person.pk) is True
    assert access.can_act_for(c.team_broker, c.person.pk) is True
    assert access.can_act_for(c.person, c.other.pk) is False
    assert access.can_act_for(c.other_broker, c.person.pk) is False
    assert access.can_act_for(c.coordinator, c.person.pk) is False
    assert access.can_act_for(c.provider, c.person.pk) is False
    assert access.can_act_for(anonymous(), c.person.pk) is False
    assert access.can_act_for(anonymous(), None) is False


def _assessment(person: User) -> Assessment:
    return Assessment.objects.create(person=person, version_id="illustrative-ras-v1")


def _invite(
    assessment: Assessment, invitee: User, *, accepted: bool = True, revoked: bool = False
) -> Invitation:
    now = timezone.now()
    return Invitation.objects.create(
        assessment=assessment,
        invitee=invitee,
        relationship=Invitation.Relationship.FAMILY,
        accepted_at=now if accepted else None,
        revoked_at=now if revoked else None,
    )


def test_is_contributor_needs_an_accepted_unrevoked_invitation_to_that_assessment(
    cast_: Cast,
) -> None:
    """Family or friends contribute once they accepted an invitation to that assessment and the
    person has not withdrawn it."""
    c = cast_
    assessment = _assessment(c.person)
    elsewhere = _assessment(c.other)
    sister, pending, withdrawn, friend_elsewhere, stranger = (f.user(Role.CARER) for _ in range(5))
    _invite(assessment, sister)
    _invite(assessment, pending, accepted=False)
    _invite(assessment, withdrawn, revoked=True)
    _invite(elsewhere, friend_elsewhere)
    assert access.is_contributor(sister, assessment) is True
    assert access.is_contributor(pending, assessment) is False
    assert access.is_contributor(withdrawn, assessment) is False
    assert access.is_contributor(friend_elsewhere, assessment) is False
    assert access.is_contributor(friend_elsewhere, elsewhere) is True
    assert access.is_contributor(stranger, assessment) is False
    assert access.is_contributor(c.person, assessment) is False
    assert access.is_contributor(anonymous(), assessment) is False


def test_can_view_assessment(cast_: Cast) -> None:
    """The person, a practitioner who reaches them, or a contributor (who need not reach)."""
    c = cast_
    assessment = _assessment(c.person)
    sister = f.user(Role.CARER)
    _invite(assessment, sister)
    assert access.can_view_assessment(c.person, assessment) is True
    assert access.can_view_assessment(c.broker, assessment) is True
    assert access.can_view_assessment(sister, assessment) is True
    assert access.can_view_assessment(c.other_broker, assessment) is False
    assert access.can_view_assessment(c.other, assessment) is False
    assert access.can_view_assessment(anonymous(), assessment) is False


def test_can_answer(cast_: Cast) -> None:
    """The person writes the person's answers, only theirs; a practitioner who reaches them
    writes the practitioner's, never for their own assessment."""
    c = cast_
    assessment = _assessment(c.person)
    assert access.can_answer(c.person, assessment, "person") is True
    assert access.can_answer(c.broker, assessment, "person") is False
    assert access.can_answer(c.other, assessment, "person") is False
    assert access.can_answer(c.broker, assessment, "practitioner") is True
    assert access.can_answer(c.team_broker, assessment, "practitioner") is True
    assert access.can_answer(c.person, assessment, "practitioner") is False
    assert access.can_answer(c.other_broker, assessment, "practitioner") is False
    assert access.can_answer(c.coordinator, assessment, "practitioner") is False
    # A broker's own assessment, even with themselves on their caseload: the person's side only.
    CaseAssignment.objects.create(person=c.broker, practitioner=c.broker)
    own = _assessment(c.broker)
    assert access.can_answer(c.broker, own, "practitioner") is False
    assert access.can_answer(c.broker, own, "person") is True


@pytest.mark.parametrize(
    "predicate",
    [
        lambda user, person: access.can_withdraw_invitation(
            user, Invitation(assessment=Assessment(person=person))
        ),
        lambda user, person: access.can_view_plan(user, SupportPlan(person=person)),
        lambda user, person: access.can_edit_plan(user, SupportPlan(person=person)),
        lambda user, person: access.can_review_plan(user, SupportPlan(person=person)),
        lambda user, person: access.can_view_account(user, BudgetAccount(person=person)),
    ],
    ids=["withdraw_invitation", "view_plan", "edit_plan", "review_plan", "view_account"],
)
def test_person_or_practitioner_who_reaches(
    predicate: Callable[[User, User], bool], cast_: Cast
) -> None:
    """Withdrawing an invitation, viewing, editing and reviewing a plan, viewing an account: the
    person, or a practitioner who reaches them; not another person, another practitioner, a
    coordinator or an anonymous visitor."""
    c = cast_
    check = predicate
    assert check(c.person, c.person) is True
    assert check(c.broker, c.person) is True
    assert check(c.team_broker, c.person) is True
    assert check(c.other, c.person) is False
    assert check(c.other_broker, c.person) is False
    assert check(c.coordinator, c.person) is False
    assert check(anonymous(), c.person) is False


@pytest.mark.parametrize("predicate", [access.can_decide_plan, access.can_open_account])
def test_approvers_who_reach_never_their_own(
    predicate: Callable[[User, SupportPlan], bool], cast_: Cast
) -> None:
    """Agreeing a plan and opening its account: a broker or commissioner who reaches the person,
    never for their own plan; not an administrator (a practitioner but not an approver), nor the
    person."""
    c = cast_
    check = predicate
    plan = SupportPlan(person=c.person)
    assert check(c.broker, plan) is True
    assert check(c.commissioner, plan) is True
    assert check(c.team_broker, plan) is True
    assert check(c.administrator, plan) is False
    assert check(c.superuser, plan) is False
    assert check(c.other_broker, plan) is False
    assert check(c.coordinator, plan) is False
    assert check(c.person, plan) is False
    # Their own plan, even with themselves on their own caseload.
    CaseAssignment.objects.create(person=c.broker, practitioner=c.broker)
    assert check(c.broker, SupportPlan(person=c.broker)) is False


# --- the ledger ---------------------------------------------------------------------------------

KINDS = ("allocation", "contribution", "provider_payment", "refund")


def _account(person: User, kind: str = BudgetAccount.Kind.DIRECT_PAYMENT) -> BudgetAccount:
    return BudgetAccount(person=person, kind=kind)


RECORD_TABLE = [
    # actor, account kind, kinds they may record
    ("person", BudgetAccount.Kind.DIRECT_PAYMENT, {"contribution", "provider_payment", "refund"}),
    ("person", BudgetAccount.Kind.MANAGED, set()),
    ("broker", BudgetAccount.Kind.DIRECT_PAYMENT, set(KINDS)),
    ("broker", BudgetAccount.Kind.MANAGED, set(KINDS)),
    ("commissioner", BudgetAccount.Kind.MANAGED, set(KINDS)),
    ("team_broker", BudgetAccount.Kind.MANAGED, set(KINDS)),
    ("administrator", BudgetAccount.Kind.MANAGED, {"contribution", "provider_payment", "refund"}),
    (
        "superuser",
        BudgetAccount.Kind.DIRECT_PAYMENT,
        {"contribution", "provider_payment", "refund"},
    ),
    ("other_broker", BudgetAccount.Kind.DIRECT_PAYMENT, set()),
    ("other", BudgetAccount.Kind.DIRECT_PAYMENT, set()),
    ("coordinator", BudgetAccount.Kind.DIRECT_PAYMENT, set()),
    ("provider", BudgetAccount.Kind.DIRECT_PAYMENT, set()),
]


@pytest.mark.parametrize(("who", "account_kind", "allowed"), RECORD_TABLE)
def test_can_record_and_can_correct(
    who: str, account_kind: str, allowed: set[str], cast_: Cast
) -> None:
    """Recording: the council's money (allocations) only by an approver who reaches the person;
    other money by any practitioner who reaches them, or by the holder of a direct payment (never
    of a managed account). Correcting follows recording, and a correction is never corrected."""
    c = cast_
    actor = getattr(c, who)
    account = _account(c.person, account_kind)
    for kind in KINDS:
        assert access.can_record(actor, account, kind) is (kind in allowed), kind
        assert access.can_correct(actor, account, kind) is (kind in allowed), kind
    assert access.can_correct(actor, account, "reversal") is False


def test_holder_never_records_the_councils_money_even_on_own_caseload(cast_: Cast) -> None:
    """A broker holding their own direct payment records it as its holder (their contributions,
    payments, refunds), not as a practitioner: no allocation, even with a caseload record for
    themselves."""
    c = cast_
    CaseAssignment.objects.create(person=c.broker, practitioner=c.broker)
    own = _account(c.broker)
    assert access.can_record(c.broker, own, "allocation") is False
    assert access.can_record(c.broker, own, "contribution") is True
    assert access.can_correct(c.broker, own, "allocation") is False
    assert access.can_correct(c.broker, own, "refund") is True
    managed = _account(c.broker, BudgetAccount.Kind.MANAGED)
    assert access.can_record(c.broker, managed, "contribution") is False


def test_practitioner_for(cast_: Cast) -> None:
    """A practitioner acting for someone else they reach: not for themselves (even with a
    caseload record or a grant for themselves), not a non-practitioner, not someone they do not
    reach."""
    c = cast_
    with time_machine.travel(NOON, tick=False):
        grant(c.other_broker, c.person, NOON + dt.timedelta(hours=1))
        assert access.practitioner_for(c.broker, c.person.pk) is True
        assert access.practitioner_for(c.administrator, c.person.pk) is True
        assert access.practitioner_for(c.other_broker, c.person.pk) is True
        assert access.practitioner_for(c.broker, c.other.pk) is False
        assert access.practitioner_for(c.coordinator, c.person.pk) is False
        assert access.practitioner_for(c.person, c.person.pk) is False
        assert access.practitioner_for(c.person, c.other.pk) is False
        CaseAssignment.objects.create(person=c.broker, practitioner=c.broker)
        assert access.practitioner_for(c.broker, c.broker.pk) is False


# --- refusals ----------------------------------------------------------------------------------


def test_require() -> None:
    """``require`` passes a true condition, and refuses a false one with the given message or,
    by default, "You cannot do that."."""
    access.require(True)
    access.require(True, "Not shown")
    with pytest.raises(access.NotAllowed) as refused:
        access.require(False)
    assert str(refused.value) == "You cannot do that."
    with pytest.raises(access.NotAllowed) as refused:
        access.require(False, "Only a broker may do this.")
    assert str(refused.value) == "Only a broker may do this."


def test_outside_caseload_message() -> None:
    """OutsideCaseload is a refusal (NotAllowed) whose message is safe to show and which names
    the person, so the view can offer to break glass."""
    refusal = access.OutsideCaseload(42)
    assert isinstance(refusal, access.NotAllowed)
    assert str(refusal) == "This person is not on your caseload."
    assert refusal.args == ("This person is not on your caseload.",)
    assert refusal.person_id == 42


def test_require_reach_refuses_a_practitioner_who_does_not_reach(cast_: Cast) -> None:
    """A practitioner outside the person's caseload, without glass broken, is refused with
    OutsideCaseload naming the person; the message is word for word."""
    c = cast_
    for practitioner in (c.broker, c.administrator, c.commissioner, c.superuser):
        with pytest.raises(access.OutsideCaseload) as refused:
            access.require_reach(practitioner, c.other.pk)
        assert str(refused.value) == "This person is not on your caseload."
        assert refused.value.person_id == c.other.pk


def test_require_reach_lets_through(cast_: Cast) -> None:
    """No refusal for a practitioner who reaches the person (caseload, team or glass), for a
    practitioner's own records, or for anyone who is not a practitioner (other rules decide)."""
    c = cast_
    with time_machine.travel(NOON, tick=False):
        grant(c.broker, c.other, NOON + dt.timedelta(seconds=1))
        access.require_reach(c.broker, c.person.pk)
        access.require_reach(c.team_broker, c.person.pk)
        access.require_reach(c.broker, c.other.pk)
        access.require_reach(c.other_broker, c.other_broker.pk)
        access.require_reach(c.person, c.person.pk)
        access.require_reach(c.person, c.other.pk)
        access.require_reach(c.coordinator, c.other.pk)
        access.require_reach(c.provider, c.person.pk)
    with (
        time_machine.travel(NOON + dt.timedelta(seconds=1), tick=False),
        pytest.raises(access.OutsideCaseload),
    ):
        access.require_reach(c.broker, c.other.pk)
