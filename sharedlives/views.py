"""Shared Lives pages. Scheme workers: carers and their approval, referrals, the shortlist and
matches. The person: their matches and shortlist in easy read, saying yes or no, ending or asking
for a new match. The carer: matches proposed to their household, yes or no, ending.

Thin: each view parses a form, calls a service and shows a refusal on the field it names. Every
page that shows a person's or carer's record to a worker is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.http import signed_in_user
from accounts.models import AuditEvent, User
from accounts.services import record_audit
from rules.money import format_money
from rules.sharedlives.costs import costs_on
from rules.sharedlives.matching import why_this_order
from sharedlives import access, forms, selectors
from sharedlives.models import Carer, Match, Referral
from sharedlives.services import carers, introductions, matches, placements, referrals
from sharedlives.services._common import SharedLivesRefused
from wellbeing_hub.form_attempts import attempt


def _refused(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "sharedlives/not_allowed.html", {"message": message}, status=403)


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so it is checked), None otherwise."""
    return request.POST if request.method == "POST" else None


def _audit_view(request: HttpRequest, target: Any, subject: User, summary: str) -> None:
    record_audit(
        actor=signed_in_user(request),
        action=AuditEvent.Action.VIEW,
        target=target,
        subject=subject,
        summary=f"Shared Lives: {summary}",
        request=request,
    )


def _worker_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.is_scheme_worker(signed_in_user(request)):
            return _refused(request)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _find_account(form: django_forms.Form) -> User | None:
    email = form.cleaned_data["email"]
    found = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
    if len(found) != 1:
        form.add_error(
            "email", "There is no account with that email address: ask them to create one"
        )
        return None
    return found[0]


# --- scheme worker -------------------------------------------------------------------------------


@_worker_only
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    households = [
        {"carer": c, "gaps": selectors.approval_gaps(c, today), "spare": selectors.spare_places(c)}
        for c in selectors.carers()
    ]
    open_referrals = [
        {"referral": r, "missing": selectors.referral_missing(r)}
        for r in Referral.objects.exclude(status=Referral.Status.CLOSED).select_related("person")
    ]
    open_matches = selectors.open_matches()
    return render(
        request,
        "sharedlives/home.html",
        {"carers": households, "referrals": open_referrals, "matches": open_matches},
    )


@_worker_only
@require_http_methods(["GET", "POST"])
def carer_new(request: HttpRequest) -> HttpResponse:
    form = forms.NewCarerForm(
        _posted(request),
        initial={"places": 1, "step_free": "unknown", "pets": "unknown", "smoking": "unknown"},
    )
    if request.method == "POST" and form.is_valid():
        account = _find_account(form)
        adults = [line for line in form.cleaned_data["adults"].splitlines() if line.strip()]
        if account is not None and (
            created := attempt(
                form,
                lambda: carers.add_carer(
                    actor=signed_in_user(request),
                    user=account,
                    adults=adults,
                    request=request,
                    **form.facts(),
                ),
                refused=SharedLivesRefused,
            )
        ):
            return redirect("sharedlives:carer", carer_id=created.value.pk)
    status = 400 if form.errors else 200
    return render(
        request, "sharedlives/carer_form.html", {"form": form, "new": True}, status=status
    )


def _carer_initial(carer: Carer) -> dict[str, Any]:
    data: dict[str, Any] = {key: getattr(carer, key) for key in carers.CARER_FIELDS}
    for key in ("step_free", "pets", "smoking"):
        data[key] = forms.tri_initial(data[key])
    data["offers"] = carer.offers
    return data


