"""The time bank's services: joining, the ledger's rules and every refusal, idempotency,
reversals, time credits, rotas and reminders, and the support-plan functions."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import erase_person, export_personal_data
from directory.tests import factories as f
from timebank import selectors
from timebank.models import Exchange, LedgerTransaction, Member, Posting, ReminderSent, Request
from timebank.services._common import TimebankRefused
from timebank.services.credits import issue_credits, redeem_credits
from timebank.services.exchanges import confirm_exchange, propose_exchange, reverse_exchange
from timebank.services.ledger import issuer_account
from timebank.services.members import apply_to_join, approve_member, record_check, set_debit_limit
from timebank.services.offers import create_request, request_for_plan
from timebank.services.reminders import send_due_reminders
from timebank.services.rotas import assign_to_rota, create_rota, plan_for
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db


def balance(m: Member) -> int:
    return selectors.balance_of(m)


def assert_sound() -> None:
    assert selectors.ledger_problems() == []


# --- joining -------------------------------------------------------------------------------------


def test_approval_credits_joining_hours_from_the_time_banks_own_account() -> None:
    m = tb.member(approved=False)
    assert m.status == Member.Status.APPLIED and balance(m) == 0
    approve_member(coordinator=tb.coordinator(), member=m)
    assert balance(m) == 300
    assert issuer_account().balance == -300
    assert_sound()
    assert AuditEvent.objects.filter(
        object_type="timebank.member", summary__contains="Approved"
    ).exists()


def test_approving_twice_credits_once() -> None:
    coordinator = tb.coordinator()
    m = tb.member(by=coordinator)
    approve_member(coordinator=coordinator, member=m)
    assert balance(m) == 300
    assert LedgerTransaction.objects.filter(kind="joining_credit").count() == 1


@override_settings(TIMEBANK_JOINING_CREDIT_MINUTES=120)
def test_joining_credit_is_configurable() -> None:
    assert balance(tb.member()) == 120


def test_only_a_coordinator_approves() -> None:
    m = tb.member(approved=False)
    with pytest.raises(TimebankRefused, match="coordinator"):
        approve_member(coordinator=tb.member().user, member=m)


def test_applying_twice_is_refused() -> None:
    m = tb.member()
    with pytest.raises(TimebankRefused, match="already applied"):
        apply_to_join(user=m.user)


# --- exchanges -----------------------------------------------------------------------------------


def test_exchange_moves_time_from_receiver_to_giver_when_confirmed() -> None:
    giver, receiver = tb.member(), tb.member()
    x = tb.exchange(giver, receiver, 120, confirm=False)
    assert x.status == Exchange.Status.PROPOSED and balance(giver) == 300
    x = confirm_exchange(by=receiver.user, exchange=x)
    assert x.status == Exchange.Status.CONFIRMED
    assert balance(giver) == 420 and balance(receiver) == 180
    assert_sound()


def test_proposer_cannot_confirm_their_own_exchange_but_a_coordinator_can() -> None:
    giver, receiver = tb.member(), tb.member()
    x = tb.exchange(giver, receiver, 60, confirm=False)
    with pytest.raises(TimebankRefused, match="other member"):
        confirm_exchange(by=giver.user, exchange=x)
    confirm_exchange(by=tb.coordinator(), exchange=x)
    assert balance(giver) == 360


def test_an_outsider_cannot_propose_or_confirm() -> None:
    giver, receiver, outsider = tb.member(), tb.member(), tb.member()
    with pytest.raises(TimebankRefused, match="took part"):
        tb.exchange(giver, receiver, by=outsider.user, confirm=False)
    x = tb.exchange(giver, receiver, confirm=False)
    with pytest.raises(TimebankRefused, match="Only the members"):
        confirm_exchange(by=outsider.user, exchange=x)


def test_confirming_twice_moves_time_once() -> None:
    giver, receiver = tb.member(), tb.member()
    x = tb.exchange(giver, receiver, 60)
    confirm_exchange(by=receiver.user, exchange=x)
    assert (
        balance(giver) == 360 and Posting.objects.filter(transaction__kind="exchange").count() == 2
    )


@pytest.mark.parametrize("minutes", [0, -30])
def test_zero_or_negative_time_is_refused(minutes: int) -> None:
    giver, receiver = tb.member(), tb.member()
    with pytest.raises(TimebankRefused, match="more than zero"):
        tb.exchange(giver, receiver, minutes)
    assert not Exchange.objects.exists()


def test_fractional_or_huge_time_is_refused() -> None:
    giver, receiver = tb.member(), tb.member()
    with pytest.raises(TimebankRefused, match="whole number"):
        tb.exchange(giver, receiver, 1.5)  # type: ignore[arg-type]  # a float, on purpose
    with pytest.raises(TimebankRefused, match="at most 24 hours"):
        tb.exchange(giver, receiver, 25 * 60)


def test_exchange_with_an_unapproved_member_is_refused() -> None:
    giver, applicant = tb.member(), tb.member(approved=False)
    with pytest.raises(TimebankRefused, match="not an approved member"):
        tb.exchange(giver, applicant, 60, by=tb.coordinator())


def test_exchange_with_oneself_is_refused() -> None:
    m = tb.member()
    with pytest.raises(TimebankRefused, match="two different members"):
        tb.exchange(m, m, 60)


def test_debit_limit_lets_a_new_member_receive_help_first_then_refuses_beyond_it() -> None:
    family = tb.member()  # 5 hours joining credit, limit -10 hours: 15 hours of help possible
    helpers = [tb.member() for _ in range(3)]
    for i, helper in enumerate(helpers[:2]):
        tb.exchange(helper, family, 420, start=tb.at(-2 - i))
    assert balance(family) == 300 - 840
    with pytest.raises(
        TimebankRefused, match=r"balance to -10 hours 30 minutes; the limit is -10 hours"
    ):
        tb.exchange(helpers[2], family, 90, start=tb.at(-5))
    tb.exchange(helpers[2], family, 60, start=tb.at(-5))  # exactly to the limit is allowed
    assert balance(family) == -600
    assert_sound()


def test_a_members_own_debit_limit_overrides_the_default() -> None:
    coordinator = tb.coordinator()
    family, helper = tb.member(by=coordinator), tb.member(by=coordinator)
    set_debit_limit(coordinator=coordinator, member=family, minutes=0)
    with pytest.raises(TimebankRefused, match="limit is 0 minutes"):
        tb.exchange(helper, family, 301)
    with pytest.raises(TimebankRefused, match="zero or below"):
        set_debit_limit(coordinator=coordinator, member=family, minutes=60)


def test_overlapping_confirmed_exchange_is_refused_with_the_time() -> None:
    a, b, c = tb.member(name="Ada"), tb.member(), tb.member()
    tb.exchange(a, b, 120, start=tb.at(-1, 10))
    with pytest.raises(
        TimebankRefused, match=r"Ada already has a confirmed exchange on .* from 10:00 to 12:00"
    ):
        tb.exchange(a, c, 60, start=tb.at(-1, 11))
    tb.exchange(a, c, 60, start=tb.at(-1, 12))  # back to back is fine


def test_overlap_is_checked_again_at_confirmation() -> None:
    a, b, c = tb.member(), tb.member(), tb.member()
    first = tb.exchange(a, b, 120, start=tb.at(-1, 10), confirm=False)
    second = tb.exchange(a, c, 120, start=tb.at(-1, 11), confirm=False)
    confirm_exchange(by=b.user, exchange=first)
    with pytest.raises(TimebankRefused, match="overlaps"):
        confirm_exchange(by=c.user, exchange=second)
    assert balance(a) == 420


def test_same_idempotency_key_records_once() -> None:
    giver, receiver = tb.member(), tb.member()
    coordinator = tb.coordinator()
    start = tb.at(-1)
    first = tb.exchange(
        giver, receiver, 60, start=start, idempotency_key="k1", by=coordinator, confirm=False
    )
    again = tb.exchange(
        giver, receiver, 60, start=start, idempotency_key="k1", by=coordinator, confirm=False
    )
    assert first.pk == again.pk and Exchange.objects.count() == 1


def test_same_key_for_different_content_is_refused() -> None:
    giver, receiver = tb.member(), tb.member()
    start = tb.at(-1)
    tb.exchange(giver, receiver, 60, start=start, idempotency_key="k2")
    with pytest.raises(TimebankRefused, match="already used"):
        tb.exchange(giver, receiver, 90, start=start, idempotency_key="k2")


def test_recorded_by_a_coordinator_in_one_step_and_retried() -> None:
    giver, receiver, coordinator = tb.member(), tb.member(), tb.coordinator()
    kwargs = {
        "by": coordinator,
        "giver": giver,
        "receiver": receiver,
        "minutes": 45,
        "start": tb.at(-3),
        "idempotency_key": "retry",
        "confirm": True,
    }
    x = propose_exchange(**kwargs)
    y = propose_exchange(**kwargs)
    assert x.pk == y.pk and x.status == Exchange.Status.CONFIRMED
    assert balance(giver) == 345
    with pytest.raises(TimebankRefused, match="other member confirms"):
        propose_exchange(**{**kwargs, "by": giver.user, "idempotency_key": "x"})


def test_reversal_restores_balances_keeps_the_original_and_happens_once() -> None:
    giver, receiver, coordinator = tb.member(), tb.member(), tb.coordinator()
    x = tb.exchange(giver, receiver, 90)
    reverse_exchange(coordinator=coordinator, exchange=x, reason="Entered twice")
    assert balance(giver) == 300 and balance(receiver) == 300
    assert LedgerTransaction.objects.filter(kind="exchange").count() == 1
    reversal = LedgerTransaction.objects.get(kind="reversal")
    assert reversal.reverses_id == x.transaction_id and "Entered twice" in reversal.memo
    with pytest.raises(TimebankRefused, match="Only a confirmed exchange"):
        reverse_exchange(coordinator=coordinator, exchange=x, reason="again")
    with pytest.raises(TimebankRefused, match="coordinator"):
        reverse_exchange(coordinator=giver.user, exchange=x, reason="no")
    assert_sound()


def test_reversal_is_allowed_even_below_the_debit_limit() -> None:
    coordinator = tb.coordinator()
    a, b = tb.member(by=coordinator), tb.member(by=coordinator)
    x = tb.exchange(a, b, 600)  # a: 900
    tb.exchange(a, b, 300, start=tb.at(-3))  # a: 1200; b: 300 - 900 = -600, at the limit
    set_debit_limit(coordinator=coordinator, member=a, minutes=0)
    tb.exchange(b, a, 900, start=tb.at(-4))  # a: 300
    reverse_exchange(coordinator=coordinator, exchange=x, reason="mistake")
    assert balance(a) == -300  # below its own limit of 0: a correction is always possible
    assert_sound()


def test_activity_that_needs_a_check_cannot_be_arranged_with_an_unchecked_member() -> None:
    coordinator = tb.coordinator()
    helper, person = tb.member(by=coordinator, name="Hal"), tb.member(by=coordinator)
    req = create_request(member=person, title="Home visit", category=None, needs_check=True)
    with pytest.raises(TimebankRefused, match="Hal does not have a valid DBS check"):
        tb.exchange(helper, person, 60, req=req)
    today = timezone.localdate()
    record_check(
        coordinator=coordinator,
        member=helper,
        kind="dbs_enhanced",
        checked_on=today - timedelta(days=10),
        expires_on=today + timedelta(days=300),
    )
    tb.exchange(helper, person, 60, req=req)
    req.refresh_from_db()
    assert req.status == Request.Status.ARRANGED


def test_check_dates_are_validated() -> None:
    coordinator, m = tb.coordinator(), tb.member()
    today = timezone.localdate()
    with pytest.raises(TimebankRefused, match="renewed"):
        record_check(coordinator=coordinator, member=m, kind="dbs_basic", checked_on=today)
    with pytest.raises(TimebankRefused, match="after the date"):
        record_check(
            coordinator=coordinator, member=m, kind="reference", checked_on=today, expires_on=today
        )
    with pytest.raises(TimebankRefused, match="coordinator"):
        record_check(coordinator=m.user, member=m, kind="reference", checked_on=today)


# --- time credits --------------------------------------------------------------------------------


def test_organisation_issues_credits_and_member_spends_them_with_a_partner() -> None:
    coordinator = tb.coordinator()
    library = tb.member(by=coordinator, kind=Member.Kind.SERVICE, name="Library")
    museum = tb.member(by=coordinator, kind=Member.Kind.VENUE, name="Museum")
    sam = tb.member(by=coordinator)
    issue_credits(
        by=library.user,
        organisation=library,
        member=sam,
        minutes=120,
        reason="Reading group",
        idempotency_key="i1",
    )
    issue_credits(
        by=library.user,
        organisation=library,
        member=sam,
        minutes=120,
        reason="Reading group",
        idempotency_key="i1",
    )
    assert balance(sam) == 420 and balance(library) == 300 - 120
    redeem_credits(
        by=sam.user,
        member=sam,
        partner=museum,
        minutes=60,
        activity="Museum visit",
        idempotency_key="r1",
    )
    assert balance(sam) == 360 and balance(museum) == 360
    with pytest.raises(TimebankRefused, match="issued by organisations"):
        issue_credits(
            by=sam.user,
            organisation=sam,
            member=museum,
            minutes=60,
            reason="x",
            idempotency_key="i2",
        )
    with pytest.raises(TimebankRefused, match="limit"):
        redeem_credits(
            by=sam.user,
            member=sam,
            partner=museum,
            minutes=1000,
            activity="x",
            idempotency_key="r2",
        )
    lines = selectors.statement_for(sam).lines
    assert [line.memo for line in lines][-2:] == [
        "Library: Reading group",
        "Museum visit at Museum",
    ]
    assert_sound()


# --- support plans -------------------------------------------------------------------------------


def test_request_for_plan_applies_for_the_person_and_confirmed_minutes_counts_help() -> None:
    person = f.user()
    category = f.term("Getting about")
    req = request_for_plan(
        person=person,
        category=category,
        minutes_per_week=120,
        title="Lift to the shops",
        details="",
    )
    assert req.from_support_plan and req.minutes_per_week == 120 and req.category == category
    member = Member.objects.get(user=person)
    assert member.status == Member.Status.APPLIED
    member = approve_member(coordinator=tb.coordinator(), member=member)
    helper = tb.member()
    tb.exchange(helper, member, 90, start=tb.at(-2))
    tb.exchange(helper, member, 30, start=tb.at(-40))
    assert selectors.confirmed_minutes(person) == 120
    assert selectors.confirmed_minutes(person, start=timezone.localdate() - timedelta(days=7)) == 90
    assert selectors.confirmed_minutes(person, received=False) == 0
    assert selectors.confirmed_minutes(f.user()) == 0


# --- rotas and reminders -------------------------------------------------------------------------


def _tuesday_after(days: int) -> date:
    d = timezone.localdate() + timedelta(days=days)
    return d + timedelta(days=(1 - d.weekday()) % 7)


def test_rota_shows_gaps_and_sends_each_reminder_once() -> None:
    coordinator = tb.coordinator()
    coordinator.email = "coord@example.org"
    coordinator.save()
    person = tb.member(by=coordinator)
    a, b = tb.member(by=coordinator), tb.member(by=coordinator)
    first = _tuesday_after(3)
    rota = create_rota(
        coordinator=coordinator,
        title="Hospital lift",
        weekday=1,
        start_time=time(9),
        duration_minutes=90,
        first_date=first,
        end_date=first + timedelta(weeks=77),
        receiver=person,
    )
    assign_to_rota(coordinator=coordinator, rota=rota, member=a, starting=first, every_weeks=2)
    assign_to_rota(
        coordinator=coordinator,
        rota=rota,
        member=b,
        starting=first + timedelta(weeks=1),
        every_weeks=2,
        until=first + timedelta(weeks=5),
    )
    plan = plan_for(rota)
    assert len(plan.slots) == 78
    assert plan.gaps[0].day == first + timedelta(weeks=7)
    with pytest.raises(TimebankRefused, match="Tuesday"):
        assign_to_rota(
            coordinator=coordinator, rota=rota, member=b, starting=first + timedelta(days=1)
        )
    # Two days before the first slot: a's reminder goes out; running again sends nothing.
    run = send_due_reminders(today=first - timedelta(days=2))
    assert run.sent == 1 and len(mail.outbox) == 1 and a.user.email in mail.outbox[0].to
    again = send_due_reminders(today=first - timedelta(days=2))
    assert again.sent == 0 and len(mail.outbox) == 1
    # The first gap: the coordinators are told.
    gap_day = plan.gaps[0].day
    run = send_due_reminders(today=gap_day - timedelta(days=2), catch_up_days=0)
    assert any("Nobody is covering" in m for m in run.messages)
    assert ReminderSent.objects.filter(recipient="gap").count() == 1


def test_expiring_checks_are_reminded_once() -> None:
    coordinator = tb.coordinator()
    coordinator.email = "coord@example.org"
    coordinator.save()
    m = tb.member(by=coordinator, name="Val")
    today = timezone.localdate()
    record_check(
        coordinator=coordinator,
        member=m,
        kind="dbs_basic",
        checked_on=today - timedelta(days=700),
        expires_on=today + timedelta(days=20),
    )
    run = send_due_reminders(today=today)
    assert any("Val" in msg for msg in run.messages)
    assert send_due_reminders(today=today).sent == 0


# --- personal data -------------------------------------------------------------------------------


def test_export_and_erasure_keep_the_ledger_balanced() -> None:
    coordinator = tb.coordinator()
    a, b = tb.member(by=coordinator, name="Erin"), tb.member(by=coordinator)
    tb.exchange(a, b, 60, description="Gardening at 4 Elm Road")
    data = export_personal_data(person=a.user, requested_by=a.user, request=None)
    assert data["time_bank"]["statement"]["balance_minutes"] == 360
    assert data["time_bank"]["exchanges"][0]["description"] == "Gardening at 4 Elm Road"
    erase_person(person=a.user, erased_by=coordinator, request=None)
    a.refresh_from_db()
    assert a.name.startswith("Former member") and a.status == Member.Status.LEFT
    assert not Exchange.objects.filter(description__contains="Elm").exists()
    assert balance(a) == 360 and balance(b) == 240
    assert_sound()
