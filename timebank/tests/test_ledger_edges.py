"""Issue 14: the edges of time credits (``timebank.services.credits``) and of the ledger
(``timebank.services.ledger``): what an entry holds, the refusals word for word, the limits
exactly at and one minute either side, idempotent retries, corrections (reversals) and the
conversion of a stored entry to the pure ledger rules' transaction.

Members join with 5 hours (300 minutes) and may go down to -10 hours (-600 minutes) unless their
own limit says otherwise; organisations' accounts have no limit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import QuerySet
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import AuditEvent
from rules.ledger import Minutes, TimeKind, Transaction
from rules.ledger import Posting as LedgerPosting
from timebank import selectors
from timebank.models import Account, Exchange, LedgerTransaction, Member, Posting
from timebank.services import submit_exchange
from timebank.services._common import TimebankRefused
from timebank.services.credits import MAX_CREDIT_MINUTES, issue_credits, redeem_credits
from timebank.services.ledger import (
    _as_rules,
    _name_of,
    _reverse,
    account_for,
    default_debit_limit,
    issuer_account,
    limit_for,
)
from timebank.services.members import set_debit_limit
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db

LIMIT_TEXT = "Ask the coordinator if the limit should be changed."


class People:
    """A coordinator, two members (Alf and Bea), a partner organisation and an applicant."""

    def __init__(self) -> None:
        self.cora = tb.coordinator()
        self.alf = tb.member(by=self.cora, name="Alf")
        self.bea = tb.member(by=self.cora, name="Bea")
        self.org = tb.member(by=self.cora, name="Library", kind=Member.Kind.SERVICE)
        self.applicant = tb.member(approved=False, name="Cy")

    def issue(self, minutes: Any = 90, *, key: str = "k1", **kw: Any) -> LedgerTransaction:
        args: dict[str, Any] = {
            "by": self.org.user,
            "organisation": self.org,
            "member": self.alf,
            "minutes": minutes,
            "reason": "Volunteering",
            "idempotency_key": key,
        }
        args.update(kw)
        return issue_credits(**args)

    def redeem(self, minutes: Any = 45, *, key: str = "k2", **kw: Any) -> LedgerTransaction:
        args: dict[str, Any] = {
            "by": self.alf.user,
            "member": self.alf,
            "partner": self.org,
            "minutes": minutes,
            "activity": "Art class",
            "idempotency_key": key,
        }
        args.update(kw)
        return redeem_credits(**args)


@pytest.fixture
def p() -> People:
    return People()


def postings(txn: LedgerTransaction) -> dict[str, int]:
    """The entry's postings as ``{account's ledger id: minutes}``, read back from the database."""
    return {
        pst.account.ledger_id: pst.minutes
        for pst in LedgerTransaction.objects.get(pk=txn.pk).postings.select_related("account")
    }


def audit_of(txn: LedgerTransaction) -> AuditEvent:
    return AuditEvent.objects.get(object_type="timebank.ledgertransaction", object_id=str(txn.pk))


def lid(member: Member) -> str:
    return f"member:{member.pk}"


def ledger() -> tuple[int, int, list[tuple[int, int]]]:
    """The ledger's entries, postings and every account's balance."""
    return (
        LedgerTransaction.objects.count(),
        Posting.objects.count(),
        list(Account.objects.order_by("pk").values_list("pk", "balance")),
    )


def written() -> tuple[Any, ...]:
    """The ledger and the audit records of its entries."""
    return (
        *ledger(),
        AuditEvent.objects.filter(object_type="timebank.ledgertransaction").count(),
    )


# --- issuing and spending time credits ----------------------------------------------------------


def test_an_organisation_issues_credits_to_a_member(p: People) -> None:
    """An issue moves the minutes from the organisation to the member, under the key
    ``issue:<key>``, dated today, with the organisation's name and the reason as its memo, and is
    audited against the member who received the credits."""
    txn = p.issue(90, key="k1")
    stored = LedgerTransaction.objects.get(pk=txn.pk)
    assert (stored.key, stored.kind, stored.effective, stored.memo) == (
        "issue:k1",
        LedgerTransaction.Kind.ISSUE,
        timezone.localdate(),
        "Library: Volunteering",
    )
    assert stored.reverses is None
    assert stored.created_by == p.org.user
    assert postings(txn) == {lid(p.org): -90, lid(p.alf): 90}
    assert selectors.balance_of(p.alf) == 300 + 90
    assert selectors.balance_of(p.org) == 300 - 90
    event = audit_of(txn)
    assert (event.actor, event.action, event.subject, event.summary) == (
        p.org.user,
        AuditEvent.Action.CREATE,
        p.alf.user,
        "Library issued 1 hour 30 minutes to Alf",
    )


def test_a_coordinator_issues_credits_for_an_organisation(p: People) -> None:
    """The entry and its audit record name the coordinator who recorded it."""
    txn = p.issue(30, by=p.cora)
    assert LedgerTransaction.objects.get(pk=txn.pk).created_by == p.cora
    assert audit_of(txn).actor == p.cora
    assert audit_of(txn).subject == p.alf.user


def test_a_member_spends_credits_at_a_partner(p: People) -> None:
    """A redemption moves the minutes from the member to the partner, under ``redeem:<key>``, with
    the activity and the partner as its memo, audited against the member who spent them."""
    txn = p.redeem(45, key="k2")
    stored = LedgerTransaction.objects.get(pk=txn.pk)
    assert (stored.key, stored.kind, stored.effective, stored.memo) == (
        "redeem:k2",
        LedgerTransaction.Kind.REDEMPTION,
        timezone.localdate(),
        "Art class at Library",
    )
    assert stored.created_by == p.alf.user
    assert postings(txn) == {lid(p.alf): -45, lid(p.org): 45}
    assert selectors.balance_of(p.alf) == 300 - 45
    assert selectors.balance_of(p.org) == 300 + 45
    event = audit_of(txn)
    assert (event.actor, event.action, event.subject, event.summary) == (
        p.alf.user,
        AuditEvent.Action.CREATE,
        p.alf.user,
        "Alf spent 45 minutes at Library",
    )


def test_the_partner_records_credits_spent_with_it(p: People) -> None:
    """The partner organisation may record what a member spent with it (the entry is still the
    member's: audited against the member, recorded by the partner)."""
    txn = p.redeem(60, by=p.org.user)
    assert LedgerTransaction.objects.get(pk=txn.pk).created_by == p.org.user
    event = audit_of(txn)
    assert (event.actor, event.subject, event.summary) == (
        p.org.user,
        p.alf.user,
        "Alf spent 1 hour at Library",
    )


REFUSALS: dict[str, tuple[Callable[[People], Any], str]] = {
    "a member issues an organisation's credits": (
        lambda p: p.issue(by=p.alf.user),
        "Only the organisation, or a coordinator, can issue its credits.",
    ),
    "credits issued by a person": (
        lambda p: p.issue(by=p.cora, organisation=p.bea),
        "Time credits are issued by organisations.",
    ),
    "credits issued to an applicant": (
        lambda p: p.issue(member=p.applicant),
        "Cy is not an approved member of the time bank yet.",
    ),
    "someone else records a member's spending": (
        lambda p: p.redeem(by=p.bea.user),
        "Only the member, the partner or a coordinator can record this.",
    ),
    "credits spent with a person": (
        lambda p: p.redeem(by=p.cora, partner=p.bea),
        "Time credits are spent with partner organisations.",
    ),
    "credits spent by an applicant": (
        lambda p: p.redeem(by=p.cora, member=p.applicant),
        "Cy is not an approved member of the time bank yet.",
    ),
    "an organisation issuing credits to itself": (
        lambda p: p.issue(member=p.org, key="self"),
        "Transaction 'issue:self' needs at least two postings: one out and one in.",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_word_for_word_and_nothing_written(p: People, case: str) -> None:
    """Each refusal is the sentence people read, and writes nothing."""
    call, message = REFUSALS[case]
    before = written()
    with pytest.raises(TimebankRefused) as refused:
        call(p)
    assert str(refused.value) == message
    assert written() == before


# Text, None and a float are refused as well, not a crash while the audit summary is built.
NOT_MINUTES: list[Any] = [0, -1, -90, True, False, 1.5, "30", None]


@pytest.mark.parametrize("minutes", NOT_MINUTES)
def test_credits_must_be_a_whole_positive_number_of_minutes(p: People, minutes: Any) -> None:
    """Zero, negative, yes/no and non-whole amounts are refused on the ``minutes`` field."""
    before = written()
    with pytest.raises(TimebankRefused) as issued:
        p.issue(minutes)
    assert (str(issued.value), issued.value.field) == (
        "The time credited must be more than zero.",
        "minutes",
    )
    with pytest.raises(TimebankRefused) as spent:
        p.redeem(minutes)
    assert (str(spent.value), spent.value.field) == (
        "The time spent must be more than zero.",
        "minutes",
    )
    assert written() == before


def test_one_minute_is_the_least_that_can_be_issued_or_spent(p: People) -> None:
    """One minute, the smallest amount, is accepted both ways."""
    p.issue(1, key="one")
    p.redeem(1, key="one")
    assert selectors.balance_of(p.alf) == 300
    assert selectors.balance_of(p.org) == 300


@pytest.mark.parametrize("minutes", [MAX_CREDIT_MINUTES - 1, MAX_CREDIT_MINUTES])
def test_up_to_1000_hours_are_issued_and_spent_at_a_time(p: People, minutes: int) -> None:
    """1000 hours and one minute less are accepted (the organisation's account has no limit)."""
    assert MAX_CREDIT_MINUTES == 60000
    p.issue(minutes)
    assert selectors.balance_of(p.alf) == 300 + minutes
    assert selectors.balance_of(p.org) == 300 - minutes
    p.redeem(minutes)
    assert selectors.balance_of(p.alf) == 300


def test_more_than_1000_hours_at_a_time_is_refused(p: People) -> None:
    """One minute over 1000 hours is refused on the ``minutes`` field, issued or spent."""
    p.issue(MAX_CREDIT_MINUTES, key="plenty")  # so the spending is not refused for its limit
    before = written()
    with pytest.raises(TimebankRefused) as issued:
        p.issue(MAX_CREDIT_MINUTES + 1)
    assert (str(issued.value), issued.value.field) == (
        "The time credited can be at most 1000 hours at a time.",
        "minutes",
    )
    with pytest.raises(TimebankRefused) as spent:
        p.redeem(MAX_CREDIT_MINUTES + 1)
    assert (str(spent.value), spent.value.field) == (
        "The time spent can be at most 1000 hours at a time.",
        "minutes",
    )
    assert written() == before


def test_the_memo_is_cut_to_300_characters(p: People) -> None:
    """A long reason is kept to the memo's 300 characters (SQLite would store more)."""
    txn = p.issue(reason="x" * 400)
    memo = LedgerTransaction.objects.get(pk=txn.pk).memo
    assert memo == ("Library: " + "x" * 400)[:300]
    assert len(memo) == 300


# --- debit limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(("spend", "balance"), [(899, -599), (900, -600)])
def test_a_member_spends_down_to_the_default_limit(p: People, spend: int, balance: int) -> None:
    """From 300 minutes, spending 900 reaches the -10 hours limit exactly: allowed, as is one
    minute less."""
    p.redeem(spend)
    assert selectors.balance_of(p.alf) == balance


def test_one_minute_below_the_default_limit_is_refused(p: People) -> None:
    """Spending 901 minutes from 300 would end one minute below the limit: refused, nothing
    written."""
    before = written()
    with pytest.raises(TimebankRefused) as refused:
        p.redeem(901)
    assert str(refused.value) == (
        f"This would take Alf's balance to -10 hours 1 minute; the limit is -10 hours. {LIMIT_TEXT}"
    )
    assert written() == before
    assert selectors.balance_of(p.alf) == 300


@pytest.mark.parametrize(
    ("limit", "shown_limit", "shown_balance"),
    [(-60, "-1 hour", "-1 hour 1 minute"), (0, "0 minutes", "-1 minute")],
)
def test_a_members_own_limit_at_and_one_minute_either_side(
    p: People, limit: int, shown_limit: str, shown_balance: str
) -> None:
    """A member's own limit (here -1 hour, or zero) replaces the default: one minute above and
    exactly at it are allowed, one minute below is refused with the member's own limit."""
    set_debit_limit(coordinator=p.cora, member=p.alf, minutes=limit)
    p.redeem(300 - limit - 1, key="above")
    assert selectors.balance_of(p.alf) == limit + 1
    p.redeem(1, key="at")
    assert selectors.balance_of(p.alf) == limit
    with pytest.raises(TimebankRefused) as refused:
        p.redeem(1, key="below")
    assert str(refused.value) == (
        f"This would take Alf's balance to {shown_balance}; the limit is {shown_limit}. {LIMIT_TEXT}"
    )
    assert selectors.balance_of(p.alf) == limit


def test_an_organisations_account_has_no_limit(p: People) -> None:
    """Organisations issue credits without limit: their balance goes below any member's."""
    p.issue(MAX_CREDIT_MINUTES, key="a")
    p.issue(MAX_CREDIT_MINUTES, key="b")
    assert selectors.balance_of(p.org) == 300 - 2 * MAX_CREDIT_MINUTES


@pytest.mark.parametrize(
    ("setting", "limit"), [(-601, -601), (-600, -600), (-1, -1), (0, 0), (1, 0), (600, 0)]
)
def test_the_default_limit_is_the_setting_and_never_above_zero(setting: int, limit: int) -> None:
    """``default_debit_limit``: the setting, or zero when the setting is above zero."""
    with override_settings(TIMEBANK_DEBIT_LIMIT_MINUTES=setting):
        assert default_debit_limit() == limit


def test_limit_for_each_kind_of_account(p: People) -> None:
    """``limit_for``: none for the time bank's own account and for organisations; a member's own
    limit when set (zero included), else the default."""
    assert limit_for(issuer_account()) is None
    assert limit_for(account_for(p.org)) is None
    assert limit_for(account_for(p.alf)) == -600
    set_debit_limit(coordinator=p.cora, member=p.alf, minutes=0)
    assert limit_for(account_for(p.alf)) == 0
    set_debit_limit(coordinator=p.cora, member=p.bea, minutes=-60)
    assert limit_for(account_for(p.bea)) == -60
    with override_settings(TIMEBANK_DEBIT_LIMIT_MINUTES=-120):
        assert limit_for(account_for(p.alf)) == 0
        assert limit_for(account_for(p.org)) is None
        assert limit_for(Account.objects.get(member=p.applicant)) == -120


def test_accounts_are_named_as_messages_name_them(p: People) -> None:
    """``_name_of``: the time bank's own account, or the member's name."""
    assert _name_of(issuer_account()) == "The time bank"
    assert _name_of(account_for(p.alf)) == "Alf"
    assert _name_of(account_for(p.org)) == "Library"


# --- accounts -----------------------------------------------------------------------------------


def test_the_time_banks_own_account_is_made_once() -> None:
    """``issuer_account`` makes the time bank's account (no member) when there is none, and
    returns that same account afterwards, with one look-up."""
    assert not Account.objects.filter(is_issuer=True).exists()
    made = issuer_account()
    assert (made.is_issuer, made.member_id) == (True, None)
    assert Account.objects.get(is_issuer=True).pk == made.pk
    again = issuer_account()
    assert again.pk == made.pk
    assert Account.objects.filter(is_issuer=True).count() == 1


def test_finding_the_time_banks_account_is_one_query(
    p: People, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """When it exists, it is read once (no insert attempted)."""
    existing = Account.objects.get(is_issuer=True)
    with django_assert_num_queries(1):
        assert issuer_account().pk == existing.pk


def _miss_first_lookup(
    monkeypatch: pytest.MonkeyPatch, manager: Any, *fields: str
) -> list[dict[str, Any]]:
    """Make the first ``manager.filter`` look-up by each of ``fields`` find nothing, as if another
    request had written the row just after it: a race, played in one process."""
    real = manager.filter
    missed: list[dict[str, Any]] = []

    def filter_(*args: Any, **kwargs: Any) -> QuerySet[Any]:
        for field in fields:
            if field in kwargs and not any(field in m for m in missed):
                missed.append(kwargs)
                result: QuerySet[Any] = manager.none()
                return result
        found: QuerySet[Any] = real(*args, **kwargs)
        return found

    monkeypatch.setattr(manager, "filter", filter_)
    return missed


def test_the_time_banks_account_made_at_the_same_moment_is_used(
    p: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests that both find no account: the second one's insert is refused by the unique
    constraint, and it uses the account the first one made."""
    existing = Account.objects.get(is_issuer=True)
    missed = _miss_first_lookup(monkeypatch, Account.objects, "is_issuer")
    assert issuer_account().pk == existing.pk
    assert missed  # the race was played
    assert Account.objects.filter(is_issuer=True).count() == 1


def test_a_members_account_is_made_once(p: People) -> None:
    """``account_for``: the member's own account, the same one every time."""
    account = account_for(p.alf)
    assert (account.member_id, account.is_issuer) == (p.alf.pk, False)
    assert account_for(p.alf).pk == account.pk
    assert Account.objects.filter(member=p.alf).count() == 1


# --- retries with the same key ------------------------------------------------------------------


def test_a_retry_with_the_same_content_returns_the_first_entry(p: People) -> None:
    """The same key with the same kind, date and postings is the same entry (the memo is not
    part of the content): nothing is posted twice."""
    first = p.issue(90, key="k1")
    after_first = ledger()
    again = p.issue(90, key="k1", reason="Another reason")
    assert again.pk == first.pk
    assert written() == (*after_first, 1)  # and audited once: the retry wrote nothing
    assert LedgerTransaction.objects.get(pk=first.pk).memo == "Library: Volunteering"
    assert selectors.balance_of(p.alf) == 390


RETRIES: dict[str, Callable[[People], Any]] = {
    "one minute more": lambda p: p.issue(91, key="k1"),
    "one minute less": lambda p: p.issue(89, key="k1"),
    "to another member": lambda p: p.issue(90, key="k1", member=p.bea),
}


@pytest.mark.parametrize("case", list(RETRIES))
def test_a_retry_with_different_content_is_refused(p: People, case: str) -> None:
    """The same key for different postings is refused, and nothing more is written."""
    p.issue(90, key="k1")
    before = written()
    with pytest.raises(TimebankRefused) as refused:
        RETRIES[case](p)
    assert str(refused.value) == "The reference 'issue:k1' was already used for a different entry."
    assert written() == before


def test_a_retry_on_another_day_is_a_different_entry(p: People) -> None:
    """The effective date is part of the content: the same key a day later is refused."""
    p.issue(90, key="k1")
    with (
        time_machine.travel(timezone.now() + timedelta(days=1), tick=False),
        pytest.raises(TimebankRefused) as refused,
    ):
        p.issue(90, key="k1")
    assert str(refused.value) == "The reference 'issue:k1' was already used for a different entry."


# --- corrections --------------------------------------------------------------------------------


def test_a_correction_negates_every_posting(p: People) -> None:
    """A reversal: key ``reversal:<key>``, today's date, every posting negated, the reason
    (trimmed) in its memo, naming the entry it corrects and who corrected it."""
    original = p.issue(90, key="k1")
    fix = _reverse(original=original, reason="  Entered twice  ", by=p.cora)
    stored = LedgerTransaction.objects.get(pk=fix.pk)
    assert (stored.key, stored.kind, stored.effective, stored.memo) == (
        "reversal:issue:k1",
        LedgerTransaction.Kind.REVERSAL,
        timezone.localdate(),
        "Correction of 'issue:k1': Entered twice",
    )
    assert stored.reverses_id == original.pk
    assert stored.created_by == p.cora
    assert postings(fix) == {lid(p.org): 90, lid(p.alf): -90}
    assert selectors.balance_of(p.alf) == 300
    assert selectors.balance_of(p.org) == 300


def test_a_correction_is_dated_the_day_it_is_made(p: People) -> None:
    """An exchange of yesterday corrected today: the correction is dated today."""
    x = tb.exchange(p.alf, p.bea, 60, start=tb.at(-1, 10))
    assert x.transaction is not None
    fix = _reverse(original=x.transaction, reason="Never happened", by=p.cora)
    assert x.transaction.effective == timezone.localdate() - timedelta(days=1)
    assert LedgerTransaction.objects.get(pk=fix.pk).effective == timezone.localdate()
    assert postings(fix) == {lid(p.alf): -60, lid(p.bea): 60}


def test_correcting_twice_returns_the_first_correction_even_a_day_later(p: People) -> None:
    """An entry is corrected once: asking again (with another reason, on another day) gives the
    correction already made, and posts nothing."""
    original = p.issue(90, key="k1")
    fix = _reverse(original=original, reason="Mistake", by=p.cora)
    before = written()
    assert _reverse(original=original, reason="Again", by=p.cora).pk == fix.pk
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert _reverse(original=original, reason="Tomorrow", by=p.cora).pk == fix.pk
    assert written() == before


def test_a_correction_cannot_itself_be_corrected(p: People) -> None:
    fix = _reverse(original=p.issue(90), reason="Mistake", by=p.cora)
    before = written()
    with pytest.raises(TimebankRefused) as refused:
        _reverse(original=fix, reason="Undo", by=p.cora)
    assert str(refused.value) == "A correction cannot itself be reversed; record the time again."
    assert written() == before


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_correction_needs_a_reason(p: People, reason: str) -> None:
    original = p.issue(90)
    before = written()
    with pytest.raises(TimebankRefused) as refused:
        _reverse(original=original, reason=reason, by=p.cora)
    assert str(refused.value) == "Enter the reason for the correction."
    assert written() == before


def test_a_correction_is_made_even_below_a_debit_limit(p: People) -> None:
    """Correcting credits already spent takes the member below their limit: still allowed (a
    correction must always be possible)."""
    original = p.issue(60, key="k1")
    p.redeem(960)  # 360 minutes down to the limit, -600
    assert selectors.balance_of(p.alf) == -600
    _reverse(original=original, reason="Issued by mistake", by=p.cora)
    assert selectors.balance_of(p.alf) == -660


def test_a_correction_made_at_the_same_moment_is_found_by_its_key(
    p: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two coordinators correct the same entry at once: the second one's look-up for a correction
    misses the first one's, but its key finds it with the same content, and it is returned."""
    original = p.issue(90, key="k1")
    fix = _reverse(original=original, reason="Mistake", by=p.cora)
    before = written()
    missed = _miss_first_lookup(monkeypatch, LedgerTransaction.objects, "reverses")
    assert _reverse(original=original, reason="Mistake too", by=p.cora).pk == fix.pk
    assert [list(m) for m in missed] == [["reverses"]]
    assert written() == before


def test_a_correction_whose_insert_is_refused_returns_the_one_made(
    p: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If both look-ups miss the other coordinator's correction, the unique key refuses the
    second insert, and the correction already made is returned."""
    original = p.issue(90, key="k1")
    fix = _reverse(original=original, reason="Mistake", by=p.cora)
    before = written()
    missed = _miss_first_lookup(monkeypatch, LedgerTransaction.objects, "reverses", "key")
    assert _reverse(original=original, reason="Mistake too", by=p.cora).pk == fix.pk
    assert [list(m) for m in missed] == [["reverses"], ["key"]]
    assert written() == before


# --- reading the accounts ----------------------------------------------------------------------


def _fetched_one_by_one(queries: list[dict[str, Any]], table: str) -> list[str]:
    """The queries that read one row of ``table`` by its id (a related row loaded lazily)."""
    lone = f'FROM "{table}" WHERE "{table}"."id" = '
    return [q["sql"] for q in queries if lone in q["sql"]]


def test_the_ledger_reads_the_accounts_with_their_members(p: People) -> None:
    """Posting credits reads each account with its member in the locking query: no member is
    then read on its own for its limit or its name."""
    with CaptureQueriesContext(connection) as issued:
        p.issue(90)
    with CaptureQueriesContext(connection) as spent:
        p.redeem(30)
    assert _fetched_one_by_one(issued.captured_queries, "timebank_member") == []
    assert _fetched_one_by_one(spent.captured_queries, "timebank_member") == []


@pytest.mark.postgres
def test_the_ledger_locks_only_the_accounts_in_id_order_without_blocking_their_keys(
    p: People,
) -> None:
    """On PostgreSQL the accounts an entry touches are locked ``FOR NO KEY UPDATE`` (new postings
    may still point at them) ``OF`` the accounts alone (not their members, read in the same
    statement), in id order so that two entries on the same accounts queue, never deadlock."""
    with CaptureQueriesContext(connection) as issued:
        p.issue(90)
    locks = [q["sql"] for q in issued.captured_queries if " FOR " in q["sql"]]
    assert len(locks) == 1, locks
    assert locks[0].endswith(
        'ORDER BY "timebank_account"."id" ASC FOR NO KEY UPDATE OF "timebank_account"'
    ), locks[0]
    assert 'LEFT OUTER JOIN "timebank_member"' in locks[0]


def test_a_correction_reads_the_postings_with_their_accounts(p: People) -> None:
    """A correction reads the entry's postings with their accounts in one query."""
    original = p.issue(90)
    original = LedgerTransaction.objects.get(pk=original.pk)
    with CaptureQueriesContext(connection) as corrected:
        _reverse(original=original, reason="Mistake", by=p.cora)
    assert _fetched_one_by_one(corrected.captured_queries, "timebank_account") == []
    assert _fetched_one_by_one(corrected.captured_queries, "timebank_member") == []


# --- a stored entry as the pure rules see it ----------------------------------------------------


def _expected(row: LedgerTransaction) -> Transaction[Minutes, TimeKind]:
    """What ``_as_rules`` should give, built by hand: postings in account order."""
    rows = sorted(
        LedgerTransaction.objects.get(pk=row.pk).postings.select_related("account"),
        key=lambda pst: pst.account_id,
    )
    return Transaction.unchecked(
        row.key,
        TimeKind(row.kind),
        tuple(LedgerPosting(pst.account.ledger_id, Minutes(pst.minutes)) for pst in rows),
        row.effective,
        row.memo,
        row.reverses.key if row.reverses is not None else None,
    )


def test_an_entry_as_the_rules_see_it(
    p: People, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """``_as_rules``: key, kind, postings (by account), date, memo and no reversed entry; the
    postings are read with their accounts in one query."""
    txn = p.issue(90, key="k1")
    row = LedgerTransaction.objects.get(pk=txn.pk)
    with django_assert_num_queries(1):
        seen = _as_rules(row)
    assert seen == Transaction.unchecked(
        "issue:k1",
        TimeKind.ISSUE,
        tuple(
            sorted(
                [
                    LedgerPosting(lid(p.org), Minutes(-90)),
                    LedgerPosting(lid(p.alf), Minutes(90)),
                ],
                key=lambda lp: {
                    lid(p.org): account_for(p.org).pk,
                    lid(p.alf): account_for(p.alf).pk,
                }[str(lp.account)],
            )
        ),
        timezone.localdate(),
        "Library: Volunteering",
        None,
    )
    assert seen == _expected(row)


def test_a_correction_as_the_rules_see_it(
    p: People, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """A correction names the key of the entry it reverses."""
    original = p.issue(90, key="k1")
    fix = _reverse(original=original, reason="Mistake", by=p.cora)
    row = LedgerTransaction.objects.get(pk=fix.pk)
    with django_assert_num_queries(2):  # the postings with their accounts, the reversed entry
        seen = _as_rules(row)
    assert seen.key == "reversal:issue:k1"
    assert seen.kind is TimeKind.REVERSAL
    assert seen.reverses == "issue:k1"
    assert seen.memo == "Correction of 'issue:k1': Mistake"
    assert seen == _expected(row)


def test_a_joining_credit_as_the_rules_see_it(p: People) -> None:
    """The time bank's own account is named ``timebank:issued``; postings in account order."""
    row = LedgerTransaction.objects.get(key=f"joining:{p.alf.pk}")
    seen = _as_rules(row)
    issuer = issuer_account()
    expected = [
        (issuer.pk, LedgerPosting("timebank:issued", Minutes(-300))),
        (account_for(p.alf).pk, LedgerPosting(lid(p.alf), Minutes(300))),
    ]
    assert seen.postings == tuple(lp for _, lp in sorted(expected, key=lambda e: e[0]))
    assert (seen.kind, seen.reverses) == (TimeKind.JOINING_CREDIT, None)


# --- an exchange written with its entry ---------------------------------------------------------


def test_an_exchange_recorded_and_confirmed_is_written_with_its_entry(p: People) -> None:
    """A coordinator records a confirmed exchange: the exchange row points at its ledger entry,
    and the audit record of its creation names the new exchange."""
    x, created = submit_exchange(
        by=p.cora,
        giver=p.alf,
        receiver=p.bea,
        minutes=75,
        start=tb.at(-2, 10),
        idempotency_key="rec-1",
        confirm=True,
    )
    assert created
    stored = Exchange.objects.get(pk=x.pk)
    assert stored.status == Exchange.Status.CONFIRMED
    assert stored.transaction is not None
    assert stored.transaction.key == "exchange:rec-1"
    assert postings(stored.transaction) == {lid(p.bea): -75, lid(p.alf): 75}
    assert selectors.balance_of(p.alf) == 375
    assert selectors.balance_of(p.bea) == 225
    event = AuditEvent.objects.get(object_type="timebank.exchange", action=AuditEvent.Action.CREATE)
    assert event.object_id == str(x.pk)


def test_a_spend_retried_with_the_same_key_is_audited_once(p: People) -> None:
    """A retried spend returns the first entry and adds no second audit record for it."""
    first = p.redeem(45, key="r1")
    before = written()
    assert p.redeem(45, key="r1").pk == first.pk
    assert written() == before
    assert audit_of(first).summary == "Alf spent 45 minutes at Library"


def test_a_member_named_you_is_still_named_in_the_third_person(p: People) -> None:
    """Credits for someone not yet approved name them, even if their name is "You"."""
    you = tb.member(approved=False, name="You")
    with pytest.raises(TimebankRefused) as refused:
        p.issue(30, member=you)
    assert str(refused.value) == "You is not an approved member of the time bank yet."
