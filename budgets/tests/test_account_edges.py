"""Budget accounts at their edges (``budgets.services.accounts``): who may record and correct, the
amounts and dates accepted (the period's first and last day, not a day outside), what each kind of
money moves between which ledger accounts (to the penny), retries with the same idempotency key,
the audit trail each entry leaves, and every refusal word for word."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import RequestFactory

from accounts.models import AuditEvent, User
from accounts.roles import Role
from budgets import access
from budgets.models import BudgetAccount, LedgerPosting, LedgerTransaction
from budgets.services import accounts as svc
from budgets.services._common import BudgetsError
from budgets.tests import helpers
from directory.tests import factories as f
from rules import ledger

pytestmark = pytest.mark.django_db

START = dt.date(2026, 4, 6)  # helpers.open_account opens the account on this day
LAST = dt.date(2027, 4, 5)  # a year, inclusive: 364 days after the first
IP = "203.0.113.7"


def _request() -> Any:
    return RequestFactory().post("/", REMOTE_ADDR=IP)


def postings(row: LedgerTransaction) -> set[tuple[str, int]]:
    return {(p.ledger_account, p.amount_pence) for p in row.postings.all()}


def audit_of(row: LedgerTransaction) -> AuditEvent:
    return AuditEvent.objects.get(object_type="budgets.ledgertransaction", object_id=str(row.pk))


def refusal(exc: pytest.ExceptionInfo[BudgetsError]) -> tuple[str, str | None]:
    return (exc.value.message, exc.value.field)


@pytest.fixture
def people() -> tuple[User, User]:
    return f.user(Role.PERSON, display_name="Pat"), f.user(Role.BROKER, display_name="Bea")


@pytest.fixture
def account(people: tuple[User, User]) -> BudgetAccount:
    person, broker = people
    return helpers.open_account(person, broker)


def pay(
    account: BudgetAccount,
    actor: User,
    amount: str,
    *,
    kind: str = "provider_payment",
    key: str = "pay-1",
    effective: dt.date = START,
    payee: str = "Craft Club",
    memo: str = "",
    request: Any = None,
) -> svc.Posted:
    return svc.post(
        account=account,
        actor=actor,
        kind=kind,
        amount=Decimal(amount),
        effective=effective,
        key=key,
        payee=payee,
        memo=memo,
        request=request,
    )


# --- opening -----------------------------------------------------------------------------------


def test_opening_allocates_four_weeks_of_the_councils_share(
    account: BudgetAccount, people: tuple[User, User]
) -> None:
    """Opening the account allocates the council's first four weeks (this plan's council share is
    £93.00 a week, so £372.00) from the council to the budget, dated the first day, under a key
    safe to retry."""
    person, broker = people
    assert account.period_start == START and account.period_end == LAST
    assert account.kind == BudgetAccount.Kind.DIRECT_PAYMENT
    row = LedgerTransaction.objects.get(account=account)
    assert row.key == f"account-{account.pk}-first-allocation"
    assert row.kind == "allocation"
    assert row.effective == START
    assert row.memo == "Council's share for the first 4 weeks"
    assert postings(row) == {("council", -37200), (f"budget:{account.pk}", 37200)}
    assert svc.account_balance_pence(account) == 37200
    assert audit_of(row).summary == "Allocation: £372.00"
    assert audit_of(row).actor == broker and audit_of(row).subject == person


def test_account_balance_of_an_account_with_no_entries_is_zero(account: BudgetAccount) -> None:
    """A ledger account nobody posted to has a balance of 0 pence (not "nothing")."""
    assert svc.account_balance_pence(BudgetAccount(pk=account.pk + 1000)) == 0


# --- who may post ------------------------------------------------------------------------------


def test_post_refusals_for_who(account: BudgetAccount, people: tuple[User, User]) -> None:
    """The holder of a direct payment records their own money, never the council's; a stranger
    nothing. The refusal is word for word and records nothing."""
    person, _broker = people
    before = LedgerTransaction.objects.count()
    for actor, kind in [
        (person, "allocation"),
        (f.user(Role.BROKER), "contribution"),
        (f.user(Role.PERSON), "contribution"),
    ]:
        with pytest.raises(access.NotAllowed) as refused:
            pay(account, actor, "1.00", kind=kind, key=f"who-{actor.pk}")
        assert str(refused.value) == "You cannot record this on this account."
    assert LedgerTransaction.objects.count() == before


def test_managed_account_holder_may_not_post(people: tuple[User, User]) -> None:
    """A managed account is run by practitioners: its holder (who may view it) records nothing."""
    person, broker = people
    plan = helpers.agreed_plan(person, broker)
    managed = svc.open_account(
        plan=plan, actor=broker, kind=BudgetAccount.Kind.MANAGED, period_start=START
    )
    with pytest.raises(access.NotAllowed) as refused:
        pay(managed, person, "1.00", kind="contribution")
    assert str(refused.value) == "You cannot record this on this account."
    done = pay(managed, broker, "1.00", kind="contribution")
    assert done.created is True


# --- amounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0.00", "Amount must be between £0.01 and £1,000,000.00"),
        ("-1.00", "Amount must be between £0.01 and £1,000,000.00"),
        ("1000000.01", "Amount must be between £0.01 and £1,000,000.00"),
        ("1.005", "Amount must be in pounds and pence, like 12.50"),
        ("NaN", "Amount must be an amount of money between £0.01 and £1,000,000.00"),
    ],
)
def test_amount_refusals(
    amount: str, message: str, account: BudgetAccount, people: tuple[User, User]
) -> None:
    """Amounts are pounds and pence from £0.01 to £1,000,000.00; anything else is refused on the
    amount field."""
    _person, broker = people
    with pytest.raises(BudgetsError) as refused:
        pay(account, broker, amount, kind="contribution")
    assert refusal(refused) == (message, "amount")


@pytest.mark.parametrize(("amount", "pence"), [("0.01", 1), ("1000000.00", 100000000), ("7", 700)])
def test_amount_limits_are_accepted_to_the_penny(
    amount: str, pence: int, account: BudgetAccount, people: tuple[User, User]
) -> None:
    """The smallest (1p) and largest (£1,000,000.00) amounts are accepted, posted exactly."""
    person, broker = people
    row = pay(account, broker, amount, kind="contribution").transaction
    assert postings(row) == {(f"person:{person.pk}", -pence), (f"budget:{account.pk}", pence)}
    assert svc.account_balance_pence(account) == 37200 + pence


# --- keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "has space", "semi;colon", "k" * 101])
def test_invalid_key_is_refused(
    key: str, account: BudgetAccount, people: tuple[User, User]
) -> None:
    """A key must be 1 to 100 letters, digits, "-" or "_"."""
    _person, broker = people
    with pytest.raises(BudgetsError) as refused:
        pay(account, broker, "1.00", key=key)
    assert refusal(refused) == ("This form has expired. Reload the page and try again.", None)


def test_longest_key_is_accepted(account: BudgetAccount, people: tuple[User, User]) -> None:
    """A key of exactly 100 characters is accepted and stored as given."""
    _person, broker = people
    assert pay(account, broker, "1.00", key="k" * 100).transaction.key == "k" * 100


# --- dates -------------------------------------------------------------------------------------

PERIOD_MESSAGE = (
    "The date must be between 6 April 2026 and 5 April 2027, while this account is open"
)


@pytest.mark.parametrize("day", [START, LAST])
def test_period_first_and_last_day_accepted(
    day: dt.date, account: BudgetAccount, people: tuple[User, User]
) -> None:
    """Money moves from the account's first day to its last, both included."""
    _person, broker = people
    assert pay(account, broker, "1.00", effective=day).transaction.effective == day
    svc.check_in_period(account, day)