@_worker_only
@require_http_methods(["GET", "POST"])
def carer_edit(request: HttpRequest, carer_id: int) -> HttpResponse:
    carer = get_object_or_404(Carer, pk=carer_id)
    form = forms.CarerForm(_posted(request), initial=_carer_initial(carer))
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: carers.update_carer(
                actor=signed_in_user(request), carer=carer, request=request, **form.facts()
            ),
            refused=SharedLivesRefused,
        )
    ):
        return redirect("sharedlives:carer", carer_id=carer.pk)
    status = 400 if form.errors else 200
    return render(
        request, "sharedlives/carer_form.html", {"form": form, "carer": carer}, status=status
    )


@_worker_only
@require_http_methods(["GET", "POST"])
def carer(request: HttpRequest, carer_id: int) -> HttpResponse:
    household = get_object_or_404(Carer.objects.select_related("user"), pk=carer_id)
    today = timezone.localdate()
    adults = [(str(a.pk), a.name) for a in household.adults.all()]
    check_form = forms.CheckForm(adults=adults, prefix="check")
    adult_form = forms.AdultForm(prefix="adult")
    approve_form = forms.ApproveForm(prefix="approve", initial={"on": today})
    withdraw_form = forms.ReasonForm(prefix="withdraw")
    actor = signed_in_user(request)
    if request.method == "POST":
        if "record_check" in request.POST:
            check_form = forms.CheckForm(request.POST, adults=adults, prefix="check")
            if check_form.is_valid():
                data = check_form.cleaned_data
                adult = household.adults.filter(pk=data["adult"]).first() if data["adult"] else None
                if attempt(
                    check_form,
                    lambda: carers.record_check(
                        actor=actor,
                        carer=household,
                        kind=data["kind"],
                        checked_on=data["checked_on"],
                        expires_on=data["expires_on"],
                        adult=adult,
                        note=data["note"],
                        request=request,
                    ),
                    refused=SharedLivesRefused,
                ):
                    return redirect("sharedlives:carer", carer_id=household.pk)
        elif "add_adult" in request.POST:
            adult_form = forms.AdultForm(request.POST, prefix="adult")
            if adult_form.is_valid() and attempt(
                adult_form,
                lambda: carers.add_adult(
                    actor=actor,
                    carer=household,
                    name=adult_form.cleaned_data["adult_name"],
                    request=request,
                ),
                refused=SharedLivesRefused,
            ):
                return redirect("sharedlives:carer", carer_id=household.pk)
        elif "approve" in request.POST:
            approve_form = forms.ApproveForm(request.POST, prefix="approve")
            if approve_form.is_valid() and attempt(
                approve_form,
                lambda: carers.approve_carer(
                    actor=actor,
                    carer=household,
                    on=approve_form.cleaned_data["on"],
                    request=request,
                ),
                refused=SharedLivesRefused,
            ):
                return redirect("sharedlives:carer", carer_id=household.pk)
        elif "withdraw" in request.POST:
            withdraw_form = forms.ReasonForm(request.POST, prefix="withdraw")
            withdraw_form.fields["reason"].required = True
            if withdraw_form.is_valid() and attempt(
                withdraw_form,
                lambda: carers.withdraw_carer(
                    actor=actor,
                    carer=household,
                    reason=withdraw_form.cleaned_data["reason"],
                    request=request,
                ),
                refused=SharedLivesRefused,
            ):
                return redirect("sharedlives:carer", carer_id=household.pk)
    else:
        _audit_view(request, household, household.user, "carer household viewed")
    failed = next(
        (f for f in (check_form, adult_form, approve_form, withdraw_form) if f.errors), None
    )
    return render(
        request,
        "sharedlives/carer.html",
        {
            "carer": household,
            "gaps": selectors.approval_gaps(household, today),
            "spare": selectors.spare_places(household),
            "checks": household.checks.select_related("adult"),
            "matches": selectors.matches_for_carer(household),
            "check_form": check_form,
            "adult_form": adult_form,
            "approve_form": approve_form,
            "withdraw_form": withdraw_form,
            "form": failed,
        },
        status=400 if failed else 200,
    )


