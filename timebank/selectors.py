"""Reads for the time bank: members, balances and statements, suggestions, rotas, reports and the
ledger audit. Other apps may call :func:`confirmed_minutes` and :func:`member_for`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from directory import selectors as directory_selectors
from rules.ledger import (
    Minutes,
    Statement,
    TimeKind,
    Transaction,
    Violation,
    check_ledger,
    statement,
)
from rules.ledger import (
    Posting as LedgerPosting,
)
from rules.timebank import (
    CreditRecord,
    CreditTotals,
    ExchangeRecord,
    ExchangeStatus,
    HelpRequest,
    MatchResult,
    Point,
    Taxonomy,
    Track,
    WeeklySlot,
    active_members,
    credit_totals,
    hours_by_category,
    hours_by_month,
    hours_by_neighbourhood,
    reciprocity,
    suggest_members,
)
from rules.timebank import (
    Member as RuleMember,
)
from timebank.models import (
    DAY_PARTS,
    WEEKDAY_CODES,
    Account,
    Exchange,
    LedgerTransaction,
    Member,
    Offer,
    Posting,
    Request,
    Rota,
    RotaSlot,
    RotaVisit,
)


def member_for(user: Any) -> Member | None:
    """The time bank member ``user`` signs in for, if any."""
    if user is None or not user.is_authenticated:
        return None
    return Member.objects.select_related("neighbourhood").filter(user=user).first()


def applications() -> QuerySet[Member]:
    return Member.objects.filter(status=Member.Status.APPLIED).select_related("user")


def approved_members() -> QuerySet[Member]:
    return Member.objects.filter(status=Member.Status.APPROVED).select_related(
        "user", "neighbourhood"
    )


def balance_of(member: Member) -> int:
    """``member``'s balance in minutes: the one place every page (home, member page, statement)
    reads it from. It is the cached balance, which is the sum of all the account's postings (see
    ``ledger_problems``); :func:`statement_for` runs to the last entry, so its closing balance is
    the same number."""
    return Account.objects.filter(member=member).values_list("balance", flat=True).first() or 0


def confirmed_minutes(
    person: User,
    *,
    start: date | None = None,
    end: date | None = None,
    received: bool = True,
) -> int:
    """For support plans: minutes of help ``person`` received (or, with ``received=False``,
    gave) in confirmed exchanges from ``start`` to ``end`` (inclusive local dates; open if None;
    any date Python holds, ``date.min`` to ``date.max``). Zero if the person is not a member."""
    side = "receiver__user" if received else "giver__user"
    qs = Exchange.objects.filter(status=Exchange.Status.CONFIRMED, **{side: person})
    if start is not None:
        qs = qs.filter(start__gte=_day_start(start))
    if end is not None and end < date.max:
        qs = qs.filter(start__lt=_day_start(date.fromordinal(end.toordinal() + 1)))
    return int(qs.aggregate(total=Sum("minutes"))["total"] or 0)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)))


def statement_for(
    member: Member, start: date | None = None, end: date | None = None
) -> Statement[Minutes]:
    """``member``'s statement from ``start`` (default: when they joined) to ``end`` (default:
    today, or the last entry's date if one is dated later, so that the closing balance is
    :func:`balance_of`: entries dated ahead, which older versions let through, are shown)."""
    account = Account.objects.get(member=member)
    rows = list(
        Posting.objects.filter(account=account)
        .select_related("transaction__reverses")
        .order_by("transaction__effective", "transaction_id")
    )
    if end is None:
        end = timezone.localdate()
        if rows and rows[-1].transaction.effective > end:
            end = rows[-1].transaction.effective
    if start is None:
        first = rows[0].transaction.effective if rows else end
        start = min(first, timezone.localdate(member.applied_at), end)
    txns = []
    other = "other"
    for p in rows:
        t = p.transaction
        # A statement only reads this account's posting; the other side is summarised.
        txns.append(
            Transaction.unchecked(
                t.key,
                TimeKind(t.kind),
                (
                    LedgerPosting(account.ledger_id, Minutes(p.minutes)),
                    LedgerPosting(other, Minutes(-p.minutes)),
                ),
                t.effective,
                t.memo,
                t.reverses.key if t.reverses_id and t.reverses else None,
            )
        )
    return statement(txns, account.ledger_id, start, end, unit=Minutes)


def ledger_transactions() -> list[Transaction[Minutes, TimeKind]]:
    """Every stored transaction as the pure rules see it (for ``check_ledger``)."""
    accounts = {a.pk: a.ledger_id for a in Account.objects.select_related("member")}
    postings: defaultdict[int, list[LedgerPosting[Minutes]]] = defaultdict(list)
    for txn_id, account_id, minutes in Posting.objects.values_list(
        "transaction_id", "account_id", "minutes"
    ):
        postings[txn_id].append(LedgerPosting(accounts[account_id], Minutes(minutes)))
    keys = dict(LedgerTransaction.objects.values_list("id", "key"))
    return [
        Transaction.unchecked(
            key,
            TimeKind(kind),
            tuple(postings[pk]),
            effective,
            memo,
            keys.get(reverses) if reverses else None,
        )
        for pk, key, kind, effective, memo, reverses in LedgerTransaction.objects.values_list(
            "id", "key", "kind", "effective", "memo", "reverses_id"
        ).order_by("id")
    ]


def ledger_problems() -> list[str]:
    """Everything wrong with the ledger (empty when sound): :func:`rules.ledger.check_ledger`,
    cached balances that differ from their postings, and balances that do not sum to zero."""
    problems = [v.message for v in check_ledger(ledger_transactions())]
    sums = dict(
        Posting.objects.values("account")
        .annotate(total=Sum("minutes"))
        .values_list("account", "total")
    )
    total = 0
    for account in Account.objects.select_related("member"):
        total += account.balance
        if account.balance != sums.get(account.pk, 0):
            problems.append(
                f"{account}: cached balance {account.balance} differs from postings "
                f"{sums.get(account.pk, 0)}."
            )
    if total != 0:
        problems.append(f"The balances of all accounts add up to {total} minutes, not zero.")
    return problems


def violations() -> list[Violation]:
    return check_ledger(ledger_transactions())


# --- exchanges -----------------------------------------------------------------------------------


def exchanges_of(member: Member) -> QuerySet[Exchange]:
    return (
        Exchange.objects.filter(Q(giver=member) | Q(receiver=member))
        .select_related("giver", "receiver", "category")
        .order_by("-start", "-id")
    )


def waiting_for(member: Member) -> QuerySet[Exchange]:
    """Exchanges someone else proposed that ``member`` is asked to confirm."""
    return (
        exchanges_of(member)
        .filter(status=Exchange.Status.PROPOSED)
        .exclude(proposed_by=member.user)
    )


def _local(dt: datetime) -> datetime:
    return timezone.localtime(dt).replace(tzinfo=None)


def exchange_records(start: date | None = None, end: date | None = None) -> list[ExchangeRecord]:
    """Confirmed (not corrected) exchanges as the report rules see them: time actually given."""
    qs = Exchange.objects.filter(status=Exchange.Status.CONFIRMED).values_list(
        "pk",
        "giver_id",
        "receiver_id",
        "start",
        "minutes",
        "category__name",
        "category__parent__name",
        "receiver__neighbourhood__name",
    )
    if start is not None:
        qs = qs.filter(start__gte=_day_start(start))
    if end is not None and end < date.max:
        qs = qs.filter(start__lt=_day_start(date.fromordinal(end.toordinal() + 1)))
    return [
        ExchangeRecord(
            pk,
            giver,
            receiver,
            _local(when),
            minutes,
            ExchangeStatus.COMPLETED,
            category=parent or category,
            neighbourhood=hood,
        )
        for pk, giver, receiver, when, minutes, category, parent, hood in qs
    ]


# --- matching ------------------------------------------------------------------------------------


def _slots(codes: list[str]) -> tuple[WeeklySlot, ...]:
    slots = []
    for code in codes:
        day, _, part = code.partition("-")
        if day in WEEKDAY_CODES and part in DAY_PARTS:
            _label, start, stop = DAY_PARTS[part]
            slots.append(WeeklySlot(WEEKDAY_CODES.index(day), time(start), time(stop)))
    return tuple(slots)


def taxonomy() -> Taxonomy:
    """The directory's need categories as a tree (top-level terms and their descendants)."""
    terms = directory_selectors.taxonomy_terms().values_list("id", "parent_id", "name")
    return Taxonomy({pk: parent for pk, parent, _ in terms}, {pk: name for pk, _, name in terms})