@pytest.mark.parametrize("day", [START - dt.timedelta(days=1), LAST + dt.timedelta(days=1)])
def test_a_day_outside_the_period_is_refused(
    day: dt.date, account: BudgetAccount, people: tuple[User, User]
) -> None:
    """The day before the first and the day after the last are refused, on the date field."""
    _person, broker = people
    with pytest.raises(BudgetsError) as refused:
        pay(account, broker, "1.00", effective=day)
    assert refusal(refused) == (PERIOD_MESSAGE, "effective")
    with pytest.raises(BudgetsError) as refused:
        svc.check_in_period(account, day)
    assert refusal(refused) == (PERIOD_MESSAGE, "effective")


def test_long_date() -> None:
    """Dates in refusals read "6 April 2026" (no leading zero)."""
    assert svc.long_date(dt.date(2026, 4, 6)) == "6 April 2026"
    assert svc.long_date(dt.date(2027, 12, 25)) == "25 December 2027"


# --- kinds -------------------------------------------------------------------------------------


def test_each_kind_moves_money_between_the_right_accounts(
    account: BudgetAccount, people: tuple[User, User]
) -> None:
    """Allocation: council to budget; contribution: the person to the budget; payment: the budget
    to the provider; refund: the provider to the budget. Each to the penny, each audited."""
    person, broker = people
    budget = f"budget:{account.pk}"
    request = _request()
    cases = [
        ("allocation", "12.34", {("council", -1234), (budget, 1234)}, "Allocation: £12.34"),
        (
            "contribution",
            "5.67",
            {(f"person:{person.pk}", -567), (budget, 567)},
            "Contribution: £5.67",
        ),
        (
            "provider_payment",
            "20.01",
            {(budget, -2001), ("provider:craft-club", 2001)},
            "Provider payment: £20.01 to Craft Club",
        ),
        ("refund", "3.00", {("provider:craft-club", -300), (budget, 300)}, "Refund: £3.00"),
    ]
    for kind, amount, expected, summary in cases:
        done = pay(
            account,
            broker,
            amount,
            kind=kind,
            key=f"kind-{kind}",
            payee="  Craft Club  ",
            memo="  note  ",
            request=request,
        )
        assert done.created is True
        row = LedgerTransaction.objects.get(pk=done.transaction.pk)
        assert (row.kind, row.effective, row.memo, row.created_by) == (kind, START, "note", broker)
        assert row.account_id == account.pk and row.reverses is None
        assert row.payee == "Craft Club"
        assert postings(row) == expected
        event = audit_of(row)
        assert event.summary == summary
        assert event.action == "create"
        assert (event.actor, event.subject) == (broker, person)
        assert event.ip_address == IP
    assert svc.account_balance_pence(account) == 37200 + 1234 + 567 - 2001 + 300


