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
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import signed_in_user
from evidence import access, feeds, forms, open_data, selectors, services, spreadsheet
from evidence.models import Project
from participation import selectors as participation_selectors
from participation import services as participation_services
from rules.money import format_money
from rules.sroi.calculate import CONVENTIONS, money, plain, ratio
from rules.sroi.portfolio import Portfolio
from rules.sroi.scenarios import SCENARIO_CONVENTION, Scenario, scenario
from wellbeing_hub.charts import bar_chart
from wellbeing_hub.form_attempts import attempt
from wellbeing_hub.spreadsheets import SafeCsvWriter


def guarded(
    view: Callable[..., HttpResponse], allowed: Callable[[Any], bool] = access.can_use
) -> Callable[..., HttpResponse]:
    """The view for people ``allowed`` (commissioners and administrators unless said), signed in;
    anyone else, or a service's :class:`access.NotAllowed`, gets the page saying who it is for."""

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


def _signed_money(value: Fraction) -> str:
    """A change in pounds, to the penny: "+£700.00", "-£500.00", "£0.00"."""
    shown = format_money(Decimal(money(value)))
    return f"+{shown}" if value > 0 and shown != "£0.00" else shown


def _label(sector: str) -> str:
    return forms.SECTOR_LABELS.get(sector, sector.capitalize())


def _matrix(book: Portfolio, scenario: Scenario | None = None) -> dict[str, Any]:
    """The who-invests-by-who-gains table as the page shows it; with a scenario, the changed
    matrix with each cell's change from the base beside it."""
    investing = scenario.investing if scenario else book.investing
    gaining = scenario.gaining if scenario else book.gaining

    def change(value: Fraction) -> str:
        return _signed_money(value) if value else "no change"

    return {
        "gaining": [_label(c) for c in gaining],
        "rows": [
            {
                "sector": _label(row),
                "cells": [
                    (
                        _label(col),
                        money(book.cells.get((row, col), Fraction(0))),
                        change(scenario.cell_change(row, col)) if scenario else "",
                    )
                    for col in gaining
                ],
                "total": money(book.row_total(row)),
                "invested": money(book.invested.get(row, Fraction(0))),
                "per_pound": ratio(book.per_pound(row)),
            }
            for row in investing
        ],
        "gained": [money(book.gained.get(c, Fraction(0))) for c in gaining],
        "total_value": money(book.total_value),
        "total_invested": money(book.total_invested),
        "by_kind": [
            (forms.SAVING_LABELS[k].split(" (")[0], money(v))
            for k, v in sorted(book.by_kind.items())
        ],
    }


@guarded
def home(request: HttpRequest) -> HttpResponse:
    reports = [selectors.report_for(p, sensitivity=False) for p in selectors.projects()]
    book = selectors.portfolio_of(reports)
    return render(
        request,
        "evidence/home.html",
        {"reports": reports, "matrix": _matrix(book) if book.investing else None},
    )


@guarded
def scenarios(request: HttpRequest) -> HttpResponse:
    """Vary each project's scale (or leave it out) and see the matrix recomputed."""
    reports = [
        r
        for r in (selectors.report_for(p, sensitivity=False) for p in selectors.projects())
        if r.result is not None
    ]
    form = forms.ScenarioForm(
        request.GET or None, [(r.project.pk, r.project.name) for r in reports]
    )
    results = [r.result for r in reports if r.result is not None]
    changed = None
    if form.is_bound and form.is_valid():
        chosen = scenario(
            results,
            {i: form.cleaned_data[f"scale-{r.project.pk}"] for i, r in enumerate(reports)},
        )
        changed = {
            "matrix": _matrix(chosen.changed, chosen),
            "value_change": _signed_money(chosen.value_change),
            "invested_change": _signed_money(chosen.invested_change),
            "scales": [
                (r.project.name, plain(s)) for r, s in zip(reports, chosen.scales, strict=True)
            ],
        }
    return render(
        request,
        "evidence/scenarios.html",
        {
            "form": form,
            "base": _matrix(selectors.portfolio_of(reports)) if reports else None,
            "changed": changed,
            "convention": SCENARIO_CONVENTION,
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
    if form.is_valid() and (
        made := attempt(
            form,
            lambda: services.create_project(signed_in_user(request), **form.cleaned_data),
            refused=services.EvidenceRefused,
        )
    ):
        return redirect("evidence:project", pk=made.value.pk)
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
    if form.is_valid() and attempt(
        form,
        lambda: services.add_input(signed_in_user(request), found, form.as_case_entry()),
        refused=services.EvidenceRefused,
        fields=form.refusal_fields,
    ):
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
    if form.is_valid() and attempt(
        form,
        lambda: services.add_time_bank_hours(signed_in_user(request), found, **form.cleaned_data),
        refused=services.EvidenceRefused,
    ):
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
    today = dt.date.today()
    if chosen.startswith(feeds.SHARED_LIVES_PREFIX):
        initial |= feeds.shared_lives_prefill(chosen, int(found.case["base_year"]), today) or {}
    supported = feeds.people_supported(today)
    if chosen == feeds.PEOPLE_SUPPORTED:
        initial |= feeds.people_supported_prefill(today) or {}
    form = forms.OutcomeForm(_data(request), initial=initial)
    if form.is_valid() and attempt(
        form,
        lambda: services.add_outcome(signed_in_user(request), found, form.cleaned_data),
        refused=services.EvidenceRefused,
    ):
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
            "shared_lives": feeds.shared_lives_savings(today),
            "supported": supported,
            "supported_key": feeds.PEOPLE_SUPPORTED,
        },
    )


