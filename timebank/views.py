"""The time bank's pages. Thin: parse the form, call a service or selector, render.

Every page that shows a member's record (their statement, their member page, a request with its
access needs) writes an audit record.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import signed_in_user
from accounts.models import AuditEvent
from accounts.services import record_audit
from directory import selectors as directory_selectors
from rules.ledger import format_minutes
from timebank import permissions, selectors
from timebank.forms import (
    AssignForm,
    CheckForm,
    CreditsForm,
    ExchangeForm,
    ImportForm,
    JoinForm,
    OfferForm,
    ReasonForm,
    RequestForm,
    RotaDateForm,
    RotaForm,
    RotaSwapForm,
)
from timebank.models import (
    AVAILABILITY_CHOICES,
    WEEKDAY_NAMES,
    ApiToken,
    Exchange,
    Member,
    Offer,
    Request,
    Rota,
    SafeguardingCheck,
)
from timebank.permissions import (
    is_coordinator,
    may_hold_api_token,
    may_revoke_token,
    may_see_exchange,
)
from timebank.services._common import DATE_RANGE_TEXT, TimebankRefused, date_in_range
from timebank.services.credits import issue_credits, redeem_credits
from timebank.services.exchanges import (
    confirm_exchange,
    decline_exchange,
    has_ended,
    propose_exchange,
    reverse_exchange,
)
from timebank.services.imports import import_exchanges, import_members
from timebank.services.ledger import default_debit_limit
from timebank.services.members import (
    apply_to_join,
    approve_member,
    decline_member,
    joining_credit_minutes,
    record_check,
)
from timebank.services.offers import create_offer, create_request, tell_coordinators_unmatched
from timebank.services.reminders import EXPIRY_WARNING_DAYS
from timebank.services.rotas import (
    answer_rota_swap,
    assign_to_rota,
    create_rota,
    give_back_rota_slot,
    offer_rota_slot,
    plan_for,
    record_rota_visit,
    take_rota_slot,
)
from timebank.services.tokens import api_token_days, issue_api_token, revoke_api_token
from wellbeing_hub.charts import bar_chart
from wellbeing_hub.spreadsheets import SafeCsvWriter


def _coordinator_only(request: HttpRequest) -> None:
    if not is_coordinator(request.user):
        raise PermissionDenied


def _approved_member(request: HttpRequest) -> Member:
    member = selectors.member_for(request.user)
    if member is None or not member.is_approved:
        raise PermissionDenied
    return member


def _pick(rows: models.Manager[Any] | models.QuerySet[Any], pk: str | None) -> Any:
    """The object with id ``pk`` (text from a form or the address) among ``rows`` (a model's
    manager, or a queryset from another app's selectors), or None: also for text that is not an
    id at all."""
    if not pk:
        return None
    text = str(pk)
    if not isinstance(rows.model._meta.pk, models.CharField):  # integer ids (members, requests)
        if not text.isascii() or not text.isdigit() or len(text) > 18:
            return None
        return rows.filter(pk=int(text)).first()
    # Text ids (the directory's taxonomy terms, HSDS ids).
    longest = rows.model._meta.pk.max_length
    if longest is not None and len(text) > longest:
        return None
    return rows.filter(pk=text).first()


def _refused(form: Any, error: TimebankRefused, default: str, **fields: str) -> None:
    """Show a refusal on the form field it is about (GOV.UK error pattern: every error in the
    summary links to its field): the service's ``field`` (through ``fields`` when the form calls
    it something else), or ``default``."""
    name = fields.get(error.field, error.field)
    form.add_error(name if name in form.fields else default, error.message)


def _audit_view(request: HttpRequest, target: Any, subject: Any, summary: str) -> None:
    record_audit(
        actor=signed_in_user(request),
        action=AuditEvent.Action.VIEW,
        target=target,
        subject=subject,
        summary=summary,
        request=request,
    )


# --- home and joining ----------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    member = selectors.member_for(request.user)
    context: dict[str, Any] = {
        "member": member,
        "coordinator": is_coordinator(request.user),
        "joining_credit": format_minutes(joining_credit_minutes()),
        "debit_limit": format_minutes(-default_debit_limit()),
    }
    if member is not None and member.is_approved:
        context["balance"] = selectors.balance_of(member)
        context["balance_text"] = format_minutes(context["balance"])
        context["waiting"] = selectors.waiting_for(member)
        context["my_requests"] = member.requests.filter(status=Request.Status.OPEN)
        context["my_offers"] = member.offers.filter(active=True).select_related("category")
        context["my_rotas"] = selectors.rotas_covered_by(member)
        context["coming"] = selectors.coming_for(member)
        context["rotas_for_me"] = Rota.objects.filter(receiver=member)
    if context["coordinator"]:
        context["applications"] = selectors.applications().count()
    return render(request, "timebank/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    if selectors.member_for(request.user) is not None:
        messages.info(request, "You have already applied to join the time bank.")
        return redirect("timebank:home")
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            apply_to_join(
                user=signed_in_user(request),
                kind=data["kind"],
                name=data["name"],
                neighbourhood=_pick(
                    directory_selectors.neighbourhoods(), data.get("neighbourhood")
                ),
                about=data["about"],
                access_needs=data["access_needs"],
                availability=data["availability"],
                request=request,
            )
        except TimebankRefused as error:
            _refused(form, error, "kind")
        else:
            messages.success(
                request, "Thank you. A coordinator will look at your application soon."
            )
            return redirect("timebank:home")
    return render(request, "timebank/join.html", {"form": form})


# --- offers and requests -------------------------------------------------------------------------


@login_required
def offers(request: HttpRequest) -> HttpResponse:
    viewer = _approved_member_or_coordinator(request)
    return render(
        request,
        "timebank/offers.html",
        {"offers": selectors.active_offers(), "viewer_id": getattr(viewer, "pk", None)},
    )


@login_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """What members see of another member: name, neighbourhood, what they could help with and
    their offers (never their access needs, email or balance), with ways to ask them."""
    viewer = _approved_member_or_coordinator(request)
    member = get_object_or_404(
        Member.objects.select_related("neighbourhood"), pk=pk, status=Member.Status.APPROVED
    )
    return render(
        request,
        "timebank/profile.html",
        {
            "member": member,
            "offers": member.offers.filter(active=True).select_related("category"),
            "own": viewer is not None and viewer.pk == member.pk,
            "may_record": viewer is not None and viewer.is_approved,
        },
    )


def _approved_member_or_coordinator(request: HttpRequest) -> Member | None:
    if is_coordinator(request.user):
        return selectors.member_for(request.user)
    return _approved_member(request)


@login_required
@require_http_methods(["GET", "POST"])
def offer_new(request: HttpRequest) -> HttpResponse:
    member = _approved_member(request)
    form = OfferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        create_offer(
            member=member,
            title=data["title"],
            category=_pick(directory_selectors.taxonomy_terms(), data["category"]),
            details=data["details"],
            neighbourhood=_pick(directory_selectors.neighbourhoods(), data.get("neighbourhood")),
        )
        messages.success(request, "Your offer has been added.")
        return redirect("timebank:home")
    return render(request, "timebank/offer_new.html", {"form": form})


@login_required
def requests_list(request: HttpRequest) -> HttpResponse:
    _approved_member_or_coordinator(request)
    return render(request, "timebank/requests.html", {"requests": selectors.open_requests()})


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    member = _approved_member(request)
    offer = _pick(Offer.objects, request.GET.get("offer") or request.POST.get("offer"))
    if offer is not None and (not offer.active or not offer.member.is_approved):
        offer = None
    initial = {}
    if offer is not None:
        initial = {
            "title": offer.title,
            "category": offer.category_id or "",
            "neighbourhood": str(member.neighbourhood_id or ""),
        }
    form = RequestForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        req = create_request(
            offer=offer,
            member=member,
            title=data["title"],
            category=_pick(directory_selectors.taxonomy_terms(), data["category"]),
            details=data["details"],
            access_needs=data["access_needs"],
            neighbourhood=_pick(directory_selectors.neighbourhoods(), data.get("neighbourhood")),
            times=data["times"],
            needs_check=data["needs_check"],
        )
        result = selectors.suggestions_for(req) if req.category_id else None
        if offer is None and (result is None or not result.suggestions):
            tell_coordinators_unmatched(req)
        messages.success(request, "Your request has been posted.")
        return redirect("timebank:request", req.pk)
    return render(request, "timebank/request_new.html", {"form": form, "offer": offer})


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _approved_member_or_coordinator(request)
    req = get_object_or_404(
        Request.objects.select_related("member__user", "category", "neighbourhood"), pk=pk
    )
    own = viewer is not None and req.member_id == viewer.pk
    can_match = own or is_coordinator(request.user)
    result = selectors.suggestions_for(req) if can_match and req.category_id else None
    _audit_view(request, req, req.member.user, "Viewed a time bank request")
    labels = dict(AVAILABILITY_CHOICES)
    return render(
        request,
        "timebank/request.html",
        {
            "req": req,
            "own": own,
            "can_match": can_match,
            "result": result,
            "times": [labels.get(code, code) for code in req.times],
            "viewer": viewer,
            "show_excluded": is_coordinator(request.user),
            "show_access_needs": selectors.can_see_access_needs(
                viewer, req, coordinator=is_coordinator(request.user)
            ),
        },
    )


# --- exchanges -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def exchange_new(request: HttpRequest) -> HttpResponse:
    member = _approved_member(request)
    others = [(m.pk, m.name) for m in selectors.approved_members().exclude(pk=member.pk)]
    asked = request.GET.get("request") or request.POST.get("request")
    req = _pick(Request.objects, asked)
    if asked and req is None:
        raise Http404("No such request")
    initial: dict[str, Any] = {}
    if request.GET.get("with"):
        initial["other"] = request.GET["with"]
    if request.GET.get("direction") in ("gave", "received"):
        initial["direction"] = request.GET["direction"]
    form = ExchangeForm(
        request.POST if request.method == "POST" else None, others=others, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        other = get_object_or_404(Member, pk=data["other"])
        giver, receiver = (member, other) if data["direction"] == "gave" else (other, member)
        start = timezone.make_aware(datetime.combine(data["day"], data["start"]))
        try:
            exchange = propose_exchange(
                by=signed_in_user(request),
                giver=giver,
                receiver=receiver,
                minutes=form.total_minutes,
                start=start,
                idempotency_key=f"web:{member.pk}:{data['key']}",
                description=data["description"],
                req=req,
                request=request,
            )
        except TimebankRefused as error:
            _refused(form, error, "other", start="day", giver="other", receiver="other")
        else:
            messages.success(
                request, f"Thank you. We have asked {other.name} to confirm the exchange."
            )
            return redirect("timebank:exchange", exchange.pk)
    return render(request, "timebank/exchange_new.html", {"form": form, "req": req})


def _exchange_for(request: HttpRequest, pk: int) -> Exchange:
    exchange = get_object_or_404(
        Exchange.objects.select_related("giver__user", "receiver__user", "category", "request"),
        pk=pk,
    )
    if not may_see_exchange(request.user, exchange):
        raise Http404("No such exchange")
    return exchange


@login_required
def exchange_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _exchange_page(request, _exchange_for(request, pk))


def _exchange_page(
    request: HttpRequest, exchange: Exchange, reason_form: ReasonForm | None = None
) -> HttpResponse:
    _audit_view(request, exchange, exchange.receiver.user, "Viewed a time bank exchange")
    planned = exchange.status == Exchange.Status.PROPOSED and not has_ended(
        exchange.start, exchange.minutes
    )
    can_confirm = (
        exchange.status == Exchange.Status.PROPOSED
        and not planned
        and (is_coordinator(request.user) or exchange.proposed_by_id != request.user.pk)
    )
    return render(
        request,
        "timebank/exchange.html",
        {
            "exchange": exchange,
            "time": format_minutes(exchange.minutes),
            "can_confirm": can_confirm,
            "planned": planned,
            "can_decline": exchange.status == Exchange.Status.PROPOSED,
            "can_reverse": is_coordinator(request.user)
            and exchange.status == Exchange.Status.CONFIRMED,
            # The parties (and coordinators) of an exchange that fulfils a request see the
            # requester's access needs while it is waiting or confirmed.
            "access_needs": exchange.request.access_needs
            if exchange.request is not None
            and exchange.request.member_id == exchange.receiver_id
            and exchange.status in (Exchange.Status.PROPOSED, Exchange.Status.CONFIRMED)
            else "",
            "reason_form": reason_form or ReasonForm(),
            "form": reason_form,  # the page title says "Error:" when it has errors
        },
        status=400 if reason_form is not None else 200,
    )


@login_required
@require_POST
def exchange_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = _exchange_for(request, pk)
    try:
        confirm_exchange(by=signed_in_user(request), exchange=exchange, request=request)
    except TimebankRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Exchange confirmed: {format_minutes(exchange.minutes)}.")
    return redirect("timebank:exchange", exchange.pk)


@login_required
@require_POST
def exchange_decline(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = _exchange_for(request, pk)
    try:
        decline_exchange(by=signed_in_user(request), exchange=exchange)
    except TimebankRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Exchange declined.")
    return redirect("timebank:exchange", exchange.pk)


@login_required
@require_POST
def exchange_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    _coordinator_only(request)
    exchange = _exchange_for(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _exchange_page(request, exchange, reason_form=form)
    try:
        reverse_exchange(
            coordinator=signed_in_user(request),
            exchange=exchange,
            reason=form.cleaned_data["reason"],
        )
    except TimebankRefused as error:
        _refused(form, error, "reason")
        return _exchange_page(request, exchange, reason_form=form)
    messages.success(request, "The exchange has been corrected with a reversal entry.")
    return redirect("timebank:exchange", exchange.pk)


# --- statements ----------------------------------------------------------------------------------


def _statement_page(request: HttpRequest, member: Member, own: bool) -> HttpResponse:
    stmt = selectors.statement_for(member)
    _audit_view(
        request,
        member,
        member.user,
        "Viewed their own time bank statement" if own else "Viewed a member's statement",
    )
    lines = [
        {
            "date": line.effective,
            "what": line.memo or line.kind,
            "kind": line.kind,
            "in": format_minutes(line.amount.units) if line.amount.units > 0 else "",
            "out": format_minutes(-line.amount.units) if line.amount.units < 0 else "",
            "balance": format_minutes(line.balance.units),
        }
        for line in reversed(stmt.lines)
    ]
    return render(
        request,
        "timebank/statement.html",
        {
            "member": member,
            "own": own,
            "lines": lines,
            "balance": format_minutes(selectors.balance_of(member)),
            "time_in": format_minutes(stmt.money_in.units),
            "time_out": format_minutes(stmt.money_out.units),
            "exchanges": selectors.exchanges_of(member)[:50],
        },
    )


@login_required
def my_statement(request: HttpRequest) -> HttpResponse:
    member = selectors.member_for(request.user)
    if member is None:
        return redirect("timebank:join")
    return _statement_page(request, member, own=True)


@login_required
def member_statement(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("user"), pk=pk)
    if member.user_id == request.user.pk:
        return _statement_page(request, member, own=True)
    _coordinator_only(request)
    return _statement_page(request, member, own=False)


# --- coordination --------------------------------------------------------------------------------


@login_required
def coordinator(request: HttpRequest) -> HttpResponse:
    _coordinator_only(request)
    today = timezone.localdate()
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    expiring = (
        SafeguardingCheck.objects.filter(expires_on__gte=today, expires_on__lte=soon)
        .select_related("member")
        .order_by("expires_on")
    )
    return render(
        request,
        "timebank/coordinator.html",
        {
            "applications": selectors.applications(),
            "members": selectors.approved_members(),
            "expiring": expiring,
        },
    )


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("user", "neighbourhood"), pk=pk)
    _coordinator_only(request)
    return _member_page(request, member)


def _member_page(
    request: HttpRequest, member: Member, decline_form: ReasonForm | None = None, status: int = 200
) -> HttpResponse:
    """A member's record for coordinators; an application is approved or declined from here, with
    every answer the coordinator is approving shown."""
    _audit_view(request, member, member.user, "Viewed a time bank member's record")
    labels = dict(AVAILABILITY_CHOICES)
    return render(
        request,
        "timebank/member.html",
        {
            "member": member,
            "checks": member.checks.all(),
            "offers": member.offers.select_related("category"),
            "availability": [labels.get(c, c) for c in member.availability],
            "balance": format_minutes(selectors.balance_of(member)),
            "decline_form": decline_form or ReasonForm(),
            "form": decline_form,  # the page title says "Error:" when it has errors
            "joining_credit": format_minutes(joining_credit_minutes()),
        },
        status=status,
    )


@login_required
@require_POST
def member_approve(request: HttpRequest, pk: int) -> HttpResponse:
    _coordinator_only(request)
    member = get_object_or_404(Member, pk=pk)
    try:
        approve_member(coordinator=signed_in_user(request), member=member, request=request)
    except TimebankRefused as error:
        messages.error(request, error.message)
        return redirect("timebank:member", member.pk)
    messages.success(request, f"{member.name} is now a member of the time bank.")
    return redirect("timebank:coordinator")


@login_required
@require_POST
def member_decline(request: HttpRequest, pk: int) -> HttpResponse:
    _coordinator_only(request)
    member = get_object_or_404(Member.objects.select_related("user", "neighbourhood"), pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            decline_member(
                coordinator=signed_in_user(request),
                member=member,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except TimebankRefused as error:
            _refused(form, error, "reason")
        else:
            messages.success(request, f"{member.name}'s application was not approved.")
            return redirect("timebank:coordinator")
    return _member_page(request, member, decline_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def check_new(request: HttpRequest, pk: int) -> HttpResponse:
    _coordinator_only(request)
    member = get_object_or_404(Member.objects.select_related("user"), pk=pk)
    form = CheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_check(
                coordinator=signed_in_user(request),
                member=member,
                kind=data["kind"],
                checked_on=data["checked_on"],
                expires_on=data["expires_on"],
                notes=data["notes"],
                request=request,
            )
        except TimebankRefused as error:
            _refused(form, error, "checked_on")
        else:
            messages.success(request, f"The check for {member.name} has been recorded.")
            return redirect("timebank:member", member.pk)
    return render(request, "timebank/check_new.html", {"form": form, "member": member})


# --- rotas ---------------------------------------------------------------------------------------


def _member_choices() -> list[tuple[int, str]]:
    return [(m.pk, m.name) for m in selectors.approved_members()]


def _rota_viewer(request: HttpRequest) -> tuple[Member | None, bool]:
    """Who may see rotas: coordinators and approved members (the member, and whether a
    coordinator); anyone else is refused."""
    coordinator = is_coordinator(request.user)
    member = selectors.member_for(request.user)
    if not coordinator and (member is None or not member.is_approved):
        raise PermissionDenied
    return member, coordinator


@login_required
def rotas(request: HttpRequest) -> HttpResponse:
    member, coordinator = _rota_viewer(request)
    rows = []
    for rota in selectors.rotas():
        plan = plan_for(rota)
        upcoming = [s for s in plan.gaps if s.day >= timezone.localdate()]
        rows.append(
            {
                "rota": rota,
                "gaps": len(upcoming),
                "slots": len(plan.slots),
                # Whom a rota helps is shown to coordinators, to that person and to its helpers.
                "receiver": rota.receiver.name
                if rota.receiver is not None
                and (
                    coordinator
                    or rota.receiver_id == getattr(member, "pk", None)
                    or selectors.on_rota(member, rota)
                )
                else "",
            }
        )
    return render(request, "timebank/rotas.html", {"rows": rows, "coordinator": coordinator})


@login_required
@require_http_methods(["GET", "POST"])
def rota_new(request: HttpRequest) -> HttpResponse:
    _coordinator_only(request)
    form = RotaForm(request.POST if request.method == "POST" else None, members=_member_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rota = create_rota(
                coordinator=signed_in_user(request),
                title=data["title"],
                weekday=data["weekday"],
                start_time=data["start_time"],
                duration_minutes=data["duration_minutes"],
                first_date=data["first_date"],
                end_date=data["end_date"],
                receiver=_pick(Member.objects, data.get("receiver")),
                remind_days_before=data["remind_days_before"] or 0,
            )
        except TimebankRefused as error:
            _refused(form, error, "first_date")
        else:
            messages.success(request, "The rota has been set up. Now add the members who cover it.")
            return redirect("timebank:rota", rota.pk)
    return render(request, "timebank/rota_new.html", {"form": form})


def _rota_page(
    request: HttpRequest,
    rota: Rota,
    member: Member | None,
    coordinator: bool,
    *,
    form: AssignForm | None = None,
    swap_form: RotaSwapForm | None = None,
    date_form: RotaDateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    now = timezone.now()
    show_all = request.GET.get("all") == "1"
    dates = selectors.rota_dates(rota)
    coming = [d for d in dates if d.start > now]
    shown = coming if show_all else coming[:12]
    me = getattr(member, "pk", None)
    helped = rota.receiver_id is not None and rota.receiver_id == me
    records = permissions.may_record_rota_visits(request.user, rota)
    # Dates that have started, newest first: the last eight weeks, or all of them.
    past = [d for d in reversed(dates) if d.start <= now and d.members]
    past = past if show_all else past[:8]
    if not records:  # a helper sees what was recorded for their own dates only
        past = [d for d in past if any(m.pk == me for m in d.members)]
    mine = [d for d in coming if any(m.pk == me for m in d.members)]
    if swap_form is None and mine:
        swap_form = RotaSwapForm(
            days=[(d.day.isoformat(), f"{d.day:%a %-d %b %Y}") for d in mine],
            members=[
                (pk, name) for pk, name in _member_choices() if pk not in (me, rota.receiver_id)
            ],
        )
    if rota.receiver is not None:
        _audit_view(request, rota, rota.receiver.user, "Viewed a rota")
    return render(
        request,
        "timebank/rota.html",
        {
            "rota": rota,
            "coordinator": coordinator,
            "show_receiver": coordinator or helped or selectors.on_rota(member, rota),
            "helped": helped,
            "records": records,
            "me": me,
            "form": form or AssignForm(members=_member_choices()),
            "swap_form": swap_form,
            "date_form": date_form,
            "slots": shown,
            "past": past,
            "more": len(coming) - len(shown),
            "gaps": [d for d in coming if d.is_gap],
            "covered": len([d for d in coming if not d.is_gap and d.day >= today]),
            "weekday": WEEKDAY_NAMES[rota.weekday],
            "assignments": rota.assignments.all(),
            "can_take": member is not None and member.is_approved and not helped,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rota_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member, coordinator = _rota_viewer(request)
    rota = get_object_or_404(selectors.rotas(), pk=pk)
    form = None
    if request.method == "POST":
        _coordinator_only(request)  # adding a member to the rota is the coordinator's
        form = AssignForm(request.POST, members=_member_choices())
        if form.is_valid():
            data = form.cleaned_data
            try:
                assign_to_rota(
                    coordinator=signed_in_user(request),
                    rota=rota,
                    member=get_object_or_404(Member, pk=data["member"]),
                    starting=data["starting"],
                    every_weeks=data["every_weeks"],
                    until=data["until"],
                )
            except TimebankRefused as error:
                _refused(form, error, "member")
            else:
                messages.success(request, "The member has been added to the rota.")
                return redirect("timebank:rota", rota.pk)
    return _rota_page(request, rota, member, coordinator, form=form)


ROTA_ACTIONS = ("take", "give-back", "accept", "decline", "done", "missed")


@login_required
@require_POST
def rota_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A button on one date: take it, give it back, accept or decline a swap, done or missed."""
    if action not in ROTA_ACTIONS:
        raise Http404("No such action")
    member, coordinator = _rota_viewer(request)
    rota = get_object_or_404(selectors.rotas(), pk=pk)
    form = RotaDateForm(request.POST)
    if not form.is_valid():
        return _rota_page(request, rota, member, coordinator, date_form=form, status=400)
    day = form.cleaned_data["day"]
    user = signed_in_user(request)
    try:
        if action == "take":
            take_rota_slot(by=user, rota=rota, day=day)
            done = f"You are down for {day:%-d %B %Y}. Thank you."
        elif action == "give-back":
            give_back_rota_slot(by=user, rota=rota, day=day)
            done = f"You have given back {day:%-d %B %Y}."
        elif action in ("accept", "decline"):
            answer_rota_swap(by=user, rota=rota, day=day, accept=action == "accept")
            done = (
                f"You are down for {day:%-d %B %Y}. Thank you."
                if action == "accept"
                else "You have said no. They keep the date."
            )
        else:
            helper = _pick(Member.objects, str(form.cleaned_data["member"] or ""))
            if helper is None:
                form.add_error("member", "Choose a member of the rota")
                return _rota_page(request, rota, member, coordinator, date_form=form, status=400)
            visit = record_rota_visit(
                by=user,
                rota=rota,
                day=day,
                member=helper,
                done=action == "done",
            )
            done = (
                f"{helper.name}'s visit on {day:%-d %B %Y} is recorded as done: "
                f"{format_minutes(rota.duration_minutes)} credited."
                if visit.outcome == "done"
                else f"{helper.name}'s visit on {day:%-d %B %Y} is recorded as missed."
            )
    except TimebankRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("timebank:rota", rota.pk)