def test_payee_and_memo_default_to_nothing(
    account: BudgetAccount, people: tuple[User, User]
) -> None:
    """A contribution posted without a payee or a memo stores neither."""
    _person, broker = people
    row = svc.post(
        account=account,
        actor=broker,
        kind="contribution",
        amount=Decimal("1.00"),
        effective=START,
        key="plain",
    ).transaction
    row.refresh_from_db()
    assert (row.payee, row.memo) == ("", "")
    assert audit_of(row).summary == "Contribution: £1.00"


def test_unknown_kind_is_refused(account: BudgetAccount, people: tuple[User, User]) -> None:
    """A kind that is not one of the four kinds of money is refused on the kind field."""
    _person, broker = people
    for kind in ("gift", "reversal"):
        with pytest.raises(BudgetsError) as refused:
            pay(account, broker, "1.00", kind=kind)
        assert refusal(refused) == ("Choose what kind of money this is", "kind")


@pytest.mark.parametrize("kind", ["provider_payment", "refund"])
def test_payment_and_refund_need_a_payee(
    kind: str, account: BudgetAccount, people: tuple[User, User]
) -> None:
    """A payment or a refund says who was paid (blank or spaces is refused on the payee field);
    a contribution needs nobody."""
    _person, broker = people
    for payee in ("", "   "):
        with pytest.raises(BudgetsError) as refused:
            pay(account, broker, "1.00", kind=kind, payee=payee)
        assert refusal(refused) == ("Say who was paid", "payee")
    assert pay(account, broker, "1.00", kind="contribution", payee="").created is True


def test_long_payee_and_memo_are_cut(account: BudgetAccount, people: tuple[User, User]) -> None:
    """The payee is kept to 250 characters, the memo to 250, the audit names the first 60
    characters of the payee, and the provider account the first 80 of its slug."""
    _person, broker = people
    payee = "p" * 300
    row = pay(account, broker, "1.00", payee=payee, memo="m" * 300).transaction
    row.refresh_from_db()
    assert row.payee == "p" * 250
    assert row.memo == "m" * 250
    assert audit_of(row).summary == "Provider payment: £1.00 to " + "p" * 60
    assert postings(row) == {(f"budget:{account.pk}", -100), ("provider:" + "p" * 80, 100)}


