"""Issue 14: tests that kill the mutants of the time bank's limit and approval rules that survived
(each at its boundary): a positive debit-limit setting is clamped to zero; a coordinator cannot
approve their own application; organisations' accounts have no debit limit."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from accounts.roles import Role
from directory.tests import factories as f
from timebank import selectors
from timebank.models import LedgerTransaction, Member
from timebank.services._common import TimebankRefused
from timebank.services.credits import issue_credits, redeem_credits
from timebank.services.ledger import account_for, default_debit_limit, issuer_account, limit_for
from timebank.services.members import apply_to_join, approve_member, set_debit_limit
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db


# --- the debit-limit setting ---------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "limit"), [(600, 0), (1, 0), (0, 0), (-1, -1), (-600, -600)])
def test_a_positive_debit_limit_setting_is_clamped_to_zero(setting: int, limit: int) -> None:
    with override_settings(TIMEBANK_DEBIT_LIMIT_MINUTES=setting):
        assert default_debit_limit() == limit


@override_settings(TIMEBANK_DEBIT_LIMIT_MINUTES=1)
def test_with_a_positive_setting_a_member_may_still_spend_down_to_zero_and_no_further() -> None:
    family, helper, other = tb.member(), tb.member(), tb.member()
    assert selectors.balance_of(family) == 300
    tb.exchange(helper, family, 300, start=tb.at(-2))  # to exactly zero: allowed
    assert selectors.balance_of(family) == 0
    with pytest.raises(TimebankRefused, match="the limit is 0 minutes"):
        tb.exchange(other, family, 1, start=tb.at(-3))
    assert selectors.balance_of(family) == 0


def test_a_members_own_limit_must_be_zero_or_below() -> None:
    coordinator = tb.coordinator()
    family = tb.member(by=coordinator)
    set_debit_limit(coordinator=coordinator, member=family, minutes=0)
    with pytest.raises(TimebankRefused, match="zero or below"):
        set_debit_limit(coordinator=coordinator, member=family, minutes=1)
    assert account_for(family).debit_limit == 0


# --- approving one's own application -------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR])
def test_a_coordinator_cannot_approve_their_own_application(role: str) -> None:
    me = f.user(role)
    application = apply_to_join(user=me, name="Me", about="Gardening")
    with pytest.raises(TimebankRefused, match="Another coordinator must approve your own"):
        approve_member(coordinator=me, member=application)
    application.refresh_from_db()
    assert application.status == Member.Status.APPLIED
    assert selectors.balance_of(application) == 0
    assert not LedgerTransaction.objects.filter(kind="joining_credit").exists()
    approve_member(coordinator=tb.coordinator(), member=application)
    application.refresh_from_db()
    assert application.status == Member.Status.APPROVED
    assert selectors.balance_of(application) == 300


def test_a_coordinator_cannot_approve_their_own_application_from_the_page(client: Client) -> None:
    me = f.user(Role.COORDINATOR)
    application = apply_to_join(user=me, name="Me", about="Gardening")
    client.force_login(me)
    page = client.post(f"/time-bank/members/{application.pk}/approve/", follow=True)
    assert "Another coordinator must approve your own application" in page.content.decode()
    application.refresh_from_db()
    assert application.status == Member.Status.APPLIED


# --- organisations are not limited ---------------------------------------------------------------


@pytest.mark.parametrize("kind", [Member.Kind.SERVICE, Member.Kind.GROUP, Member.Kind.VENUE])
def test_an_organisation_issues_credits_beyond_any_debit_limit(kind: str) -> None:
    coordinator = tb.coordinator()
    org = tb.member(by=coordinator, kind=kind, name="Library")
    sam = tb.member(by=coordinator)
    # 300 joining minutes, then 901 issued: one minute beyond a person's default limit.
    issue_credits(
        by=org.user,
        organisation=org,
        member=sam,
        minutes=901,
        reason="Volunteering",
        idempotency_key="beyond",
    )
    assert selectors.balance_of(org) == 300 - 901 == default_debit_limit() - 1
    assert limit_for(account_for(org)) is None
    assert limit_for(issuer_account()) is None
    assert limit_for(account_for(sam)) == -600
    assert selectors.ledger_problems() == []


def test_a_person_is_held_to_the_limit_one_minute_beyond() -> None:
    coordinator = tb.coordinator()
    museum = tb.member(by=coordinator, kind=Member.Kind.VENUE, name="Museum")
    sam = tb.member(by=coordinator)
    with pytest.raises(TimebankRefused, match="the limit is -10 hours"):
        redeem_credits(
            by=sam.user,
            member=sam,
            partner=museum,
            minutes=901,
            activity="Art class",
            idempotency_key="too-far",
        )
    redeem_credits(
        by=sam.user,
        member=sam,
        partner=museum,
        minutes=900,
        activity="Art class",
        idempotency_key="to-the-limit",
    )
    assert selectors.balance_of(sam) == -600


def test_an_organisations_limit_cannot_be_set() -> None:
    """A limit on an organisation would be silently ignored, so it is refused with the reason."""
    coordinator = tb.coordinator()
    org = tb.member(by=coordinator, kind=Member.Kind.SERVICE, name="Library")
    with pytest.raises(TimebankRefused, match="Organisations' accounts have no debit limit"):
        set_debit_limit(coordinator=coordinator, member=org, minutes=-60)
    assert account_for(org).debit_limit is None
