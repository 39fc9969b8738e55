"""Social prescribing pages: the link worker's caseload and referral page, the person's own
referrals (with withdraw), and the message back to the referrer as JSON and as a printable letter.
Every view and change of a person's referral is audited."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.services import record_audit
from connect import forms, selectors, services
from connect.models import OnwardReferral, Referral
from directory import referral_selectors


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "connect/not_allowed.html", status=403)


def _referral(referral_id: uuid.UUID) -> Referral:
    return get_object_or_404(
        Referral.objects.select_related("person", "referring_organisation"), pk=referral_id
    )


def _can_receive_summary(user: User, referral: Referral) -> bool:
    if services.is_link_worker(user):
        return True
    org = referral.referring_organisation
    return org is not None and services.can_refer_for(user, org)


def _audit_view(request: HttpRequest, referral: Referral, summary: str) -> None:
    record_audit(
        actor=request.user,  # type: ignore[arg-type]
        action="connect.referral.view",
        target=referral,
        subject=referral.person,
        summary=summary,
        request=request,
    )


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not services.is_link_worker(user):
        return _refused(request)
    rows = list(selectors.caseload(user))
    return render(request, "connect/caseload.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not services.is_link_worker(user):
        return _refused(request)
    item = _referral(referral_id)
    status_form = forms.StatusForm(prefix="status")
    consent_form = forms.ConsentForm(
        prefix="consent",
        initial={
            "share_back": item.consent_share_back,
            "onward": item.consent_onward,
            "outcomes": item.consent_outcomes,
        },
    )
    status = 200
    if request.method == "POST":
        if "status-status" in request.POST or "set_status" in request.POST:
            status_form = forms.StatusForm(request.POST, prefix="status")
            if status_form.is_valid():
                try:
                    services.set_status(
                        actor=user,
                        referral=item,
                        status=status_form.cleaned_data["status"],
                        on=status_form.cleaned_data["on"],
                        request=request,
                    )
                    return redirect("connect:referral", referral_id=item.pk)
                except services.ConnectError as err:
                    status_form.add_error(
                        err.field if err.field in ("status", "on") else None, err.message
                    )
        else:
            consent_form = forms.ConsentForm(request.POST, prefix="consent")
            if consent_form.is_valid():
                services.record_consent(
                    actor=user, referral=item, request=request, **consent_form.cleaned_data
                )
                return redirect("connect:referral", referral_id=item.pk)
        status = 400
    else:
        _audit_view(request, item, "Referral page viewed")
    onward = [(o, referral_selectors.service_name(o.service_id)) for o in item.onward.all()]
    return render(
        request,
        "connect/referral.html",
        {
            "item": item,
            "status_form": status_form,
            "consent_form": consent_form,
            "onward": onward,
            "form": status_form if status_form.errors else consent_form,
        },
        status=status,
    )


@login_required
def summary_json(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    item = _referral(referral_id)
    if not _can_receive_summary(request.user, item):  # type: ignore[arg-type]
        return JsonResponse(
            {"title": "Not allowed", "status": 403, "detail": "You cannot see this referral."},
            status=403,
            content_type="application/problem+json",
        )
    _audit_view(request, item, "Message back read as JSON")
    return JsonResponse(selectors.message_back(item))


@login_required
def letter(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    item = _referral(referral_id)
    if not _can_receive_summary(request.user, item):  # type: ignore[arg-type]
        return _refused(request)
    _audit_view(request, item, "Message back letter viewed")
    return render(request, "connect/letter.html", {"message": selectors.message_back(item)})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    rows = [
        (r, [(o, referral_selectors.service_name(o.service_id)) for o in r.onward.all()])
        for r in selectors.referrals_of(user)
    ]
    return render(request, "connect/mine.html", {"rows": rows})


@login_required
@require_POST
def withdraw(request: HttpRequest, onward_id: int) -> HttpResponse:
    onward = get_object_or_404(OnwardReferral.objects.select_related("referral"), pk=onward_id)
    if onward.referral.person_id != request.user.pk:
        return _refused(request)
    try:
        services.withdraw_onward(person=request.user, onward=onward, request=request)  # type: ignore[arg-type]
    except services.ConnectError as err:
        return render(request, "connect/not_allowed.html", {"message": err.message}, status=409)
    return redirect("connect:mine")


@login_required
@require_http_methods(["GET", "POST"])
def provider_inbox(request: HttpRequest) -> HttpResponse:
    """Onward referrals to the services of organisations the user belongs to, to accept or decline."""
    user: User = request.user  # type: ignore[assignment]
    rows = selectors.onward_for_service_member(user)
    form = forms.AnswerForm()
    status = 200
    if request.method == "POST":
        raw = request.POST.get("onward", "")
        onward = get_object_or_404(
            OnwardReferral.objects.select_related("referral"), pk=int(raw) if raw.isdigit() else 0
        )
        form = forms.AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.answer_onward(
                    actor=user,
                    onward=onward,
                    accept=form.cleaned_data["decision"] == "accept",
                    reason=form.cleaned_data["reason"],
                    decline_reason=form.cleaned_data["decline_reason"],
                    request=request,
                )
                return redirect("connect:provider_inbox")
            except services.ConnectError as err:
                field = err.field if err.field in ("reason", "decline_reason") else "decision"
                form.add_error(field, err.message)
        status = 400
    names = [(o, referral_selectors.service_name(o.service_id)) for o in rows]
    return render(
        request, "connect/provider_inbox.html", {"rows": names, "form": form}, status=status
    )