@pytest.mark.parametrize(
    ("payee", "ledger_id"),
    [
        ("Craft Club", "provider:craft-club"),
        ("  --Craft & Co.--  ", "provider:craft---co"),
        ("!!Ab!!", "provider:ab"),
        ("MiXeD 2", "provider:mixed-2"),
        ("", "provider:unnamed"),
        ("!!!", "provider:unnamed"),
        ("a" * 100, "provider:" + "a" * 80),
    ],
)
def test_provider_ledger(payee: str, ledger_id: str) -> None:
    """A provider's ledger account is its name in lower case, letters and digits kept, anything
    else a dash, dashes trimmed from the ends, at most 80 characters, or "unnamed"."""
    assert svc.provider_ledger(payee) == ledger_id


# --- paying more than the balance --------------------------------------------------------------


def test_payment_to_exactly_zero_is_allowed_a_penny_more_refused(
    account: BudgetAccount, people: tuple[User, User]
) -> None:
    """A payment may spend the balance to exactly £0, not a penny below; the refusal names the
    payment and the balance, on the amount field."""
    _person, broker = people
    with pytest.raises(BudgetsError) as refused:
        pay(account, broker, "372.01")
    assert refusal(refused) == (
        "There is not enough money in the account to pay £372.01. The balance is £372.00.",
        "amount",
    )
    assert pay(account, broker, "372.00").created is True
    assert svc.account_balance_pence(account) == 0
    with pytest.raises(BudgetsError) as refused:
        pay(account, broker, "0.01", key="pay-2")
    assert refusal(refused) == (
        "There is not enough money in the account to pay £0.01. The balance is £0.00.",
        "amount",
    )


def test_money_in_is_not_limited_by_the_balance(
    account: BudgetAccount, people: tuple[User, User]
) -> None:
    """Contributions, refunds and allocations add money, whatever the balance."""
    _person, broker = people
    pay(account, broker, "372.00")
    for kind in ("contribution", "refund", "allocation"):
        assert pay(account, broker, "500.00", kind=kind, key=f"in-{kind}").created is True
    assert svc.account_balance_pence(account) == 150000


# --- retries -----------------------------------------------------------------------------------


def test_same_key_same_content_returns_the_first(
    account: BudgetAccount, people: tuple[User, User]
) -> None:
    """A retry with the same key and content returns the first record, marked not created, and
    changes nothing (no second entry, no second audit event); the memo is not part of it."""
    _person, broker = people
    first = pay(account, broker, "10.00", memo="first")
    assert first.created is True
    events = AuditEvent.objects.count()
    again = pay(account, broker, "10.00", memo="typed again", payee=" Craft Club ")
    assert again.created is False
    assert again.transaction.pk == first.transaction.pk
    assert LedgerTransaction.objects.filter(key="pay-1").count() == 1
    assert AuditEvent.objects.count() == events
    assert svc.account_balance_pence(account) == 37200 - 1000


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "10.01"},
        {"kind": "refund"},
        {"effective": START + dt.timedelta(days=1)},
        {"payee": "Another Club"},
    ],
)
def test_same_key_different_content_is_refused(
    change: dict[str, Any], account: BudgetAccount, people: tuple[User, User]
) -> None:
    """A key already used for something else (amount, kind, date or payee) is refused word for
    word, and nothing new is recorded."""
    _person, broker = people
    pay(account, broker, "10.00")
    with pytest.raises(BudgetsError) as refused:
        pay(account, broker, **{"amount": "10.00", **change})
    assert refusal(refused) == (
        "This form was already used to record something different. Reload the page and try again.",
        None,
    )
    assert LedgerTransaction.objects.filter(account=account).count() == 2


