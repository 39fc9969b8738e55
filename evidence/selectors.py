"""Reads for the evidence pages: each project's report, the portfolio, the area's figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from evidence.models import AreaProxy, DeflatorYear, Project
from evidence.services import case_with_area_figures
from outcomes import selectors as outcome_selectors
from rules.sroi import CaseError, Result, calculate, case_from_dict, reference_figures, report
from rules.sroi.portfolio import Portfolio, portfolio


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