def centroids() -> dict[str, Point]:
    return {
        n.slug: Point(float(n.latitude), float(n.longitude))
        for n in directory_selectors.neighbourhoods()
    }


def suggestions_for(req: Request, *, limit: int = 10) -> MatchResult:
    """Members ranked for ``req`` with reasons, and those left out (with why)."""
    members = list(approved_members().prefetch_related("checks", "offers"))
    track = dict(
        Exchange.objects.filter(status=Exchange.Status.CONFIRMED)
        .values("giver")
        .annotate(n=Count("id"))
        .values_list("giver", "n")
    )
    on = timezone.localdate()
    rule_members = []
    for m in members:
        until = None
        for check in m.checks.all():
            if check.is_dbs and check.checked_on <= on and check.expires_on:
                until = max(until, check.expires_on) if until else check.expires_on
        rule_members.append(
            RuleMember(
                id=m.pk,
                name=m.name,
                skills=frozenset(
                    o.category_id for o in m.offers.all() if o.active and o.category_id
                ),
                neighbourhood=m.neighbourhood.slug if m.neighbourhood else None,
                availability=_slots(m.availability),
                track=Track(completed=track.get(m.pk, 0)),
                safeguarding_valid_until=until,
            )
        )
    help_request = HelpRequest(
        category=req.category_id or "",
        on=on,
        neighbourhood=req.neighbourhood.slug if req.neighbourhood else None,
        times=_slots(req.times),
        needs_safeguarding_check=req.needs_check,
        requester=req.member_id,
    )
    return suggest_members(
        help_request, rule_members, taxonomy(), centroids=centroids(), limit=limit
    )