def _referral_initial(referral: Referral) -> dict[str, Any]:
    data: dict[str, Any] = {key: getattr(referral, key) for key in referrals.REFERRAL_FIELDS}
    for key in ("needs_step_free", "needs_smoke_free", "allergic_to_pets"):
        data[key] = forms.tri_initial(data[key])
    return data


@_worker_only
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    form = forms.NewReferralForm(
        _posted(request),
        initial=dict.fromkeys(
            ("needs_step_free", "needs_smoke_free", "allergic_to_pets"), "unknown"
        ),
    )
    if request.method == "POST" and form.is_valid():
        person = _find_account(form)
        if person is not None and (
            made := attempt(
                form,
                lambda: referrals.make_referral(
                    actor=signed_in_user(request), person=person, request=request, **form.answers()
                ),
                refused=SharedLivesRefused,
            )
        ):
            return redirect("sharedlives:referral", referral_id=made.value.pk)
    status = 400 if form.errors else 200
    return render(
        request, "sharedlives/referral_form.html", {"form": form, "new": True}, status=status
    )


@_worker_only
@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, referral_id: int) -> HttpResponse:
    item = get_object_or_404(Referral.objects.select_related("person"), pk=referral_id)
    form = forms.ReferralForm(_posted(request), initial=_referral_initial(item))
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: referrals.update_referral(
                actor=signed_in_user(request), referral=item, request=request, **form.answers()
            ),
            refused=SharedLivesRefused,
        )
    ):
        return redirect("sharedlives:referral", referral_id=item.pk)
    status = 400 if form.errors else 200
    return render(
        request, "sharedlives/referral_form.html", {"form": form, "referral": item}, status=status
    )


@_worker_only
@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    item = get_object_or_404(Referral.objects.select_related("person"), pk=referral_id)
    close_form = forms.ReasonForm(request.POST if "close" in request.POST else None, prefix="close")
    close_form.fields["reason"].required = True
    close_form.fields["reason"].error_messages["required"] = "Enter why the referral is closing"
    if request.method == "POST" and close_form.is_valid():
        if attempt(
            close_form,
            lambda: referrals.close_referral(
                actor=signed_in_user(request),
                referral=item,
                reason=close_form.cleaned_data["reason"],
                request=request,
            ),
            refused=SharedLivesRefused,
        ):
            return redirect("sharedlives:referral", referral_id=item.pk)
    elif request.method == "GET":
        _audit_view(request, item, item.person, "referral viewed")
    return render(
        request,
        "sharedlives/referral.html",
        {
            "referral": item,
            "missing": selectors.referral_missing(item),
            "matches": item.matches.select_related("carer"),
            "form": close_form if close_form.errors else None,
            "close_form": close_form,
        },
        status=400 if close_form.errors else 200,
    )


@_worker_only
@require_http_methods(["GET", "POST"])
def shortlist(request: HttpRequest, referral_id: int) -> HttpResponse:
    """The ranked shortlist with reasons, the excluded carers with reasons, and a button to ask
    both sides about any carer on the list."""
    item = get_object_or_404(Referral.objects.select_related("person"), pk=referral_id)
    today = timezone.localdate()
    form = django_forms.Form(_posted(request))
    if request.method == "POST":
        raw = request.POST.get("carer", "")
        household = Carer.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if household is None:
            form.add_error(None, "Choose a carer household from the shortlist")
        elif proposed := attempt(
            form,
            lambda: matches.propose_match(
                actor=signed_in_user(request), referral=item, carer=household, request=request
            ),
            refused=SharedLivesRefused,
        ):
            return redirect("sharedlives:match", match_id=proposed.value.pk)
    else:
        _audit_view(request, item, item.person, "shortlist viewed")
    result = selectors.shortlist_for(item, today)
    return render(
        request,
        "sharedlives/shortlist.html",
        {
            "referral": item,
            "result": result,
            "missing": selectors.referral_missing(item),
            "order": why_this_order(),
            "form": form if form.errors else None,
            "errors": form.non_field_errors(),
        },
        status=400 if form.errors else 200,
    )


