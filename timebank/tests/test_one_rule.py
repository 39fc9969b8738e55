"""Issue 14: rules written twice, tied together by property tests (hypothesis) that run both
versions on the same generated cases and demand the same answers.

- **Overlap.** The exchange path asks the database for a member's confirmed exchanges near the
  time (SQL: ``_overlap_statement``, a pre-filter) and lets :func:`rules.timebank.check_no_overlap`
  decide among them. The pre-filter alone would hide a change to the Python rule from every test
  (a case the SQL leaves out never reaches it), so here the database path is compared with the
  Python rule over *every* stored exchange, and both with the plain definition (half-open times,
  confirmed exchanges of either member).
- **Cached balances.** A ledger entry is written in one statement on PostgreSQL and in separate
  statements elsewhere (:func:`timebank.services.write_entry`). Each path must leave the same
  postings and add them to the cached balances; on PostgreSQL both run on the same generated
  entries and are compared, on SQLite the steps are compared with the sums of postings.
- **Idempotency.** A ledger entry retried with the same key is the same entry only when its
  kind, effective date and postings are the same (:func:`rules.ledger.same_content`). The
  database path (:func:`timebank.services.ledger._post`) and the pure ledger
  (:class:`rules.ledger.Ledger`) answer the same generated retries alike, and as that definition
  says: a retry with another effective date is refused, not taken for the first. An exchange
  submitted again with the same key is the same exchange only with the same members, minutes and
  start (so the same effective date of its ledger entry); otherwise it is refused, on the
  member's path (proposed) and the coordinator's (recorded and confirmed at once) alike.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEvent
from accounts.services import audit_event
from rules.ledger import DuplicateKey, Ledger, Minutes, TimeKind, Transaction
from rules.ledger import Posting as LedgerPosting
from rules.timebank import ExchangeSlot, find_overlaps
from timebank.models import Account, Exchange, LedgerTransaction, Member, Posting
from timebank.services._common import TimebankRefused
from timebank.services.exchanges import _check_overlap, _exchange_record, submit_exchange
from timebank.services.ledger import _post, account_for, write_entry
from timebank.tests import factories as tb

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BASE = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("Europe/London"))
QUARTER = 15  # times and lengths on quarter hours, so touching and nested cases are common
_keys = itertools.count()


@pytest.fixture
def members() -> list[Member]:
    coordinator = tb.coordinator()
    return [tb.member(by=coordinator, name=name) for name in ("Ann", "Ben", "Cat")]


ExchangeCase = tuple[tuple[int, int], int, int, str]
"""(giver, receiver) by index, start and length in quarter hours, status."""

pair = st.tuples(st.integers(0, 2), st.integers(0, 2)).filter(lambda p: p[0] != p[1])
exchange_case = st.tuples(
    pair,
    st.integers(-130, 130),  # start, in quarter hours from BASE (beyond a day either side)
    st.integers(1, 24 * 60 // QUARTER),  # length in quarter hours, up to 24 hours
    st.sampled_from(["proposed", "confirmed", "declined", "reversed"]),
)


def _store(members: list[Member], cases: list[ExchangeCase]) -> list[Exchange]:
    rows = []
    for (giver, receiver), at, length, status in cases:
        n = next(_keys)
        txn = None
        if status in ("confirmed", "reversed"):
            txn = LedgerTransaction.objects.create(
                key=f"overlap-{n}", kind="exchange", effective=BASE.date()
            )
        rows.append(
            Exchange.objects.create(
                idempotency_key=f"overlap-{n}",
                giver=members[giver],
                receiver=members[receiver],
                start=BASE + timedelta(minutes=at * QUARTER),
                minutes=length * QUARTER,
                status=status,
                transaction=txn,
            )
        )
    return rows


def _database_refuses(new: Exchange) -> bool:
    try:
        _check_overlap(new)
    except TimebankRefused:
        return True
    return False


def _python_refuses(new: Exchange, stored: list[Exchange]) -> bool:
    """The Python rule alone, over every stored exchange (no SQL pre-filter)."""
    records = [_exchange_record(x) for x in stored]
    end = new.start + timedelta(minutes=new.minutes)
    return any(
        find_overlaps(ExchangeSlot(member, new.start, end), records, ignore_id=new.pk)
        for member in (new.giver_id, new.receiver_id)
    )


def _definition_refuses(new: Exchange, stored: list[Exchange]) -> bool:
    """What the rule means: a confirmed exchange of either member whose time meets this one's
    (half-open: one ending at 11:00 and one starting at 11:00 do not overlap)."""
    end = new.start + timedelta(minutes=new.minutes)
    members = {new.giver_id, new.receiver_id}
    return any(
        x.status == Exchange.Status.CONFIRMED
        and x.pk != new.pk
        and members & {x.giver_id, x.receiver_id}
        and x.start < end
        and new.start < x.start + timedelta(minutes=x.minutes)
        for x in stored
    )


@PROPERTY
@given(
    st.lists(exchange_case, max_size=8),
    exchange_case,
    st.booleans(),
    st.sampled_from(["", "just after", "just before", "same start"]),
    st.integers(0, 7),
)
def test_overlap_sql_and_python_give_the_same_answers(
    members: list[Member],
    stored_cases: list[ExchangeCase],
    new_case: ExchangeCase,
    saved: bool,
    touch: str,
    which: int,
) -> None:
    with transaction.atomic():
        stored = _store(members, stored_cases)
        (giver, receiver), at, length, _ = new_case
        start = BASE + timedelta(minutes=at * QUARTER)
        minutes = length * QUARTER
        if touch and stored:  # place it against a stored exchange: the boundaries
            near = stored[which % len(stored)]
            start = {
                "just after": near.start + timedelta(minutes=near.minutes),
                "just before": near.start - timedelta(minutes=minutes),
                "same start": near.start,
            }[touch]
        new = Exchange(
            idempotency_key=f"new-{next(_keys)}",
            giver=members[giver],
            receiver=members[receiver],
            start=start,
            minutes=minutes,
        )
        if saved:  # an exchange being confirmed is already stored (as proposed)
            new.save(force_insert=True)
        expected = _definition_refuses(new, stored)
        assert _python_refuses(new, stored) == expected
        assert _database_refuses(new) == expected
        transaction.set_rollback(True)


def test_overlap_boundaries_on_the_database_path(members: list[Member]) -> None:
    """The cases a property test might reach rarely, fixed: touching either side, a day long."""
    ann, _ben, cat = members
    _store(members, [((0, 1), 0, 4, "confirmed")])  # Ann gives Ben 12:00-13:00
    cases = [
        (BASE - timedelta(hours=1), 60, False),  # ends exactly at 12:00
        (BASE + timedelta(hours=1), 60, False),  # starts exactly at 13:00
        (BASE - timedelta(hours=1), 61, True),  # one minute into it
        (BASE + timedelta(minutes=59), 60, True),  # one minute before its end
        (BASE - timedelta(hours=23), 24 * 60, True),  # a day long, ending inside it
        (BASE - timedelta(hours=24), 24 * 60, False),  # a day long, ending at its start
    ]
    for start, minutes, clash in cases:
        new = Exchange(
            idempotency_key=f"edge-{next(_keys)}",
            giver=cat,
            receiver=ann,
            start=start,
            minutes=minutes,
        )
        assert _database_refuses(new) is clash, (start, minutes)
        assert _python_refuses(new, list(Exchange.objects.all())) is clash


# --- the cached balance update: one statement (PostgreSQL) and steps (any database) -----------


def _paths() -> list[bool]:
    return [False, True] if connection.vendor == "postgresql" else [False]


entry = st.lists(
    st.tuples(st.integers(0, 3), st.integers(-600, 600).filter(lambda m: m != 0)),
    min_size=1,
    max_size=4,
    unique_by=lambda p: p[0],
).map(lambda postings: [*postings, (4, -sum(m for _, m in postings))])
"""One balanced entry over accounts 0-4 (the last posting balances it; it may be zero, then the
entry is left out)."""


@pytest.fixture
def account_sets() -> dict[bool, list[Account]]:
    sets = {}
    for path in _paths():
        sets[path] = [account_for(tb.member(approved=False, name=f"P{path}{i}")) for i in range(5)]
    return sets


@PROPERTY
@given(st.lists(entry, min_size=1, max_size=6))
def test_cached_balances_are_updated_the_same_way_on_both_paths(
    account_sets: dict[bool, list[Account]], entries: list[list[tuple[int, int]]]
) -> None:
    with transaction.atomic():
        results = {}
        for one_statement, accounts in account_sets.items():
            start = {a.pk: Account.objects.get(pk=a.pk).balance for a in accounts}
            for postings in entries:
                amounts = [(accounts[i].pk, m) for i, m in postings if m != 0]
                if len(amounts) < 2:
                    continue
                row = LedgerTransaction(
                    key=f"balance-{next(_keys)}", kind="exchange", effective=BASE.date()
                )
                write_entry(row, amounts, one_statement=one_statement)
                assert row.pk is not None
                assert {(p.account_id, p.minutes) for p in row.postings.all()} == set(amounts)
            balances = []
            for a in accounts:
                cached = Account.objects.get(pk=a.pk).balance
                posted = sum(Posting.objects.filter(account=a).values_list("minutes", flat=True))
                assert cached == posted, "the cached balance is the sum of the postings"
                balances.append(cached - start[a.pk])
            results[one_statement] = balances
        expected = [0] * 5
        for postings in entries:
            if len([m for _, m in postings if m != 0]) >= 2:
                for i, m in postings:
                    expected[i] += m
        for balances in results.values():
            assert balances == expected
        transaction.set_rollback(True)


@pytest.mark.postgres
def test_both_balance_paths_run_on_postgresql() -> None:
    """On PostgreSQL the comparison above runs both paths (this fails if it silently did not)."""
    assert _paths() == [False, True]


def test_both_paths_hand_back_the_entry_exchange_and_audit_record_as_saved() -> None:
    """What the caller holds afterwards is the same on both paths: the entry, the exchange
    (pointing at the entry) and its audit record (naming the new exchange) marked as saved in
    this database, so saving the audit record again is refused (append-only) rather than a
    second insert, and the stored rows are the ones held."""
    giver, receiver = tb.member(name="Giver"), tb.member(name="Receiver")
    for one_statement in _paths():
        with transaction.atomic():
            key = f"saved-{next(_keys)}"
            row = LedgerTransaction(key=key, kind="exchange", effective=BASE.date())
            exchange = Exchange(
                idempotency_key=key, giver=giver, receiver=receiver, start=BASE, minutes=45
            )
            audit = audit_event(
                actor=None, action=AuditEvent.Action.CREATE, object_type="timebank.exchange"
            )
            amounts = [(account_for(receiver).pk, -45), (account_for(giver).pk, 45)]
            write_entry(row, amounts, exchange, audit, one_statement=one_statement)
            held = [(o._state.adding, o._state.db) for o in (row, exchange, audit)]
            assert held == [(False, connection.alias)] * 3, one_statement
            assert exchange.transaction is row
            assert audit.object_id == str(exchange.pk) != "None"
            stored = Exchange.objects.get(pk=exchange.pk)
            assert (stored.transaction_id, stored.minutes) == (row.pk, 45)
            trail = AuditEvent.objects.filter(object_type="timebank.exchange")
            assert list(trail.values_list("object_id", flat=True)) == [audit.object_id]
            with pytest.raises(ValueError, match="append-only"):
                audit.save()
            # An entry on its own (an issue or a spend: no exchange, whose link to the entry
            # would otherwise mark the entry's database): marked saved all the same.
            alone = LedgerTransaction(key=f"{key}-alone", kind="issue", effective=BASE.date())
            write_entry(alone, amounts, one_statement=one_statement)
            assert (alone._state.adding, alone._state.db) == (False, connection.alias)
            transaction.set_rollback(True)


def test_both_paths_refuse_an_entry_whose_account_is_gone_at_once() -> None:
    """The postings' foreign key to the account is deferred (Django's are), so it would fail only
    at commit, after the balances were written; each path counts the balances it updated and
    refuses the entry at once, with the same message."""
    account = account_for(tb.member(name="Here"))
    gone = Account.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    for one_statement in _paths():
        row = LedgerTransaction(key=f"gone-{next(_keys)}", kind="exchange", effective=BASE.date())
        with pytest.raises(IntegrityError) as refused, transaction.atomic():
            write_entry(row, [(account.pk, 30), (gone, -30)], one_statement=one_statement)
        assert str(refused.value) == "An account of the transaction is missing.", one_statement
        assert not LedgerTransaction.objects.filter(key=row.key).exists()


# --- idempotency: a retried ledger entry, on the database path and in the pure ledger ----------

KINDS = ["issue", "redemption", "exchange"]
movement = st.tuples(
    st.sampled_from(KINDS),
    st.integers(-1, 1),  # effective date: days from BASE
    st.tuples(st.integers(0, 2), st.integers(0, 2)).filter(lambda p: p[0] != p[1]),  # from, to
    st.sampled_from([30, 60]),  # minutes
)
"""One entry: kind, effective day, from and to (accounts 0-2) and minutes; drawn from few values,
so a retry is often exactly the first entry and often differs in one thing only."""
Movement = tuple[str, int, tuple[int, int], int]


def _entry(key: str, case: Movement, accounts: list[Account]) -> Transaction[Minutes, TimeKind]:
    kind, day, (source, destination), minutes = case
    return Transaction(
        key,
        TimeKind(kind),
        (
            LedgerPosting(accounts[source].ledger_id, Minutes(-minutes)),
            LedgerPosting(accounts[destination].ledger_id, Minutes(minutes)),
        ),
        BASE.date() + timedelta(days=day),
    )


def _database_accepts(key: str, case: Movement, accounts: list[Account]) -> LedgerTransaction:
    kind, day, (source, destination), minutes = case
    return _post(
        key=key,
        kind=kind,
        amounts={accounts[source]: -minutes, accounts[destination]: minutes},
        effective=BASE.date() + timedelta(days=day),
        memo="A retried entry",
        by=None,
        check_limits=False,  # the limits are not what is compared here
    )


@pytest.fixture
def ledger_accounts() -> list[Account]:
    return [account_for(tb.member(approved=False, name=f"R{i}")) for i in range(3)]


@PROPERTY
@given(movement, movement)
def test_a_retried_entry_is_the_same_only_with_the_same_content_on_both_paths(
    ledger_accounts: list[Account], first: Movement, retry: Movement
) -> None:
    key = f"retry-{next(_keys)}"
    same = (first[0], first[1]) == (retry[0], retry[1]) and (
        (first[2], first[3]) == (retry[2], retry[3])
    )
    book: Ledger[Minutes, TimeKind] = Ledger(Minutes)
    original = book.post(_entry(key, first, ledger_accounts))
    try:
        book_accepts = book.post(_entry(key, retry, ledger_accounts)) is original
    except DuplicateKey:
        book_accepts = False
    with transaction.atomic():
        stored = _database_accepts(key, first, ledger_accounts)
        try:
            database_accepts = _database_accepts(key, retry, ledger_accounts).pk == stored.pk
        except TimebankRefused as refused:
            assert "already used for a different entry" in refused.message
            database_accepts = False
        assert LedgerTransaction.objects.filter(key=key).count() == 1
        transaction.set_rollback(True)
    assert book_accepts == same
    assert database_accepts == same


def test_a_retry_one_day_later_is_refused_and_the_same_retry_returns_the_first(
    ledger_accounts: list[Account],
) -> None:
    first: Movement = ("issue", 0, (0, 1), 60)
    stored = _database_accepts("retry-edge", first, ledger_accounts)
    assert _database_accepts("retry-edge", first, ledger_accounts).pk == stored.pk
    for day in (-1, 1):
        with pytest.raises(TimebankRefused, match="already used for a different entry"):
            _database_accepts("retry-edge", ("issue", day, (0, 1), 60), ledger_accounts)
    balances = [Account.objects.get(pk=a.pk).balance for a in ledger_accounts]
    assert balances == [-60, 60, 0]


terms = st.tuples(
    st.sampled_from([(0, 1), (1, 0), (0, 2)]),  # giver, receiver
    st.sampled_from([30, 60]),  # minutes
    st.sampled_from([-2, -1]),  # start: days from today
    st.sampled_from([10, 11]),  # start: hour
)
Terms = tuple[tuple[int, int], int, int, int]


@PROPERTY
@given(terms, terms, st.booleans())
def test_an_exchange_submitted_again_is_the_same_only_with_the_same_terms(
    members: list[Member], first: Terms, retry: Terms, by_coordinator: bool
) -> None:
    coordinator = tb.coordinator() if by_coordinator else None
    key = f"again-{next(_keys)}"

    def submit(case: Terms) -> tuple[Exchange, bool]:
        (giver, receiver), minutes, days, hour = case
        return submit_exchange(
            by=coordinator or members[giver].user,
            giver=members[giver],
            receiver=members[receiver],
            minutes=minutes,
            start=tb.at(days, hour),
            idempotency_key=key,
            confirm=coordinator is not None,
        )

    with transaction.atomic():
        stored, created = submit(first)
        assert created
        try:
            again, created = submit(retry)
        except TimebankRefused as refused:
            assert refused.message == "This reference was already used for a different exchange."
            accepted = False
        else:
            assert again.pk == stored.pk and not created
            accepted = True
        assert accepted == (first == retry)
        assert Exchange.objects.filter(idempotency_key=key).count() == 1
        assert LedgerTransaction.objects.filter(key=f"exchange:{key}").count() == (
            1 if coordinator else 0
        )
        transaction.set_rollback(True)