@login_required
@require_POST
def rota_swap(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask another member to take one of your dates (it is theirs once they accept)."""
    member, coordinator = _rota_viewer(request)
    rota = get_object_or_404(selectors.rotas(), pk=pk)
    me = getattr(member, "pk", None)
    now = timezone.now()
    mine = [
        d
        for d in selectors.rota_dates(rota)
        if d.start > now and any(m.pk == me for m in d.members)
    ]
    form = RotaSwapForm(
        request.POST,
        days=[(d.day.isoformat(), f"{d.day:%a %-d %b %Y}") for d in mine],
        members=[(pk_, n) for pk_, n in _member_choices() if pk_ not in (me, rota.receiver_id)],
    )
    if not form.is_valid():
        return _rota_page(request, rota, member, coordinator, swap_form=form, status=400)
    other = get_object_or_404(Member, pk=int(form.cleaned_data["member"]))
    day = date.fromisoformat(form.cleaned_data["day"])
    try:
        offer_rota_slot(by=signed_in_user(request), rota=rota, day=day, to=other)
    except TimebankRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"We have asked {other.name} to take {day:%-d %B %Y}. It is yours until then."
        )
    return redirect("timebank:rota", rota.pk)


# --- reports -------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[date | None, date | None, str | None]:
    start, end, error, _ = _period_and_field(request)
    return start, end, error


def _period_and_field(
    request: HttpRequest,
) -> tuple[date | None, date | None, str | None, str]:
    """The report period from ``from`` and ``to``, or an error and the field it is about."""
    days: dict[str, date | None] = {"from": None, "to": None}
    for name, what in (("from", "the start"), ("to", "the end")):
        text = request.GET.get(name, "")
        if not text:
            continue
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None, None, f"Enter {what} as YYYY-MM-DD, for example 2026-01-31", name
        if not date_in_range(day):
            return None, None, f"Enter {what} {DATE_RANGE_TEXT}", name
        days[name] = day
    start, end = days["from"], days["to"]
    if start and end and end < start:
        return None, None, "The end of the period must be after its start", "to"
    return start, end, None, ""


def _bars(rows: list[tuple[str, int]]) -> dict[str, Any]:
    """Minutes as the shared bar chart's rows (``wellbeing_hub.charts``), shown as hours and
    minutes beside each bar and in the table."""
    return bar_chart([(label, minutes, format_minutes(minutes)) for label, minutes in rows])


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    if not permissions.may_read_reports(request.user):
        raise PermissionDenied
    start, end, error, error_field = _period_and_field(request)
    data = selectors.report(start, end)
    months = [(m.month.strftime("%b %Y"), m.minutes) for m in data.months]
    return render(
        request,
        "timebank/reports.html",
        {
            "error": error,
            "error_field": error_field,
            "period_fields": [("from", "From (YYYY-MM-DD)"), ("to", "To (YYYY-MM-DD)")],
            "report": data,
            "total": format_minutes(data.total_minutes),
            "months_chart": _bars(months),
            "category_chart": _bars(list(data.by_category.items())),
            "neighbourhood_chart": _bars(list(data.by_neighbourhood.items())),
            "credits_chart": _bars(
                [("Issued by organisations", data.credits.issued), ("Spent", data.credits.spent)]
            ),
            "credits_issued": format_minutes(data.credits.issued),
            "credits_spent": format_minutes(data.credits.spent),
            "credits_by_organisation": [
                (name, format_minutes(issued), format_minutes(spent))
                for name, issued, spent in data.credits.by_organisation
            ],
            "reciprocity_share": f"{data.reciprocity.share:.0%}",
            # The ledger check names accounts and memos: coordinators only.
            "ledger_problems": selectors.ledger_problems()
            if permissions.is_coordinator(request.user)
            else [],
            "show_ledger_check": permissions.is_coordinator(request.user),
            "query": request.GET.urlencode(),
        },
        status=400 if error else 200,
    )


@login_required
def reports_csv(request: HttpRequest) -> HttpResponse:
    if not permissions.may_read_reports(request.user):
        raise PermissionDenied
    start, end, error = _period(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain")
    data = selectors.report(start, end)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="time-bank-report.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(["section", "label", "minutes", "hours"])
    for m in data.months:
        writer.writerow(["month", m.month.isoformat()[:7], m.minutes, f"{m.minutes / 60:.2f}"])
    for label, minutes in data.by_category.items():
        writer.writerow(["category", label, minutes, f"{minutes / 60:.2f}"])
    for label, minutes in data.by_neighbourhood.items():
        writer.writerow(["neighbourhood", label, minutes, f"{minutes / 60:.2f}"])
    c = data.credits
    writer.writerow(["time credits", "issued", c.issued, f"{c.issued / 60:.2f}"])
    writer.writerow(["time credits", "spent", c.spent, f"{c.spent / 60:.2f}"])
    writer.writerow(["time credits", "times issued", c.issues, ""])
    writer.writerow(["time credits", "times spent", c.redemptions, ""])
    for name, issued, spent in c.by_organisation:
        writer.writerow(["credits issued by", name, issued, f"{issued / 60:.2f}"])
        writer.writerow(["credits spent at", name, spent, f"{spent / 60:.2f}"])
    r = data.reciprocity
    writer.writerow(["members", "active", r.active, ""])
    writer.writerow(["members", "gave and received", r.gave_and_received, ""])
    writer.writerow(["members", "gave only", r.gave_only, ""])
    writer.writerow(["members", "received only", r.received_only, ""])
    writer.writerow(["members", "reciprocity share", f"{r.share:.4f}", ""])
    record_audit(
        actor=signed_in_user(request),
        action=AuditEvent.Action.EXPORT,
        object_type="timebank.report",
        summary="Downloaded the time bank report as CSV",
        request=request,
    )
    return response


# --- imports and time credits --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_csv(request: HttpRequest) -> HttpResponse:
    _coordinator_only(request)
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            form.add_error("file", "The file must be smaller than 5 MB")
        else:
            handler = import_members if form.cleaned_data["what"] == "members" else import_exchanges
            result = handler(coordinator=signed_in_user(request), data=upload.read())
    return render(request, "timebank/import.html", {"form": form, "result": result})


@login_required
@require_http_methods(["GET", "POST"])
def credits(request: HttpRequest, action: str) -> HttpResponse:
    """``issue``: an organisation thanks a member; ``spend``: a member spends at a partner."""
    member = _approved_member(request)
    issue = action == "issue"
    if issue and not member.is_organisation:
        raise PermissionDenied
    approved = selectors.approved_members().exclude(pk=member.pk)
    choices = [(m.pk, m.name) for m in approved if issue or m.kind != Member.Kind.PERSON]
    form = CreditsForm(
        request.POST or None,
        members=choices,
        member_label="Who are you thanking?" if issue else "Where are you spending them?",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        other = get_object_or_404(Member, pk=data["member"])
        minutes = data["hours"] * 60 + data["minutes"]
        try:
            if issue:
                issue_credits(
                    by=signed_in_user(request),
                    organisation=member,
                    member=other,
                    minutes=minutes,
                    reason=data["reason"],
                    idempotency_key=f"{member.pk}:{data['key']}",
                )
            else:
                redeem_credits(
                    by=signed_in_user(request),
                    member=member,
                    partner=other,
                    minutes=minutes,
                    activity=data["reason"],
                    idempotency_key=f"{member.pk}:{data['key']}",
                )
        except TimebankRefused as error:
            _refused(form, error, "member", minutes="hours")
        else:
            messages.success(request, f"{format_minutes(minutes)} recorded.")
            return redirect("timebank:statement")
    return render(request, "timebank/credits.html", {"form": form, "issue": issue})


# --- API tokens ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """A person's API tokens (made, last used, expires; revoke), and for coordinators everyone's.

    A new token is shown once, on the page that made it; only its hash is kept.
    """
    coordinator = is_coordinator(request.user)
    may_create = may_hold_api_token(request.user)
    new_token = None
    if request.method == "POST":
        if not may_create:
            raise PermissionDenied
        new_token = issue_api_token(user=signed_in_user(request), request=request)
    now = timezone.now()
    own = [
        {"token": t, "state": t.state(now)}
        for t in ApiToken.objects.filter(user=signed_in_user(request))
    ]
    others = None
    if coordinator:
        others = [
            {"token": t, "state": t.state(now)}
            for t in ApiToken.objects.exclude(user=signed_in_user(request))
            .filter(revoked_at__isnull=True, expires_at__gt=now)
            .select_related("user")
        ]
        record_audit(
            actor=signed_in_user(request),
            action=AuditEvent.Action.VIEW,
            object_type="timebank.apitoken",
            summary="Viewed everyone's time bank API tokens",
            request=request,
        )
    return render(
        request,
        "timebank/tokens.html",
        {
            "own": own,
            "others": others,
            "new_token": new_token,
            "may_create": may_create,
            "days": api_token_days(),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk).first()
    if token is None or not may_revoke_token(request.user, token):
        raise Http404("No such token")
    revoke_api_token(by=signed_in_user(request), token=token, request=request)
    messages.success(request, "The token has been revoked. It no longer works.")
    return redirect("timebank:tokens")
