"""Commissioners' evidence pages. Thin: check the role, call a selector or a service, render."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import yaml
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from evidence import access, forms, selectors, services, spreadsheet
from evidence.models import Project
from rules.sroi.calculate import CONVENTIONS, money, ratio
from wellbeing_hub.charts import bar_chart
from wellbeing_hub.spreadsheets import SafeCsvWriter


def guarded(view: Any, allowed: Any = access.can_use) -> Any:
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not allowed(request.user):
            return render(
                request,
                "evidence/not_allowed.html",
                {"message": "The evidence pages are for commissioners and administrators."},
                status=403,
            )
        try:
            return view(request, *args, **kwargs)
        except access.NotAllowed as refusal:
            return render(
                request, "evidence/not_allowed.html", {"message": str(refusal)}, status=403
            )

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _attempt(form: Any, action: Callable[[dict[str, Any]], Any]) -> tuple[bool, Any]:
    """Run ``action`` on a valid form's data. A refusal goes on the field it names (a form that
    renames fields for the rules says how in ``refusal_fields``); nothing is saved then."""
    if not form.is_valid():
        return False, None
    try:
        return True, action(form.cleaned_data)
    except services.EvidenceRefused as refusal:
        field = getattr(form, "refusal_fields", {}).get(refusal.field, refusal.field)
        form.add_error(field if field in form.fields else None, refusal.message)
        return False, None


@guarded
def home(request: HttpRequest) -> HttpResponse:
    reports = [selectors.report_for(p, sensitivity=False) for p in selectors.projects()]
    book = selectors.portfolio_of(reports)
    matrix = [
        {
            "sector": forms.SECTOR_LABELS.get(row, row.capitalize()),
            "cells": [
                (forms.SECTOR_LABELS.get(col, col), money(book.cells.get((row, col), 0)))
                for col in book.gaining
            ],
            "total": money(book.row_total(row)),
            "invested": money(book.invested.get(row, 0)),
            "per_pound": ratio(book.per_pound(row)),
        }
        for row in book.investing
    ]
    return render(
        request,
        "evidence/home.html",
        {
            "reports": reports,
            "matrix": matrix,
            "gaining": [forms.SECTOR_LABELS.get(c, c) for c in book.gaining],
            "gained": [money(book.gained.get(c, 0)) for c in book.gaining],
            "total_value": money(book.total_value),
            "total_invested": money(book.total_invested),
            "by_kind": [
                (forms.SAVING_LABELS[k].split(" (")[0], money(v))
                for k, v in sorted(book.by_kind.items())
            ],
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    rate, source = selectors.default_discount()
    form = forms.ProjectForm(
        _data(request),
        initial={
            "base_year": dt.date.today().year,
            "discount_rate": rate,
            "discount_rate_source": source,
            "discount_first_year": "yes",
        },
    )
    saved, project = _attempt(form, lambda data: services.create_project(request.user, **data))  # type: ignore[arg-type]
    if saved:
        return redirect("evidence:project", pk=project.pk)
    return render(request, "evidence/form.html", {"form": form, "title": "Start an SROI project"})


@guarded
def project(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Project, pk=pk)
    report = selectors.report_for(found)
    return render(
        request,
        "evidence/project.html",
        {
            "project": found,
            "report": report,
            "data": report.data,
            "conventions": CONVENTIONS,
            "sector_labels": forms.SECTOR_LABELS,
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def input_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Project, pk=pk)
    form = forms.InputForm(_data(request))
    saved, _ = _attempt(
        form,
        lambda _data: services.add_input(request.user, found, form.as_case_entry()),  # type: ignore[arg-type]
    )
    if saved:
        return redirect("evidence:project", pk=found.pk)
    return render(
        request,
        "evidence/form.html",
        {"form": form, "title": "Add an input", "project": found},
    )


@guarded
@require_http_methods(["GET", "POST"])
def input_time_bank(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Project, pk=pk)
    form = forms.TimeBankHoursForm(_data(request))
    saved, _ = _attempt(
        form,
        lambda data: services.add_time_bank_hours(request.user, found, **data),  # type: ignore[arg-type]
    )
    if saved:
        return redirect("evidence:project", pk=found.pk)
    return render(
        request,
        "evidence/form.html",
        {
            "form": form,
            "title": "Add time-bank hours",
            "project": found,
            "intro": "The hours are counted from confirmed time-bank exchanges in the dates you "
            "choose. The report says what was counted.",
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def outcome_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Project, pk=pk)
    initial: dict[str, Any] = {"duration_years": "1", "saving_kind": "non_cashable"}
    chosen = request.GET.get("proxy", "")
    for proxy in selectors.proxies():
        if str(proxy.pk) == chosen:
            initial |= {
                "proxy_description": proxy.description or proxy.name,
                "proxy_value": str(proxy.value),
                "proxy_price_year": str(proxy.price_year),
                "proxy_source": f"{proxy.source} ({proxy.licence})",
            }
    for shipped in selectors.shipped_proxies():
        if shipped["id"] == chosen:
            initial |= {
                "proxy_description": " ".join(str(shipped["description"]).split()),
                "proxy_value": shipped["value"],
                "proxy_price_year": str(shipped["price_year"]),
                "proxy_source": " ".join(str(shipped["source"]).split()),
            }
    measured = selectors.measured_changes()
    for change in measured:
        if chosen == f"measure:{change.measure_id}" and change.usable:
            initial |= {
                "stakeholder": "People supported",
                "indicator": f"Reliable improvement in {change.measure_name} (a change of "
                f"{change.threshold} points or more between the first and latest answers)",
                "quantity": str(change.improved),
                "quantity_source": f"Counted by the outcomes app on {dt.date.today():%-d %B %Y}: "
                f"{change.measured} people answered {change.measure_name} at least twice and "
                f"agreed to be counted; {change.improved} improved reliably.",
            }
    form = forms.OutcomeForm(_data(request), initial=initial)
    saved, _ = _attempt(form, lambda data: services.add_outcome(request.user, found, data))  # type: ignore[arg-type]
    if saved:
        return redirect("evidence:project", pk=found.pk)
    return render(
        request,
        "evidence/outcome_form.html",
        {
            "form": form,
            "project": found,
            "proxies": selectors.proxies(),
            "shipped": selectors.shipped_proxies(),
            "measured": measured,
        },
    )


@guarded
@require_POST
def item_remove(request: HttpRequest, pk: int, kind: str, item_id: str) -> HttpResponse:
    found = get_object_or_404(Project, pk=pk)
    # Already gone (a second click): the page shows what is there.
    with contextlib.suppress(services.EvidenceRefused):
        services.remove_item(request.user, found, kind, item_id)  # type: ignore[arg-type]
    return redirect("evidence:project", pk=found.pk)


@guarded
def download_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Project, pk=pk)
    report = selectors.report_for(found)
    if report.data is None:
        return redirect("evidence:project", pk=found.pk)
    response = HttpResponse(
        spreadsheet.workbook_bytes(report.data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="sroi-project-{found.pk}.xlsx"'
    return response


@guarded
def download_case(request: HttpRequest, pk: int) -> HttpResponse:
    """The case as ``wellbeing-hub sroi calc`` reads it, so anyone can recount the report."""
    found = get_object_or_404(Project, pk=pk)
    text = yaml.safe_dump(
        services.case_with_area_figures(found), sort_keys=False, allow_unicode=True
    )
    response = HttpResponse(text, content_type="application/x-yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sroi-project-{found.pk}.yaml"'
    return response


@guarded
@require_http_methods(["GET", "POST"])
def proxies(request: HttpRequest) -> HttpResponse:
    form = forms.ProxyForm(_data(request))
    saved, _ = _attempt(form, lambda data: services.add_proxy(request.user, **data))  # type: ignore[arg-type]
    if saved:
        return redirect("evidence:proxies")
    return render(
        request,
        "evidence/proxies.html",
        {"form": form, "proxies": selectors.proxies(), "shipped": selectors.shipped_proxies()},
    )


@guarded
@require_http_methods(["GET", "POST"])
def deflator(request: HttpRequest) -> HttpResponse:
    form = forms.DeflatorForm(_data(request))
    saved, _ = _attempt(
        form,
        lambda data: services.set_deflator(
            request.user,  # type: ignore[arg-type]
            series=services.parse_deflator(data["series"]),
            source=data["source"],
        ),
    )
    if saved:
        return redirect("evidence:deflator")
    return render(request, "evidence/deflator.html", {"form": form, "years": selectors.deflator()})


def _hours(value: Any) -> str:
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):,.2f}"
    return text.removesuffix(".00")


def _period(request: HttpRequest) -> tuple[forms.PeriodForm, dt.date, dt.date]:
    today = dt.date.today()
    # The financial year so far, as commissioners report it (1 April).
    year_start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    form = forms.PeriodForm(request.GET or None, initial={"start": year_start, "end": today})
    if request.GET and form.is_valid():
        return form, form.cleaned_data["start"] or year_start, form.cleaned_data["end"] or today
    return form, year_start, today


def _coproduction_rows(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "month": row.month,
            "organisation": row.organisation,
            "member_hours": _hours(row.member_hours),
            "staff_hours": None if row.staff_hours is None else _hours(row.staff_hours),
            "sessions": row.sessions,
            "unknown": row.sessions_without_staff_hours,
        }
        for row in selectors.coproduction(start, end)
    ]


def coproduction(request: HttpRequest) -> HttpResponse:
    period, start, end = _period(request)
    raw = selectors.coproduction(start, end)
    by_month: dict[dt.date, Fraction] = {}
    for row in raw:
        by_month[row.month] = by_month.get(row.month, Fraction(0)) + row.member_hours
    chart = bar_chart(
        [
            (f"{month:%B %Y}", hours, f"{_hours(hours)} h")
            for month, hours in sorted(by_month.items())
        ]
    )
    return render(
        request,
        "evidence/coproduction.html",
        {
            "period": period,
            "start": start,
            "end": end,
            "rows": _coproduction_rows(start, end),
            "chart": chart,
            "can_record": access.can_record_sessions(request.user),
        },
    )


coproduction = guarded(coproduction, access.can_record_sessions)


def coproduction_csv(request: HttpRequest) -> HttpResponse:
    _, start, end = _period(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coproduction-{start}-{end}.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(["month", "organisation", "member_hours", "staff_hours", "sessions"])
    for row in _coproduction_rows(start, end):
        writer.writerow(
            [
                f"{row['month']:%Y-%m}",
                row["organisation"],
                row["member_hours"].replace(",", ""),
                "not recorded"
                if row["staff_hours"] is None
                else row["staff_hours"].replace(",", ""),
                row["sessions"],
            ]
        )
    return response


coproduction_csv = guarded(coproduction_csv, access.can_record_sessions)


@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    form = forms.SessionForm(_data(request))
    saved, _ = _attempt(form, lambda data: services.record_session(request.user, **data))  # type: ignore[arg-type]
    if saved:
        return redirect("evidence:coproduction")
    return render(
        request,
        "evidence/form.html",
        {
            "form": form,
            "title": "Record a co-production session",
            "back": "evidence:coproduction",
            "intro": "Time members (people who use services, carers, residents) and staff spent "
            "designing or running something together.",
        },
    )


session_new = guarded(session_new, access.can_record_sessions)


def gap(request: HttpRequest) -> HttpResponse:
    """The gap in the market: public, because every figure is a count with small numbers hidden."""
    table = selectors.time_bank_gap()
    chosen = request.GET.get("neighbourhood", "")
    columns = [c for c in table.columns if not chosen or c == chosen]
    rows = [
        {
            "need": row,
            "cells": [(column, table.shown(row, column)) for column in columns],
            "total": table.shown(row, None),
        }
        for row in table.rows
    ]
    since = dt.date.today() - dt.timedelta(days=365)
    all_searches, hidden = selectors.search_gap(since)
    searches = [s for s in all_searches if not chosen or chosen in s.neighbourhoods]
    return render(
        request,
        "evidence/gap.html",
        {
            "rows": rows,
            "columns": columns,
            "all_columns": sorted(
                set(table.columns) | {n for g in all_searches for n in g.neighbourhoods}
            ),
            "chosen": chosen,
            "total": table.shown(None, None),
            "waiting_days": selectors.WAITING_DAYS,
            "searches": searches,
            "hidden_searches": hidden,
            "since": since,
        },
    )