@guarded
@require_POST
def item_remove(request: HttpRequest, pk: int, kind: str, item_id: str) -> HttpResponse:
    found = get_object_or_404(Project, pk=pk)
    # Already gone (a second click): the page shows what is there.
    with contextlib.suppress(services.EvidenceRefused):
        services.remove_item(signed_in_user(request), found, kind, item_id)
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
def download_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The same tables as the XLSX, in one CSV file."""
    found = get_object_or_404(Project, pk=pk)
    report = selectors.report_for(found)
    if report.data is None:
        return redirect("evidence:project", pk=found.pk)
    return _download(
        spreadsheet.csv_text(report.data), "text/csv; charset=utf-8", f"sroi-project-{found.pk}.csv"
    )


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
    if form.is_valid() and attempt(
        form,
        lambda: services.add_proxy(signed_in_user(request), **form.cleaned_data),
        refused=services.EvidenceRefused,
    ):
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
    if form.is_valid() and attempt(
        form,
        lambda: services.set_deflator(
            signed_in_user(request),
            series=services.parse_deflator(form.cleaned_data["series"]),
            source=form.cleaned_data["source"],
        ),
        refused=services.EvidenceRefused,
    ):
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
            "expert_hours": _hours(row.expert_hours) if row.expert_hours else "",
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
            "experts_counted": feeds.EXPERT_HOURS_COUNTED,
        },
    )


coproduction = guarded(coproduction, access.can_record_sessions)


def coproduction_csv(request: HttpRequest) -> HttpResponse:
    _, start, end = _period(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coproduction-{start}-{end}.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(
        [
            "month",
            "organisation",
            "member_hours",
            "staff_hours",
            "sessions",
            "of_member_hours_experts_by_experience",
        ]
    )
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
                row["expert_hours"].replace(",", "") or "0",
            ]
        )
    return response


coproduction_csv = guarded(coproduction_csv, access.can_record_sessions)


@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    form = forms.SessionForm(_data(request))
    if form.is_valid() and attempt(
        form,
        lambda: services.record_session(signed_in_user(request), **form.cleaned_data),
        refused=services.EvidenceRefused,
    ):
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


def _gap_rows(table: selectors.GapTable, columns: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "need": row,
            "cells": [(column, table.shown(row, column)) for column in columns],
            "total": table.shown(row, None),
        }
        for row in table.rows
    ]


def _gap_section(
    source: str, table: selectors.GapTable, chosen: str, may_offer: bool
) -> dict[str, Any]:
    columns = [c for c in table.columns if not chosen or c == chosen]
    return {
        "source": source,
        "columns": columns,
        "rows": _gap_rows(table, columns) if columns else [],
        "may_offer": may_offer,
    }


def gap(request: HttpRequest) -> HttpResponse:
    """The gap in the market: public, because every figure is a count with small numbers hidden."""
    found = selectors.gap_report()
    chosen = request.GET.get("neighbourhood", "")
    if chosen not in found.neighbourhoods:
        chosen = ""
    may_offer = participation_services.is_round_staff(request.user)
    declined_chart = bar_chart([(d.service_name, d.count, str(d.count)) for d in found.declined])
    return render(
        request,
        "evidence/gap.html",
        {
            "plans": _gap_section("plans", found.plans, chosen, may_offer),
            "time_bank": _gap_section("time-bank", found.time_bank, chosen, may_offer),
            "all_columns": found.neighbourhoods,
            "chosen": chosen,
            "waiting_days": selectors.WAITING_DAYS,
            "searches": [s for s in found.searches if not chosen or chosen in s.neighbourhoods],
            "hidden_searches": found.hidden_searches,
            "declined": found.declined,
            "declined_chart": declined_chart,
            "hidden_declined": found.hidden_declined,
            "since": found.since,
        },
    )


GAP_TABLE_TITLES = {
    "plans": "support plans recorded that the person could not find",
    "time-bank": "time-bank requests waited 14 days or more without help for",
}


def _theme_evidence(found: selectors.GapReport, source: str, need: str, where: str) -> str | None:
    """The words offered with a theme: the published count only (None if it is hidden)."""
    table = found.table(source)
    if table is None or need not in table.rows or (where and where not in table.columns):
        return None
    count = table.shown(need, where or None)
    if count is None or count == 0:
        return None
    place = f" in {where}" if where else " across the area"
    return (
        f"{count} {GAP_TABLE_TITLES[source]} {need.lower()}{place} (the gap in the market, "
        f"{found.today:%-d %B %Y})."
    )


@login_required
@require_http_methods(["GET", "POST"])
def gap_offer(request: HttpRequest) -> HttpResponse:
    """Offer a need from the gap in the market as a theme for a participatory budgeting round."""
    if not participation_services.is_round_staff(request.user):
        return render(
            request,
            "evidence/not_allowed.html",
            {"message": "Commissioners and coordinators offer themes to rounds."},
            status=403,
        )
    params = request.POST if request.method == "POST" else request.GET
    source, need, where = (params.get(k, "") for k in ("source", "need", "neighbourhood"))
    found = selectors.gap_report()
    evidence = _theme_evidence(found, source, need, where)
    if evidence is None:
        return render(
            request,
            "evidence/not_allowed.html",
            {"message": "That figure is hidden or not on the gap page, so it cannot be offered."},
            status=404,
        )
    rounds = [(str(r.pk), r.title) for r in participation_selectors.rounds_taking_themes()]
    form = forms.ThemeForm(
        _data(request),
        rounds,
        initial={"title": f"{need}{f' in {where}' if where else ''}", "evidence": evidence},
    )
    if request.method == "POST" and form.is_valid():
        chosen = (
            participation_selectors.rounds_taking_themes()
            .filter(pk=int(form.cleaned_data["round"]))
            .first()
        )
        try:
            if chosen is None:
                raise participation_services.ParticipationError(
                    "This round has stopped taking ideas: choose another", field="round"
                )
            theme = participation_services.offer_theme(
                actor=signed_in_user(request),
                round_=chosen,
                title=form.cleaned_data["title"],
                evidence=form.cleaned_data["evidence"],
            )
        except participation_services.ParticipationError as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            return redirect("participation:round", slug=theme.round.slug)
    return render(
        request,
        "evidence/theme_offer.html",
        {"form": form, "rounds": rounds, "source": source, "need": need, "where": where},
        status=400 if form.errors else 200,
    )


# --- open data (public: nothing personal) ---------------------------------------------------------


def _download(text: str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _portfolio_open_data() -> dict[str, Any]:
    reports = [selectors.report_for(p, sensitivity=False) for p in selectors.projects()]
    projects = [
        {
            "name": r.project.name,
            "total_inputs": r.data["total_inputs"],
            "present_value": r.data["present_value"],
            "ratio": r.data["ratio"],
        }
        for r in reports
        if r.data is not None
    ]
    return open_data.portfolio_data(
        projects,
        selectors.portfolio_of(reports),
        forms.SECTOR_LABELS,
        dt.date.today().isoformat(),
    )


def open_data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "evidence/open_data.html", {"licence": open_data.LICENCE})


def gap_csv(request: HttpRequest) -> HttpResponse:
    text = open_data.gap_csv(selectors.gap_report())
    return _download(text, "text/csv; charset=utf-8", "gap-in-the-market.csv")


def gap_json(request: HttpRequest) -> HttpResponse:
    return JsonResponse(open_data.gap_data(selectors.gap_report()))


def portfolio_csv(request: HttpRequest) -> HttpResponse:
    text = open_data.portfolio_csv(_portfolio_open_data())
    return _download(text, "text/csv; charset=utf-8", "portfolio.csv")


def portfolio_json(request: HttpRequest) -> HttpResponse:
    return JsonResponse(_portfolio_open_data())