@_worker_only
@require_http_methods(["GET", "POST"])
def match(request: HttpRequest, match_id: int) -> HttpResponse:
    item = get_object_or_404(Match.objects.select_related("referral__person", "carer"), pk=match_id)
    actor = signed_in_user(request)
    started = item.started_on or timezone.localdate()
    defaults = costs_on(started)
    post = request.POST
    answer_form = forms.WorkerAnswerForm(post if "answer" in post else None, prefix="answer")
    event_form = forms.EventForm(post if "event" in post else None, prefix="event")
    place_form = forms.PlacementForm(
        post if "place" in post else None,
        prefix="place",
        initial={
            "weekly_cost": defaults.weekly_cost,
            "alternative_weekly_cost": defaults.alternative_weekly_cost,
        },
    )
    end_form = forms.WorkerEndForm(post if "end" in post else None, prefix="end")
    done = False
    if request.method == "POST":
        if answer_form.is_bound and answer_form.is_valid():
            d = answer_form.cleaned_data
            done = bool(
                attempt(
                    answer_form,
                    lambda: matches.answer(
                        actor=actor,
                        match=item,
                        side=d["side"],
                        agree=d["agree"] == "yes",
                        reason=d["reason"],
                        request=request,
                    ),
                    refused=SharedLivesRefused,
                )
            )
        elif event_form.is_bound and event_form.is_valid():
            d = event_form.cleaned_data
            done = bool(
                attempt(
                    event_form,
                    lambda: introductions.record_event(
                        actor=actor,
                        match=item,
                        kind=d["kind"],
                        on=d["on"],
                        until=d["until"],
                        note=d["note"],
                        request=request,
                    ),
                    refused=SharedLivesRefused,
                )
            )
        elif place_form.is_bound and place_form.is_valid():
            d = place_form.cleaned_data
            done = bool(
                attempt(
                    place_form,
                    lambda: placements.start_placement(
                        actor=actor,
                        match=item,
                        started_on=d["started_on"],
                        weekly_cost=d["weekly_cost"],
                        alternative_weekly_cost=d["alternative_weekly_cost"],
                        request=request,
                    ),
                    refused=SharedLivesRefused,
                )
            )
        elif end_form.is_bound and end_form.is_valid():
            d = end_form.cleaned_data
            done = bool(
                attempt(
                    end_form,
                    lambda: matches.end_match(
                        actor=actor,
                        match=item,
                        side=d["side"],
                        reason=d["reason"],
                        new_match_wanted=d["new_match"] == "yes",
                        request=request,
                    ),
                    refused=SharedLivesRefused,
                )
            )
        if done:
            return redirect("sharedlives:match", match_id=item.pk)
    else:
        _audit_view(request, item, item.referral.person, "match viewed")
    failed = next((f for f in (answer_form, event_form, place_form, end_form) if f.errors), None)
    return render(
        request,
        "sharedlives/match.html",
        {
            "match": item,
            "events": item.events.all(),
            "answer_form": answer_form,
            "event_form": event_form,
            "place_form": place_form,
            "end_form": end_form,
            "form": failed,
            "costs": _costs(item, defaults),
        },
        status=400 if failed else 200,
    )


def _costs(item: Match, defaults: Any) -> dict[str, str]:
    weekly = item.weekly_cost if item.weekly_cost is not None else defaults.weekly_cost
    other = (
        item.alternative_weekly_cost
        if item.alternative_weekly_cost is not None
        else defaults.alternative_weekly_cost
    )
    return {
        "weekly": format_money(weekly),
        "alternative": format_money(other),
        "alternative_name": defaults.alternative,
        "difference": (
            f"{format_money(other - weekly)} a week less"
            if other >= weekly
            else f"{format_money(weekly - other)} a week more"
        ),
        "recorded": "yes" if item.weekly_cost is not None else "",
    }