def can_see_access_needs(viewer: Member | None, req: Request, *, coordinator: bool) -> bool:
    """Whether a request's access needs may be shown (least privilege, see docs/timebank.md).

    Access needs are health information about the person who asked, so they are shown only to
    those who arrange or give that help: the requester, coordinators, a member who has an exchange
    for this request that is waiting or confirmed (not declined or corrected), and a member on a
    rota for it. Other members see that the request exists, not its access needs.
    """
    if coordinator:
        return True
    if viewer is None:
        return False
    if req.member_id == viewer.pk:
        return True
    helping = Exchange.objects.filter(
        request=req,
        giver=viewer,
        status__in=[Exchange.Status.PROPOSED, Exchange.Status.CONFIRMED],
    ).exists()
    return helping or Rota.objects.filter(request=req, assignments__member=viewer).exists()


def open_requests() -> QuerySet[Request]:
    return Request.objects.filter(status=Request.Status.OPEN).select_related(
        "member", "category", "neighbourhood"
    )


def active_offers() -> QuerySet[Offer]:
    return Offer.objects.filter(active=True, member__status=Member.Status.APPROVED).select_related(
        "member", "category", "neighbourhood"
    )


# --- rotas and reports ---------------------------------------------------------------------------


def rotas() -> QuerySet[Rota]:
    return Rota.objects.select_related("receiver", "request").prefetch_related(
        "assignments__member"
    )


def on_rota(member: Member | None, rota: Rota) -> bool:
    """Whether ``member`` covers (or has covered, or has been asked to take) any date of ``rota``."""
    if member is None:
        return False
    return (
        rota.assignments.filter(member=member).exists()
        or RotaSlot.objects.filter(rota=rota, member=member).exists()
    )


@dataclass
class RotaDate:
    """One date of a rota as a page shows it."""

    day: date
    start: datetime
    members: list[Member]
    visits: dict[int, RotaVisit]
    """Recorded outcomes, by member id."""
    offered_to: dict[int, Member]
    """Swaps waiting: member asked -> the member who asked."""

    @property
    def is_gap(self) -> bool:
        return not self.members

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.members]

    @property
    def helpers(self) -> list[tuple[Member, RotaVisit | None]]:
        """Each covering member with what was recorded for them (None: nothing yet)."""
        return [(m, self.visits.get(m.pk)) for m in self.members]