def test_key_used_on_another_account_is_refused(people: tuple[User, User]) -> None:
    """Keys are unique across accounts: the same key with the same amount on another account is
    something different."""
    person, broker = people
    first = helpers.open_account(person, broker)
    second = helpers.open_account(f.user(Role.PERSON), broker)
    pay(first, broker, "1.00", kind="contribution", key="shared")
    with pytest.raises(BudgetsError) as refused:
        pay(second, broker, "1.00", kind="contribution", key="shared")
    assert refused.value.message.startswith("This form was already used")


def test_a_concurrent_insert_of_the_same_key_is_returned(
    account: BudgetAccount, people: tuple[User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If another request stores the same key between our look and our insert (the insert fails
    on the unique key), the stored record is looked up again and returned as not created."""
    _person, broker = people
    stored = pay(account, broker, "2.00").transaction
    real = svc._existing
    calls: list[str] = []

    def blind_for_two(key: str, proposed: Any) -> Any:
        calls.append(key)
        return None if len(calls) <= 2 else real(key, proposed)

    monkeypatch.setattr(svc, "_existing", blind_for_two)
    again = pay(account, broker, "2.00")
    assert (again.transaction.pk, again.created) == (stored.pk, False)
    assert calls == ["pay-1", "pay-1", "pay-1"]
    assert LedgerTransaction.objects.filter(key="pay-1").count() == 1


def test_gives_up_after_two_failed_inserts(
    account: BudgetAccount, people: tuple[User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two failed inserts and still no record to return: refused, asking to try again."""
    _person, broker = people
    pay(account, broker, "2.00")
    calls: list[str] = []

    def blind(key: str, proposed: Any) -> Any:
        calls.append(key)
        return None

    monkeypatch.setattr(svc, "_existing", blind)
    with pytest.raises(BudgetsError) as refused:
        pay(account, broker, "2.00")
    assert refusal(refused) == ("This could not be recorded. Try again.", None)
    assert len(calls) == 3


def test_a_lost_race_with_different_content_is_refused(
    account: BudgetAccount, people: tuple[User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the concurrent request stored something different under the key, the retry is refused
    as a reused form."""
    _person, broker = people
    pay(account, broker, "2.00")
    real = svc._existing
    calls: list[str] = []

    def blind_for_two(key: str, proposed: Any) -> Any:
        calls.append(key)
        return None if len(calls) <= 2 else real(key, proposed)

    monkeypatch.setattr(svc, "_existing", blind_for_two)
    with pytest.raises(BudgetsError) as refused:
        pay(account, broker, "3.00")
    assert refused.value.message.startswith("This form was already used to record")


# --- reversals ---------------------------------------------------------------------------------


def reverse(
    account: BudgetAccount,
    actor: User,
    original: str,
    *,
    key: str = "fix-1",
    reason: str = "Paid twice",
    below_zero_reason: str = "",
    request: Any = None,
) -> svc.Posted:
    return svc.reverse_transaction(
        account=account,
        actor=actor,
        original_key=original,
        reason=reason,
        key=key,
        below_zero_reason=below_zero_reason,
        request=request,
    )


def test_reversal_undoes_the_original_exactly(
    account: BudgetAccount, people: tuple[User, User]
) -> None:
    """A reversal negates every posting of the original, on its date, with the original's payee,
    a memo naming it and the reason, and an audit event quoting the original's memo."""
    person, broker = people
    pay(account, broker, "25.50", memo="Weekly session")
    done = reverse(account, broker, "pay-1", reason="  Paid twice  ", request=_request())
    assert done.created is True
    row = LedgerTransaction.objects.get(pk=done.transaction.pk)
    original = LedgerTransaction.objects.get(key="pay-1")
    assert row.kind == "reversal" and row.reverses == original and row.effective == START
    assert row.payee == "Craft Club" and row.created_by == broker and row.account == account
    assert row.memo == "Reversal of 'pay-1': Paid twice"
    assert postings(row) == {(f"budget:{account.pk}", 2550), ("provider:craft-club", -2550)}
    assert svc.account_balance_pence(account) == 37200
    event = audit_of(row)
    assert event.summary == "Corrected (reversed) 'Weekly session': Paid twice"
    assert (event.actor, event.subject, event.action) == (broker, person, "create")
    assert event.ip_address == IP
    # the rules' view of both rows, as statements read them
    rules_row = svc.to_rules(row)
    assert rules_row.key == "fix-1" and rules_row.reverses == "pay-1"
    assert rules_row.memo == "Reversal of 'pay-1': Paid twice"
    assert rules_row.kind == ledger.MoneyKind.REVERSAL and rules_row.effective == START
    rules_original = svc.to_rules(original)
    assert rules_original.reverses is None and rules_original.memo == "Weekly session"
    assert {(str(p.account), p.amount.units) for p in rules_original.postings} == {
        (f"budget:{account.pk}", -2550),
        ("provider:craft-club", 2550),
    }


def test_reversal_audit_names_the_kind_when_there_is_no_memo(
    account: BudgetAccount, people: tuple[User, User]
) -> None:
    """Without a memo the audit event names the original's kind; the reason is cut to 100."""
    _person, broker = people
    pay(account, broker, "1.00", kind="contribution")
    row = reverse(account, broker, "pay-1", reason="r" * 150).transaction
    assert audit_of(row).summary == "Corrected (reversed) 'contribution': " + "r" * 100


def test_reversal_memo_is_cut_to_300(account: BudgetAccount, people: tuple[User, User]) -> None:
    """A long reason makes a long memo: it is kept to 300 characters."""
    _person, broker = people
    pay(account, broker, "1.00", kind="contribution")
    row = reverse(account, broker, "pay-1", reason="r" * 400).transaction
    row.refresh_from_db()
    assert row.memo == ("Reversal of 'pay-1': " + "r" * 400)[:300]


def test_reversal_retry_and_reuse(account: BudgetAccount, people: tuple[User, User]) -> None:
    """Retrying a reversal with its key returns it, not created; the key used for another
    reversal is refused; an entry is reversed once; a reversal is never reversed."""
    _person, broker = people
    pay(account, broker, "1.00", kind="contribution", key="c-1")
    pay(account, broker, "2.00", kind="contribution", key="c-2")
    first = reverse(account, broker, "c-1")
    again = reverse(account, broker, "c-1")
    assert (again.transaction.pk, again.created) == (first.transaction.pk, False)
    with pytest.raises(BudgetsError) as refused:
        reverse(account, broker, "c-2")
    assert refusal(refused) == ("This form was already used. Reload the page.", None)
    with pytest.raises(BudgetsError) as refused:
        reverse(account, broker, "c-1", key="fix-2")
    assert refusal(refused) == ("Transaction 'c-1' has already been reversed.", None)
    with pytest.raises(access.NotAllowed) as not_allowed:
        reverse(account, broker, "fix-1", key="fix-3")
    assert (
        str(not_allowed.value) == "Only someone who may record this kind of entry may correct it."
    )
    assert reverse(account, broker, "c-2", key="fix-4").created is True
    assert svc.account_balance_pence(account) == 37200


def test_reversal_refusals(account: BudgetAccount, people: tuple[User, User]) -> None:
    """Refusals, word for word: a stranger; no reason; a bad key; no such record on this
    account; the holder correcting the council's money."""
    person, broker = people
    pay(account, broker, "1.00", kind="contribution")
    with pytest.raises(access.NotAllowed) as not_allowed:
        reverse(account, f.user(Role.BROKER), "pay-1")
    assert str(not_allowed.value) == "You cannot correct this account."
    with pytest.raises(BudgetsError) as refused:
        reverse(account, broker, "pay-1", reason="   ")
    assert refusal(refused) == ("Say why this is being corrected", "reason")
    with pytest.raises(BudgetsError) as refused:
        reverse(account, broker, "pay-1", key="no good")
    assert refusal(refused) == ("This form has expired. Reload the page and try again.", None)
    for missing in ("nothing-here", ""):
        with pytest.raises(BudgetsError) as refused:
            reverse(account, broker, missing)
        assert refusal(refused) == ("There is no such record on this account.", None)
    other = helpers.open_account(f.user(Role.PERSON), broker)
    pay(other, broker, "1.00", kind="contribution", key="elsewhere")
    with pytest.raises(BudgetsError) as refused:
        reverse(account, broker, "elsewhere")
    assert refusal(refused) == ("There is no such record on this account.", None)
    with pytest.raises(access.NotAllowed) as not_allowed:
        reverse(account, person, f"account-{account.pk}-first-allocation")
    assert (
        str(not_allowed.value) == "Only someone who may record this kind of entry may correct it."
    )
    assert person.pk is not None and reverse(account, person, "pay-1").created is True


def test_reversal_below_zero(account: BudgetAccount, people: tuple[User, User]) -> None:
    """A correction taking the account below £0 needs a practitioner who reaches the person and
    a reason (kept in the audit); the holder is refused. Money coming back in is never refused,
    even while the account stays below £0."""
    person, broker = people
    pay(account, broker, "100.00", kind="contribution", key="c-100")
    pay(account, broker, "5.00", key="p-5")
    pay(account, broker, "467.00", key="p-467")  # balance now £0.00
    assert svc.account_balance_pence(account) == 0
    with pytest.raises(BudgetsError) as refused:
        reverse(account, person, "c-100")
    assert refusal(refused) == (
        "This correction would take the account below £0 (to -£100.00). Ask the person's "
        "broker: only a practitioner can allow that, with a reason.",
        "reason",
    )
    with pytest.raises(BudgetsError) as refused:
        svc.reverse_transaction(  # no below-£0 reason given at all
            account=account, actor=broker, original_key="c-100", reason="Paid twice", key="f-0"
        )
    assert refused.value.field == "below_zero_reason"
    with pytest.raises(BudgetsError) as refused:
        reverse(account, broker, "c-100", below_zero_reason="   ")
    assert refusal(refused) == (
        "This correction would take the account below £0 (to -£100.00). Say why the account "
        "may go below £0",
        "below_zero_reason",
    )
    row = reverse(
        account, broker, "c-100", below_zero_reason="  Refund   due \n next week  "
    ).transaction
    assert svc.account_balance_pence(account) == -10000
    assert audit_of(row).summary == (
        "Corrected (reversed) 'contribution': Paid twice. Below £0 (-£100.00) because: "
        "Refund due next week"
    )
    # Money back in (reversing a payment) is never "below £0", though the account stays below.
    back = reverse(account, person, "p-5", key="fix-2").transaction
    assert audit_of(back).summary == "Corrected (reversed) 'provider_payment': Paid twice"
    assert svc.account_balance_pence(account) == -9500


def test_reversal_boundary_at_zero(account: BudgetAccount, people: tuple[User, User]) -> None:
    """Exactly to £0: allowed to the holder, no note; a penny below: refused to the holder."""
    person, broker = people
    pay(account, broker, "10.00", kind="contribution", key="c-10")
    pay(account, broker, "382.00", key="p-382")  # balance now £0.00
    assert svc.account_balance_pence(account) == 0
    pay(account, broker, "10.00", kind="contribution", key="c-10b")  # £10.00
    row = reverse(account, person, "c-10b", key="fix-a").transaction
    assert svc.account_balance_pence(account) == 0
    assert audit_of(row).summary == "Corrected (reversed) 'contribution': Paid twice"
    pay(account, broker, "0.01", kind="contribution", key="c-1p")
    pay(account, broker, "0.01", kind="contribution", key="c-1q")  # £0.02
    with pytest.raises(BudgetsError) as refused:
        reverse(account, person, "c-10", key="fix-b")
    assert refused.value.message.startswith(
        "This correction would take the account below £0 (to -£9.98)."
    )


def test_reversal_concurrent_failures_give_up(
    account: BudgetAccount, people: tuple[User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If storing the reversal fails twice on a unique key (a concurrent correction), it is
    refused, asking to try again; it tries exactly twice."""
    _person, broker = people
    pay(account, broker, "1.00", kind="contribution")
    calls: list[str] = []

    def clash(*args: Any, **kwargs: Any) -> Any:
        calls.append("store")
        raise IntegrityError("UNIQUE constraint failed: budgets_ledgertransaction.key")

    monkeypatch.setattr(svc, "_store", clash)
    with pytest.raises(BudgetsError) as refused:
        reverse(account, broker, "pay-1")
    assert refusal(refused) == ("This could not be recorded. Try again.", None)
    assert calls == ["store", "store"]
    assert LedgerPosting.objects.filter(transaction__kind="reversal").count() == 0