# --- the person and the carer --------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The person's own page in easy read: who is asking to meet them, their shortlist, and their
    Shared Lives home or breaks now."""
    user = signed_in_user(request)
    rows = []
    for item in selectors.referrals_of(user):
        theirs = list(item.matches.all())
        rows.append(
            {
                "referral": item,
                "asking": [
                    (m, selectors.easy_read_match(m))
                    for m in theirs
                    if m.stage == Match.Stage.PROPOSED
                ],
                "going": [
                    m
                    for m in theirs
                    if m.stage in (Match.Stage.AGREED, Match.Stage.INTRODUCED, Match.Stage.PLACED)
                ],
                "shortlist": (
                    selectors.easy_read_shortlist(item)
                    if item.status == Referral.Status.OPEN
                    else []
                ),
            }
        )
    return render(request, "sharedlives/mine.html", {"rows": rows})


@login_required
def carer_home(request: HttpRequest) -> HttpResponse:
    """The carer's page: matches proposed to their household and placements now."""
    user = signed_in_user(request)
    household = Carer.objects.filter(user=user).first()
    if household is None:
        return _refused(request, "This page is for Shared Lives carers.")
    theirs = list(selectors.matches_for_carer(household))
    return render(
        request,
        "sharedlives/carer_home.html",
        {
            "carer": household,
            "asking": [m for m in theirs if m.stage == Match.Stage.PROPOSED],
            "going": [m for m in theirs if m.is_open and m.stage != Match.Stage.PROPOSED],
            "ended": [m for m in theirs if not m.is_open],
        },
    )


def _side_for(user: User, item: Match) -> str | None:
    if access.is_the_person(user, item.referral):
        return Match.Side.PERSON
    if access.is_the_carer(user, item.carer):
        return Match.Side.CARER
    return None


def _back(side: str) -> str:
    return "sharedlives:mine" if side == Match.Side.PERSON else "sharedlives:carer_home"


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, match_id: int) -> HttpResponse:
    """The person or the carer says yes or no to meeting."""
    item = get_object_or_404(Match.objects.select_related("referral__person", "carer"), pk=match_id)
    side = _side_for(signed_in_user(request), item)
    if side is None:
        return _refused(request)
    form = forms.AnswerForm(_posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: matches.answer(
                actor=signed_in_user(request),
                match=item,
                side=side,
                agree=form.cleaned_data["agree"] == "yes",
                reason=form.cleaned_data["reason"],
                request=request,
            ),
            refused=SharedLivesRefused,
        )
    ):
        return redirect(_back(side))
    easy = selectors.easy_read_match(item) if side == Match.Side.PERSON else ()
    return render(
        request,
        "sharedlives/answer.html",
        {"match": item, "side": side, "form": form, "easy": easy, "back": _back(side)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def end(request: HttpRequest, match_id: int) -> HttpResponse:
    """The person or the carer ends a match, with a reason, and may ask for a new match."""
    item = get_object_or_404(Match.objects.select_related("referral__person", "carer"), pk=match_id)
    side = _side_for(signed_in_user(request), item)
    if side is None:
        return _refused(request)
    form = forms.EndForm(_posted(request))
    if side == Match.Side.CARER:
        form.fields[
            "new_match"
        ].label = "Would your household like to be matched with someone else?"
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: matches.end_match(
                actor=signed_in_user(request),
                match=item,
                side=side,
                reason=form.cleaned_data["reason"],
                new_match_wanted=form.cleaned_data["new_match"] == "yes",
                request=request,
            ),
            refused=SharedLivesRefused,
        )
    ):
        return redirect(_back(side))
    return render(
        request,
        "sharedlives/end.html",
        {"match": item, "side": side, "form": form, "back": _back(side)},
        status=400 if form.errors else 200,
    )
