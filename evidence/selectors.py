"""Reads for the evidence pages: each project's report, the portfolio, the area's figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import QuerySet

from budgets import selectors as budgets_selectors
from connect import selectors as connect_selectors
from evidence import feeds
from evidence.models import AreaProxy, CoproductionSession, DeflatorYear, Project, SearchDemand
from evidence.services import case_with_area_figures
from outcomes import selectors as outcome_selectors
from rules.outcomes.aggregates import MINIMUM_CELL, protect, table_lines
from rules.sroi import CaseError, Result, calculate, case_from_dict, reference_figures, report
from rules.sroi.portfolio import Portfolio, portfolio
from timebank import selectors as timebank_selectors


@dataclass(frozen=True)
class ProjectReport:
    project: Project
    result: Result | None
    data: dict[str, Any] | None  # rules.sroi.report(): the result, sensitivity, switching values
    problem: str  # why there is no result yet ("add at least one outcome", a missing deflator year)


@dataclass(frozen=True)
class MeasuredChange:
    """What the outcomes app counted for one measure: people measured twice who agreed to be
    counted, and how many improved reliably. ``usable`` is false when the count is suppressed."""

    measure_id: str
    measure_name: str
    measured: int | None
    improved: int | None
    threshold: str
    usable: bool


def measured_changes() -> list[MeasuredChange]:
    found = []
    for measure in outcome_selectors.aggregate_measures():
        table = outcome_selectors.outcome_table(measure.id, rows="neighbourhood")
        total = table.total
        rule = measure.reliable_change
        assert rule is not None
        threshold = format(
            Decimal(rule.threshold.numerator) / Decimal(rule.threshold.denominator), "f"
        )
        if total.suppressed or total.stats is None:
            found.append(MeasuredChange(measure.id, measure.name, None, None, threshold, False))
        else:
            found.append(
                MeasuredChange(
                    measure.id,
                    measure.name,
                    total.stats.measured,
                    total.stats.improved,
                    threshold,
                    True,
                )
            )
    return found


def projects() -> QuerySet[Project]:
    return Project.objects.all()


def report_for(project: Project, *, sensitivity: bool = True) -> ProjectReport:
    case_data = case_with_area_figures(project)
    if not case_data.get("inputs"):
        return ProjectReport(
            project, None, None, "Add at least one input (money, in kind or hours)."
        )
    if not case_data.get("outcomes"):
        return ProjectReport(project, None, None, "Add at least one outcome.")
    try:
        case = case_from_dict(case_data)
    except CaseError as error:
        return ProjectReport(project, None, None, str(error))
    result = calculate(case)
    data = report(case) if sensitivity else result.to_dict()
    return ProjectReport(project, result, data, "")


def portfolio_of(reports: list[ProjectReport]) -> Portfolio:
    return portfolio([r.result for r in reports if r.result is not None])


def proxies() -> QuerySet[AreaProxy]:
    return AreaProxy.objects.all()


def shipped_proxies() -> list[dict[str, Any]]:
    return list(reference_figures()["financial_proxies"])


def deflator() -> QuerySet[DeflatorYear]:
    return DeflatorYear.objects.all()


def default_discount() -> tuple[str, str]:
    figure = reference_figures()["discount_rate"]
    percent = format((Decimal(str(figure["value"])) * 100).normalize(), "f")
    return f"{percent}%", " ".join(str(figure["source"]).split())


TIME_BANK = "Time bank (members helping each other)"


@dataclass(frozen=True)
class CoproductionRow:
    month: dt.date  # the first of the month
    organisation: str
    member_hours: Fraction  # including experts by experience's hours
    staff_hours: Fraction | None  # None: not recorded (the time bank does not count staff time)
    sessions: int
    sessions_without_staff_hours: int
    expert_hours: Fraction = Fraction(0)  # experts by experience on quality checks (voice)


def coproduction(start: dt.date, end: dt.date) -> list[CoproductionRow]:
    """Members' hours beside staff hours by month and organisation, from the time bank's
    confirmed exchanges, the sessions organisations recorded and experts by experience's time on
    quality checks (``feeds.EXPERT_HOURS_COUNTED``), ``start`` to ``end`` inclusive."""
    member: dict[tuple[dt.date, str], Fraction] = defaultdict(Fraction)
    experts: dict[tuple[dt.date, str], Fraction] = defaultdict(Fraction)
    staff: dict[tuple[dt.date, str], Fraction | None] = {}
    sessions: dict[tuple[dt.date, str], int] = defaultdict(int)
    unknown: dict[tuple[dt.date, str], int] = defaultdict(int)
    for record in timebank_selectors.exchange_records(start, end):
        key = (record.start.date().replace(day=1), TIME_BANK)
        member[key] += Fraction(record.minutes, 60)
        staff.setdefault(key, None)
    for session in CoproductionSession.objects.filter(held_on__gte=start, held_on__lte=end):
        key = (session.held_on.replace(day=1), session.organisation)
        member[key] += Fraction(session.member_hours)
        sessions[key] += 1
        if session.staff_hours is not None:
            staff[key] = (staff.get(key) or Fraction(0)) + Fraction(session.staff_hours)
        else:
            unknown[key] += 1
            staff.setdefault(key, None)
    for expert in feeds.expert_hours(start, end):
        key = (expert.month, expert.organisation)
        member[key] += Fraction(expert.minutes, 60)
        experts[key] += Fraction(expert.minutes, 60)
        staff.setdefault(key, None)
    return [
        CoproductionRow(
            month,
            organisation,
            member[(month, organisation)],
            staff.get((month, organisation)),
            sessions[(month, organisation)],
            unknown[(month, organisation)],
            experts[(month, organisation)],
        )
        for month, organisation in sorted(member, key=lambda k: (k[0], k[1] != TIME_BANK, k[1]))
    ]


# --- the gap in the market ------------------------------------------------------------------------

NOT_GIVEN = "Not given"
WAITING_DAYS = 14  # a time-bank request open this long without help is unmet demand


@dataclass(frozen=True)
class GapTable:
    """Counts by need (rows) and neighbourhood (columns), with small numbers and the cells that
    would reveal them hidden (``rules.outcomes.aggregates.protect``)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: dict[tuple[str | None, str | None], int]
    status: Mapping[tuple[str | None, str | None], str]

    def shown(self, row: str | None, column: str | None) -> int | None:
        key = (row, column)
        if self.status.get(key, "published") != "published":
            return None
        return self.counts.get(key, 0)