def rota_dates(rota: Rota, *, start: date | None = None, end: date | None = None) -> list[RotaDate]:
    """The rota's dates from ``start`` to ``end`` (inclusive, open if None) with who covers each,
    what was recorded (done or missed) and swaps waiting for an answer."""
    from timebank.services.rotas import plan_for  # the plan with members' changes

    plan = plan_for(rota)
    ids = {m for s in plan.slots for m in s.members}
    changes = list(
        RotaSlot.objects.filter(rota=rota, status=RotaSlot.Status.OFFERED).select_related(
            "offered_by"
        )
    )
    ids |= {c.member_id for c in changes}
    members = Member.objects.in_bulk(ids)
    visits: defaultdict[date, dict[int, RotaVisit]] = defaultdict(dict)
    for v in RotaVisit.objects.filter(rota=rota):
        visits[v.day][v.member_id] = v
    offers: defaultdict[date, dict[int, Member]] = defaultdict(dict)
    for c in changes:
        if c.offered_by is not None:
            offers[c.day][c.member_id] = c.offered_by
    out = []
    for s in plan.slots:
        if (start is not None and s.day < start) or (end is not None and s.day > end):
            continue
        out.append(
            RotaDate(
                day=s.day,
                start=timezone.make_aware(s.occurrence.start),
                members=[members[m] for m in s.members if m in members],
                visits=visits.get(s.day, {}),
                offered_to={m: by for m, by in offers.get(s.day, {}).items() if m in members},
            )
        )
    return out


def coming_for(member: Member, *, limit: int = 5) -> list[tuple[Rota, RotaDate]]:
    """For the person a rota helps: the next dates of each of their rotas and who is coming."""
    today = timezone.localdate()
    out = []
    for rota in Rota.objects.filter(receiver=member, end_date__gte=today):
        out += [(rota, d) for d in rota_dates(rota, start=today)[:limit]]
    return out


def rotas_covered_by(member: Member) -> QuerySet[Rota]:
    return Rota.objects.filter(
        Q(assignments__member=member)
        | Q(slot_changes__member=member, slot_changes__status=RotaSlot.Status.TAKEN)
    ).distinct()


def credit_records() -> list[CreditRecord]:
    """Organisation time credits as the report rules see them: each issue (named by the
    organisation that issued it) and each redemption (named by the partner where they were
    spent), leaving out any that were corrected (reversed)."""
    rows = Posting.objects.filter(
        transaction__kind__in=[LedgerTransaction.Kind.ISSUE, LedgerTransaction.Kind.REDEMPTION],
        transaction__reversed_by__isnull=True,
        account__member__isnull=False,
    ).values_list("transaction__kind", "transaction__effective", "account__member__name", "minutes")
    out = []
    for kind, day, name, minutes in rows:
        issued = kind == LedgerTransaction.Kind.ISSUE
        # The organisation's posting: the issuer's is negative, the partner's positive.
        if (issued and minutes < 0) or (not issued and minutes > 0):
            out.append(CreditRecord(day, name, abs(minutes), issued))
    return out


@dataclass
class Report:
    start: date | None
    end: date | None
    months: list[Any]
    active: int
    reciprocity: Any
    by_category: dict[str, int]
    by_neighbourhood: dict[str, int]
    members: int
    credits: CreditTotals

    @property
    def total_minutes(self) -> int:
        return sum(m.minutes for m in self.months)


def report(start: date | None = None, end: date | None = None) -> Report:
    records = exchange_records(start, end)
    return Report(
        start=start,
        end=end,
        months=hours_by_month(records, start, end),
        active=len(active_members(records)),
        reciprocity=reciprocity(records),
        by_category=hours_by_category(records),
        by_neighbourhood=hours_by_neighbourhood(records),
        members=approved_members().count(),
        credits=credit_totals(credit_records(), start, end),
    )
