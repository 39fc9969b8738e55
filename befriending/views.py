"""Befriending and peer support pages. Thin: each parses a form, calls a service or selector, and
renders. A refusal from a service is shown on the field it names (GOV.UK error pattern). Every
view of a person's request or match is audited."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import signed_in_user
from accounts.models import AuditEvent, User
from accounts.services import record_audit
from befriending import access, forms, selectors
from befriending.models import Contact, Match, PeerGroup, Request, Volunteer, words
from befriending.services import befriender_requests, contacts, matches, peer_groups, volunteers
from befriending.services._common import BefriendingRefused
from rules.befriending.matching import TIMES
from wellbeing_hub.form_attempts import attempt


def _not_allowed(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "befriending/not_allowed.html", {"message": message}, status=403)


def _audit_view(request: HttpRequest, target: Any, subject: User | None, summary: str) -> None:
    record_audit(
        actor=signed_in_user(request),
        action=AuditEvent.Action.VIEW,
        target=target,
        subject=subject,
        summary=summary,
        request=request,
    )


def home(request: HttpRequest) -> HttpResponse:
    """What befriending is, and, signed in, the person's own requests, matches and groups."""
    user = request.user
    context: dict[str, Any] = {
        "groups": selectors.groups(),
        "is_coordinator": access.is_coordinator(user),
    }
    if user.is_authenticated:
        context["requests"] = selectors.requests_of(user)
        context["matches"] = list(selectors.matches_of(user))
        context["volunteer"] = selectors.volunteer_of(user)
    return render(request, "befriending/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_apply(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if selectors.volunteer_of(user) is not None:
        return redirect("befriending:home")
    form = forms.VolunteerForm(request.POST or None, initial={"name": user.get_full_name()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            form,
            lambda: volunteers.apply_to_volunteer(
                user=user,
                name=d["name"],
                about=d["about"],
                interests=forms.split(d["interests"]),
                languages=forms.split(d["languages"]),
                places=forms.split(d["places"]),
                times=d["times"],
                gender=d["gender"],
                capacity=d["capacity"],
                request=request,
            ),
            refused=BefriendingRefused,
        )
        if done is not None:
            return redirect("befriending:home")
    return render(
        request,
        "befriending/form.html",
        {
            "form": form,
            "title": "Volunteer as a befriender",
            "intro": "Befrienders visit or call someone who would like company, usually for an "
            "hour a week. Before you meet anyone we need an enhanced DBS check, two references "
            "and our befriending training.",
            "button": "Send",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            form,
            lambda: befriender_requests.ask_for_befriender(
                actor=user,
                about=d["about"],
                interests=forms.split(d["interests"]),
                languages=forms.split(d["languages"]),
                times=d["times"],
                place=d["place"],
                gender_preference=d["gender_preference"],
                request=request,
            ),
            refused=BefriendingRefused,
        )
        if done is not None:
            return redirect("befriending:home")
    return render(
        request,
        "befriending/form.html",
        {
            "form": form,
            "title": "Ask for a befriender",
            "intro": "A befriender is a volunteer who visits or calls you for a chat, usually "
            "once a week. We will talk to you before we suggest anyone, and nothing starts "
            "until you say yes.",
            "button": "Send",
        },
        status=400 if form.errors else 200,
    )


# --- the coordinator's pages ----------------------------------------------------------------


@login_required
def coordinate(request: HttpRequest) -> HttpResponse:
    if not access.is_coordinator(request.user):
        return _not_allowed(request)
    today = timezone.localdate()
    befrienders = [
        (v, selectors.befriender_gaps(v, today))
        for v in Volunteer.objects.prefetch_related("checks").order_by("status", "name", "pk")
    ]
    return render(
        request,
        "befriending/coordinate.html",
        {
            "waiting": selectors.waiting_requests(),
            "proposed": selectors.proposed_matches(),
            "active": selectors.active_matches(),
            "paused": selectors.paused_matches(today),
            "concerns": selectors.unread_concerns(),
            "expiring": selectors.checks_expiring(today),
            "volunteers": befrienders,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not access.is_coordinator(user):
        return _not_allowed(request)
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = User.objects.filter(
            Q(username__iexact=d["username"]) | Q(email__iexact=d["username"]), is_active=True
        ).first()
        if person is None:
            form.add_error(
                "username",
                "No account has that username or email address: check it with the person",
            )
        else:
            done = attempt(
                form,
                lambda: befriender_requests.ask_for_befriender(
                    actor=user,
                    person=person,
                    referrer=d["referrer"],
                    about=d["about"],
                    interests=forms.split(d["interests"]),
                    languages=forms.split(d["languages"]),
                    times=d["times"],
                    place=d["place"],
                    gender_preference=d["gender_preference"],
                    request=request,
                ),
                refused=BefriendingRefused,
            )
            if done is not None:
                return redirect("befriending:request", pk=done.value.pk)
    return render(
        request,
        "befriending/form.html",
        {"form": form, "title": "Record a referral for a befriender", "button": "Save referral"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer(request: HttpRequest, pk: int) -> HttpResponse:
    """A volunteer's record: their checks, what is missing, and recording a new check."""
    user = signed_in_user(request)
    if not access.is_coordinator(user):
        return _not_allowed(request)
    item = get_object_or_404(Volunteer, pk=pk)
    form = forms.CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            form,
            lambda: volunteers.record_check(
                actor=user,
                volunteer=item,
                kind=d["kind"],
                checked_on=d["checked_on"],
                expires_on=d["expires_on"],
                note=d["note"],
                request=request,
            ),
            refused=BefriendingRefused,
        )
        if done is not None:
            return redirect("befriending:volunteer", pk=item.pk)
    if request.method == "GET":
        _audit_view(request, item, item.user, "Befriending: volunteer record viewed")
    today = timezone.localdate()
    return render(
        request,
        "befriending/volunteer.html",
        {
            "item": item,
            "form": form,
            "gaps": selectors.befriender_gaps(item, today),
            "lead_gaps": selectors.peer_lead_gaps(item, today),
            "times": [TIMES[t] for t in words(item.times) if t in TIMES],
            "matches": item.matches.select_related("request").order_by("-proposed_on"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's request: what they'd like, the shortlist with reasons, and proposing a match."""
    user = signed_in_user(request)
    if not access.is_coordinator(user):
        return _not_allowed(request)
    item = get_object_or_404(Request, pk=pk)
    form = forms.ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: matches.propose_match(
                actor=user, request_=item, volunteer=form.cleaned_data["volunteer"], request=request
            ),
            refused=BefriendingRefused,
        )
        if done is not None:
            return redirect("befriending:match", pk=done.value.pk)
    if request.method == "GET":
        _audit_view(request, item, item.person, "Befriending: request viewed")
    return render(
        request,
        "befriending/request.html",
        {
            "item": item,
            "form": form,
            "shortlist": selectors.shortlist(item, timezone.localdate()),
            "times": [TIMES[t] for t in words(item.times) if t in TIMES],
            "matches": item.matches.select_related("volunteer").order_by("-proposed_on"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def concern_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    if not access.is_coordinator(user):
        return _not_allowed(request)
    contact = get_object_or_404(Contact.objects.select_related("match__request"), pk=pk)
    try:
        contacts.mark_concern_read(actor=user, contact=contact, request=request)
    except BefriendingRefused as err:
        return _not_allowed(request, err.message)
    return redirect("befriending:match", pk=contact.match_id)


# --- a match --------------------------------------------------------------------------------


def _match(pk: int) -> Match:
    return get_object_or_404(
        Match.objects.select_related("request__person", "volunteer__user"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def match(request: HttpRequest, pk: int) -> HttpResponse:
    """The match: who, where it is up to, agreeing, the contact log and ending."""
    user = signed_in_user(request)
    item = _match(pk)
    if not access.may_see_match(user, item):
        return _not_allowed(request)
    side = access.side_of(user, item)
    agree_form = forms.AgreeForm(prefix="agree")
    contact_form = forms.ContactForm(prefix="contact", initial={"on": timezone.localdate()})
    feedback_form = forms.FeedbackForm(prefix="feedback")
    form: django_forms.Form = contact_form
    if request.method == "POST":
        if "agree" in request.POST:
            # A coordinator says whose yes they record; a side just presses the button.
            if side == "coordinator":
                agree_form = forms.AgreeForm(request.POST, prefix="agree")
                form = agree_form
            else:
                form = django_forms.Form({})
            if form.is_valid():
                chosen = form.cleaned_data.get("side")
                done = attempt(
                    form,
                    lambda: matches.agree(actor=user, match=item, side=chosen, request=request),
                    refused=BefriendingRefused,
                )
                if done is not None:
                    return redirect("befriending:match", pk=item.pk)
        elif "decline" in request.POST:
            decline = forms.DeclineForm(request.POST)
            decline.is_valid()
            form = decline
            done = attempt(
                form,
                lambda: matches.end_match(
                    actor=user,
                    match=item,
                    reason=Match.EndReason.DECLINED,
                    details=decline.cleaned_data.get("details", ""),
                    request=request,
                ),
                refused=BefriendingRefused,
            )
            if done is not None:
                return redirect("befriending:match", pk=item.pk)
        elif "feedback" in request.POST:
            feedback_form = forms.FeedbackForm(request.POST, prefix="feedback")
            form = feedback_form
            if feedback_form.is_valid():
                done = attempt(
                    form,
                    lambda: matches.add_feedback(
                        actor=user,
                        match=item,
                        feedback=feedback_form.cleaned_data["feedback"],
                        request=request,
                    ),
                    refused=BefriendingRefused,
                )
                if done is not None:
                    return redirect("befriending:match", pk=item.pk)
        else:
            contact_form = forms.ContactForm(request.POST, prefix="contact")
            form = contact_form
            if contact_form.is_valid():
                d = contact_form.cleaned_data
                logged = attempt(
                    form,
                    lambda: contacts.log_contact(
                        actor=user,
                        match=item,
                        on=d["on"],
                        how=d["how"],
                        minutes=d["minutes"],
                        notes=d["notes"],
                        concern=d["concern"],
                        request=request,
                    ),
                    refused=BefriendingRefused,
                )
                if logged is not None:
                    return redirect("befriending:match", pk=item.pk)
    else:
        _audit_view(request, item, item.request.person, "Befriending: match viewed")
    today = timezone.localdate()
    gaps = selectors.befriender_gaps(item.volunteer, today)
    own_feedback = {"person": item.person_feedback, "volunteer": item.volunteer_feedback}.get(side)
    return render(
        request,
        "befriending/match.html",
        {
            "item": item,
            "side": side,
            "form": form,
            "agree_form": agree_form,
            "contact_form": contact_form,
            "feedback_form": feedback_form,
            "gaps": gaps,
            "contacts": item.contacts.all(),
            "may_log": access.may_log_contact(user, item)
            and (
                item.stage == Match.Stage.ACTIVE
                or (
                    item.stage == Match.Stage.ENDED
                    and item.last_meeting_on is not None
                    and item.started_on
                )
            ),
            "may_add_feedback": item.stage == Match.Stage.ENDED
            and side in ("person", "volunteer")
            and not own_feedback,
            "is_coordinator": side == "coordinator",
            "ending": item.stage == Match.Stage.ENDED
            and item.last_meeting_on is not None
            and item.last_meeting_on >= today,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def end(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    item = _match(pk)
    if not access.may_see_match(user, item):
        return _not_allowed(request)
    if item.stage != Match.Stage.ACTIVE:
        return redirect("befriending:match", pk=item.pk)
    form = forms.EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            form,
            lambda: matches.end_match(
                actor=user,
                match=item,
                reason=d["reason"],
                details=d["details"],
                last_meeting_on=d["last_meeting_on"],
                feedback=d["feedback"],
                new_befriender_wanted=d["new_befriender_wanted"],
                request=request,
            ),
            refused=BefriendingRefused,
        )
        if done is not None:
            return redirect("befriending:match", pk=item.pk)
    return render(
        request,
        "befriending/end.html",
        {"form": form, "item": item},
        status=400 if form.errors else 200,
    )


# --- peer groups ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not access.is_coordinator(user):
        return _not_allowed(request)
    form = forms.GroupForm(
        request.POST or None, initial={"service_id": request.GET.get("service", "")}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            form,
            lambda: peer_groups.create_group(
                actor=user,
                name=d["name"],
                service_id=d["service_id"],
                about=d["about"],
                request=request,
            ),
            refused=BefriendingRefused,
        )
        if done is not None:
            return redirect("befriending:group", pk=done.value.pk)
    return render(
        request,
        "befriending/form.html",
        {"form": form, "title": "Set up a peer support group", "button": "Save group"},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def group(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PeerGroup.objects.select_related("lead"), pk=pk)
    user = request.user
    coordinator = access.is_coordinator(user)
    lead_form = forms.LeadForm(initial={"lead": item.lead_id})
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"/account/sign-in/?next={request.path}")
        try:
            if "join" in request.POST:
                peer_groups.join_group(person=user, group=item, request=request)
            elif "leave" in request.POST:
                peer_groups.leave_group(person=user, group=item, request=request)
            elif coordinator:
                lead_form = forms.LeadForm(request.POST)
                if lead_form.is_valid():
                    attempt(
                        lead_form,
                        lambda: peer_groups.set_lead(
                            actor=user,
                            group=item,
                            lead=lead_form.cleaned_data["lead"],
                            request=request,
                        ),
                        refused=BefriendingRefused,
                    )
            else:
                return _not_allowed(request)
        except BefriendingRefused as err:
            return _not_allowed(request, err.message)
        if not lead_form.errors:
            return redirect("befriending:group", pk=item.pk)
    today = timezone.localdate()
    return render(
        request,
        "befriending/group.html",
        {
            "item": item,
            "meeting": selectors.meeting(item),
            "membership": selectors.membership_of(user, item),
            "members": selectors.open_members(item) if coordinator else None,
            "lead_gaps": selectors.peer_lead_gaps(item.lead, today) if item.lead else [],
            "is_coordinator": coordinator,
            "form": lead_form,
        },
        status=400 if lead_form.errors else 200,
    )