def _gap_table(pairs: list[tuple[str, str]]) -> GapTable:
    rows = tuple(sorted({r for r, _ in pairs}))
    columns = tuple(sorted({c for _, c in pairs}))
    counts: dict[tuple[str | None, str | None], int] = defaultdict(int)
    for row, column in pairs:
        counts[(row, column)] += 1
        counts[(row, None)] += 1
        counts[(None, column)] += 1
        counts[(None, None)] += 1
    for row in rows:
        for column in columns:
            counts.setdefault((row, column), 0)
    status = protect(dict(counts), table_lines(rows, columns))
    return GapTable(rows, columns, dict(counts), status)


def time_bank_gap(today: dt.date | None = None) -> GapTable:
    """Open time-bank requests nobody has taken up for ``WAITING_DAYS`` or more, by what help
    and where."""
    cutoff = (today or dt.date.today()) - dt.timedelta(days=WAITING_DAYS)
    pairs = []
    for request in timebank_selectors.open_requests():
        if request.created_at.date() > cutoff:
            continue
        need = request.category.name if request.category else NOT_GIVEN
        where = request.neighbourhood.name if request.neighbourhood else NOT_GIVEN
        pairs.append((need, where))
    return _gap_table(pairs)


@dataclass(frozen=True)
class SearchGap:
    words: str
    searches: int
    neighbourhoods: tuple[str, ...]


def search_gap(since: dt.date, minimum: int = MINIMUM_CELL) -> tuple[list[SearchGap], int]:
    """Searches that found little since ``since``: the words searched ``minimum`` times or more
    (fewer could be a name or a detail about one person, so they are never shown), and how many
    searches were left out."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for words, where in SearchDemand.objects.filter(day__gte=since).values_list(
        "words", "neighbourhood"
    ):
        grouped[words].append(where)
    shown, hidden = [], 0
    for words, places in grouped.items():
        if len(places) < minimum:
            hidden += len(places)
            continue
        shown.append(SearchGap(words, len(places), tuple(sorted({p for p in places if p}))))
    shown.sort(key=lambda g: (-g.searches, g.words))
    return shown, hidden


def plan_gap() -> GapTable:
    """Support people looked for in their support plans and could not find ("could not find
    this" plan lines), by kind of support and the plan's neighbourhood; each plan once a need."""
    return _gap_table(
        [(n.need, n.neighbourhood or NOT_GIVEN) for n in budgets_selectors.unmet_needs()]
    )


@dataclass(frozen=True)
class DeclinedGap:
    service_id: str
    service_name: str
    count: int


def declined_gap(since: dt.date, minimum: int = MINIMUM_CELL) -> tuple[list[DeclinedGap], int]:
    """Social prescribing referrals services declined for lack of space since ``since``: the
    services that declined ``minimum`` or more (fewer are not shown), and how many declines
    were left out."""
    shown, hidden = [], 0
    for row in connect_selectors.declined_for_capacity(since):
        count = int(row["count"])
        if count < minimum:
            hidden += count
            continue
        shown.append(DeclinedGap(str(row["service_id"]), str(row["service_name"]), count))
    return shown, hidden


GAP_DAYS = 365  # searches and declined referrals over the last year


@dataclass(frozen=True)
class GapReport:
    """Everything on the gap-in-the-market page, before any neighbourhood is chosen."""

    today: dt.date
    since: dt.date
    plans: GapTable
    time_bank: GapTable
    searches: list[SearchGap]
    hidden_searches: int
    declined: list[DeclinedGap]
    hidden_declined: int

    @property
    def neighbourhoods(self) -> list[str]:
        return sorted(
            set(self.plans.columns)
            | set(self.time_bank.columns)
            | {n for g in self.searches for n in g.neighbourhoods}
        )

    def table(self, source: str) -> GapTable | None:
        return {"plans": self.plans, "time-bank": self.time_bank}.get(source)


def gap_report(today: dt.date | None = None) -> GapReport:
    today = today or dt.date.today()
    since = today - dt.timedelta(days=GAP_DAYS)
    searches, hidden_searches = search_gap(since)
    declined, hidden_declined = declined_gap(since)
    return GapReport(
        today=today,
        since=since,
        plans=plan_gap(),
        time_bank=time_bank_gap(today),
        searches=searches,
        hidden_searches=hidden_searches,
        declined=declined,
        hidden_declined=hidden_declined,
    )
