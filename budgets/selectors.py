"""Reads for self-directed support: assessments with their progress, answer comparison, plans,
budget account statements, CSV and spend projections, and pooling candidates."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from accounts.models import User
from budgets import access
from budgets.models import (
    AnswerSet,
    Assessment,
    BudgetAccount,
    CaseAssignment,
    CaseTeam,
    Contribution,
    IndicativeBudget,
    Invitation,
    LedgerPosting,
    LedgerTransaction,
    Need,
    PlanLine,
    PlanOutcome,
    Pool,
    PoolMember,
    SupportPlan,
)
from budgets.presentation import Projection, project
from budgets.services.accounts import account_balance_pence, to_rules
from budgets.services.assessment import answers_for_rules
from budgets.services.plans import plan_totals
from rules import ledger
from rules.ras import AnswerDifference, Answers, RasConfig, compare_answers, load_version
from rules.ras.config import Domain
from wellbeing_hub.spreadsheets import SafeCsvWriter


@dataclass(frozen=True)
class DomainProgress:
    domain: Domain
    done: bool
    answer_text: str


def config_for(assessment: Assessment) -> RasConfig:
    return load_version(assessment.version_id)


def answer_set(assessment: Assessment, kind: str) -> AnswerSet | None:
    return AnswerSet.objects.filter(assessment=assessment, kind=kind).first()


def progress(assessment: Assessment, kind: str) -> list[DomainProgress]:
    config = config_for(assessment)
    found = answer_set(assessment, kind)
    answers = (found.data if found else {}).get("answers", {})
    rows = []
    for domain in config.domains:
        code = answers.get(domain.id)
        option = domain.option(code) if code else None
        rows.append(DomainProgress(domain, option is not None, option.text if option else ""))
    return rows


def about_me_done(assessment: Assessment, kind: str) -> bool:
    found = answer_set(assessment, kind)
    return bool(found and found.data.get("about_me_done"))


def contributions(assessment: Assessment) -> QuerySet[Contribution]:
    return assessment.contributions.select_related("author")


def invitations(assessment: Assessment) -> QuerySet[Invitation]:
    return assessment.invitations.filter(revoked_at__isnull=True).select_related("invitee")


def invited_to(user: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        invitee=user, revoked_at__isnull=True, accepted_at__isnull=False
    ).select_related("assessment__person")


def latest_assessment(person: User) -> Assessment | None:
    return Assessment.objects.filter(person=person).first()


def latest_budget(assessment: Assessment | None) -> IndicativeBudget | None:
    if assessment is None:
        return None
    return assessment.budgets.first()


def differences(assessment: Assessment) -> list[AnswerDifference] | None:
    """Questions the person and the practitioner answered differently, or None when one of the
    two answer sets is not complete yet."""
    config = config_for(assessment)
    person, practitioner = (answer_set(assessment, k) for k in ("person", "practitioner"))
    if person is None or practitioner is None:
        return None
    first, second = (answers_for_rules(s.data) for s in (person, practitioner))
    if Answers(first["answers"]).problems(config) or Answers(second["answers"]).problems(config):
        return None
    return compare_answers(
        config, Answers.from_dict(first, config), Answers.from_dict(second, config)
    )


def plan_for_page(plan_id: int) -> SupportPlan | None:
    return (
        SupportPlan.objects.select_related(
            "person", "budget", "financial_assessment", "neighbourhood"
        )
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=PlanOutcome.objects.prefetch_related(
                    Prefetch(
                        "lines",
                        queryset=PlanLine.objects.select_related(
                            "service__organization", "pool_member__pool"
                        ),
                    )
                ),
            ),
            "decisions__decided_by",
            "versions",
            "reviews",
        )
        .filter(pk=plan_id)
        .first()
    )


def plan_of(person: User) -> SupportPlan | None:
    return SupportPlan.objects.filter(person=person).first()


def plan_outcomes_of(person: User) -> list[PlanOutcome]:
    """The outcomes of the person's current support plan, in the plan's order (what a goal in the
    outcomes app can say it works towards)."""
    plan = plan_of(person)
    return list(plan.outcomes.all()) if plan is not None else []


def plans_waiting() -> QuerySet[SupportPlan]:
    return SupportPlan.objects.filter(status=SupportPlan.Status.PROPOSED).select_related(
        "person", "budget"
    )


def all_plans(people: QuerySet[User]) -> QuerySet[SupportPlan]:
    """The latest plans of these people (a practitioner's caseload)."""
    return (
        SupportPlan.objects.filter(person__in=people)
        .select_related("person", "budget")
        .order_by("-updated_at")[:50]
    )


def pool_invitations(person: User) -> QuerySet[PoolMember]:
    return PoolMember.objects.filter(outcome__plan__person=person).select_related(
        "pool__service", "pool__neighbourhood", "outcome"
    )


def pool_candidates(neighbourhood_id: int, people: QuerySet[User]) -> dict[str, list[PlanOutcome]]:
    """Outcomes, by wellbeing domain, of these people (a broker's caseload) who live in the
    neighbourhood and agreed to be put in touch, for a broker to suggest a pool (one outcome per
    person per domain)."""
    outcomes = (
        PlanOutcome.objects.filter(
            open_to_sharing=True, plan__neighbourhood_id=neighbourhood_id, plan__person__in=people
        )
        .select_related("plan__person")
        .order_by("id")
    )
    groups: dict[str, list[PlanOutcome]] = defaultdict(list)
    seen: set[tuple[str, int]] = set()
    for outcome in outcomes:
        for code in outcome.wellbeing:
            if (code, outcome.plan.person_id) in seen:
                continue
            seen.add((code, outcome.plan.person_id))
            groups[code].append(outcome)
    return {code: items for code, items in groups.items() if len(items) >= 2}


def pools_for(user: User) -> QuerySet[Pool]:
    """Pools a practitioner may open: ones they suggested, or with someone on their caseload."""
    return (
        Pool.objects.filter(
            Q(created_by=user) | Q(members__outcome__plan__person__in=access.caseload_people(user))
        )
        .distinct()
        .select_related("neighbourhood")
    )


def assignments() -> QuerySet[CaseAssignment]:
    return CaseAssignment.objects.select_related("person", "practitioner", "team", "assigned_by")


def case_teams() -> QuerySet[CaseTeam]:
    """Every team of practitioners that shares a caseload, by name."""
    return CaseTeam.objects.all()


def teams_with_member(user: User) -> QuerySet[CaseTeam]:
    """The teams ``user`` is a member of, by name."""
    return CaseTeam.objects.filter(members=user)


def teams_in(team_ids: Iterable[int]) -> QuerySet[CaseTeam]:
    """These teams (by id), by name."""
    return CaseTeam.objects.filter(pk__in=list(team_ids))


def is_team_member(team: CaseTeam, user: User) -> bool:
    return team.members.filter(pk=user.pk).exists()


# --- budget accounts -----------------------------------------------------------------------------


def account_for_page(account_id: int) -> BudgetAccount | None:
    return (
        BudgetAccount.objects.select_related("person", "plan__budget", "plan__financial_assessment")
        .filter(pk=account_id)
        .first()
    )


def account_transactions(account: BudgetAccount) -> list[LedgerTransaction]:
    return list(
        LedgerTransaction.objects.filter(account=account)
        .select_related("reverses", "created_by")
        .prefetch_related("postings")
        .order_by("effective", "id")
    )


def account_balance(account: BudgetAccount, as_of: dt.date | None = None) -> ledger.Money:
    """The balance counting everything (``as_of`` None), or "balance now": only entries
    effective on or before ``as_of``, so a future-dated (scheduled) payment is not yet spent."""
    if as_of is None:
        return ledger.Money(account_balance_pence(account))
    total = LedgerPosting.objects.filter(
        ledger_account=account.ledger_id, transaction__effective__lte=as_of
    ).aggregate(total=Sum("amount_pence"))["total"]
    return ledger.Money(int(total or 0))


def scheduled(account: BudgetAccount, today: dt.date) -> list[LedgerTransaction]:
    """Entries dated after ``today``: shown as scheduled, not as spent."""
    return [row for row in account_transactions(account) if row.effective > today]


def amount_for(account: BudgetAccount, row: LedgerTransaction) -> int:
    """What ``row`` adds to (or, negative, takes from) the budget account, in pence."""
    return sum(p.amount_pence for p in row.postings.all() if p.ledger_account == account.ledger_id)


@dataclass(frozen=True)
class PoolLine:
    line: PlanLine
    payee: str
    weekly: ledger.Money
    memo: str


def pool_lines(account: BudgetAccount) -> list[PoolLine]:
    """The plan's pooled lines (a share of a service bought together), each payable from here."""
    found = []
    for line in account.plan.lines.filter(kind=PlanLine.Kind.POOL).select_related(
        "pool_member__pool__service__organization"
    ):
        pool = line.pool_member.pool if line.pool_member else None
        payee = line.who or (pool.name if pool else line.description)
        found.append(
            PoolLine(
                line,
                payee[:250],
                ledger.Money.from_pounds(Decimal(line.weekly_cost).quantize(Decimal("0.01"))),
                f"Share of the pool '{pool.name if pool else line.description}'"[:250],
            )
        )
    return found


def statement(
    account: BudgetAccount, start: dt.date, end: dt.date
) -> tuple[ledger.Statement[ledger.Money], dict[str, LedgerTransaction]]:
    rows = account_transactions(account)
    txns = [to_rules(row) for row in rows]
    return (
        ledger.statement(txns, account.ledger_id, start, end, unit=ledger.Money),
        {row.key: row for row in rows},
    )


KIND_LABELS = {
    "allocation": "Money from the council",
    "contribution": "Contribution paid in",
    "provider_payment": "Payment",
    "refund": "Refund",
    "reversal": "Correction",
}


def statement_csv(account: BudgetAccount, start: dt.date, end: dt.date) -> str:
    found, rows = statement(account, start, end)
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(
        ["date", "reference", "type", "paid to or from", "description", "amount", "balance"]
    )
    writer.writerow([start.isoformat(), "", "opening balance", "", "", "", found.opening.pounds])
    for line in found.lines:
        row = rows[line.key]
        writer.writerow(
            [
                line.effective.isoformat(),
                line.key,
                KIND_LABELS.get(line.kind, line.kind),
                row.payee,
                line.memo,
                line.amount.pounds,
                line.balance.pounds,
            ]
        )
    writer.writerow([end.isoformat(), "", "closing balance", "", "", "", found.closing.pounds])
    return out.getvalue()


INCOME_KINDS = ("allocation", "contribution")


def projection(account: BudgetAccount, as_of: dt.date) -> Projection:
    """Over- or under-spend warning, with its own arithmetic: from the balance now, where the
    account is heading by the end of the next allocation (four weeks; the council tops the account
    up every four weeks, so it must hold enough for that long and not much more). Money out is the
    plan's weekly cost; money in is what the plan says comes in each week (the council's share
    and the person's contribution), the same figures the page shows; entries already scheduled
    in that time, other than those payments in, are counted as they are."""
    totals = plan_totals(account.plan)
    weekly_out = totals.paid_weekly.quantize(Decimal("0.01"))
    weekly_in = (totals.council_weekly + totals.contribution_weekly).quantize(Decimal("0.01"))
    until = min(account.period_end, as_of + dt.timedelta(weeks=4))
    later = [
        row
        for row in account_transactions(account)
        if as_of < row.effective <= until and row.kind not in INCOME_KINDS
    ]
    scheduled_out = -Decimal(sum(amount_for(account, row) for row in later)) / 100
    return project(
        balance=account_balance(account, as_of).pounds,
        weekly_out=weekly_out,
        weekly_in=weekly_in,
        scheduled_out=scheduled_out.quantize(Decimal("0.01")),
        as_of=as_of,
        until=until,
        threshold=weekly_out * 4 if weekly_out else Decimal("100.00"),
    )


def spending_by_payee(account: BudgetAccount) -> list[tuple[str, ledger.Money]]:
    """Net paid to each payee (payments less refunds and corrections), for the chart and table."""
    totals: dict[str, int] = defaultdict(int)
    for row in account_transactions(account):
        if not row.payee:
            continue
        for posting in row.postings.all():
            if posting.ledger_account == account.ledger_id:
                totals[row.payee] -= posting.amount_pence
    return sorted(
        ((payee, ledger.Money(total)) for payee, total in totals.items() if total),
        key=lambda item: -item[1].units,
    )


def payees(account: BudgetAccount) -> list[str]:
    names = []
    for line in account.plan.lines.select_related("service__organization"):
        if line.weekly_cost > 0:
            name = line.service.organization.name if line.service else line.who
            if name and name not in names:
                names.append(name)
    return names


def accounts_of(person: User) -> QuerySet[BudgetAccount]:
    return BudgetAccount.objects.filter(person=person)


@dataclass(frozen=True)
class UnmetNeed:
    """One plan's "could not find this" for one kind of support: no person, no words they wrote."""

    need: str  # the Need label
    neighbourhood: str  # the plan's neighbourhood name, "" when the plan has none


def unmet_needs() -> list[UnmetNeed]:
    """Support people looked for in their plans and could not find, for the gap in the market.
    Each plan counts once for each kind of support (two lines for the same need on one plan are
    one person's need, not two)."""
    labels = dict(Need.choices)
    found = (
        PlanLine.objects.filter(kind=PlanLine.Kind.NOT_FOUND)
        .order_by()
        .values_list("plan_id", "need", "plan__neighbourhood__name")
        .distinct()
    )
    return [UnmetNeed(labels.get(need, need), where or "") for _, need, where in found]
