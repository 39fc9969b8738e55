"""Reads for the evidence pages: each project's report, the portfolio, the area's figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from evidence.models import AreaProxy, DeflatorYear, Project
from evidence.services import case_with_area_figures
from rules.sroi import CaseError, Result, calculate, case_from_dict, reference_figures, report
from rules.sroi.portfolio import Portfolio, portfolio


@dataclass(frozen=True)
class ProjectReport:
    project: Project
    result: Result | None
    data: dict[str, Any] | None  # rules.sroi.report(): the result, sensitivity, switching values
    problem: str  # why there is no result yet ("add at least one outcome", a missing deflator year)


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
