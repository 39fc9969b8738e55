"""Social prescribing pages: the link worker's caseload and referral page, the person's own
referrals (with withdraw), and the message back to the referrer as JSON and as a printable letter.
Every view and change of a person's referral is audited."""

from __future__ import annotations

import secrets
import uuid
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import signed_in_user
from accounts.models import AuditEvent, User
from accounts.services import record_audit
from connect import forms, permissions, selectors
from connect.models import (
    CommunityPot,
    OnwardReferral,
    Referral,
    ReferringOrganisation,
    WellbeingCheck,
)
from connect.services import referrals as referrals_services
from connect.services._common import ONS4, ConnectError, local_today
from connect.services.consent import record_consent
from connect.services.funding import award_funding, pot_remaining_pence
from connect.services.invitations import accept_invitation, invitation_for
from connect.services.onward import answer_onward, mark_attended, refer_onward, withdraw_onward
from connect.services.service_terms import set_service_terms
from connect.services.wellbeing import record_wellbeing, wellbeing_stage_open
from directory import referral_selectors
from outcomes.forms import MeasureForm
from outcomes.measures import registry
from outcomes.services import OutcomesRefused
from rules.money import format_pence
from wellbeing_hub.form_attempts import attempt


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "connect/not_allowed.html", status=403)


def _referral(referral_id: uuid.UUID) -> Referral:
    return get_object_or_404(
        Referral.objects.select_related("person", "referring_organisation"), pk=referral_id
    )


def _helped_by(referral: Referral) -> dict[str, str]:
    """Stage -> the name of whoever recorded the person's answers with them ("with help"); stages
    the person answered on their own account are not listed."""
    from outcomes import selectors as outcomes_selectors

    checks = {c.answer_set_id: c.stage for c in referral.wellbeing.all()}
    if not checks:
        return {}
    helped = {}
    for a in outcomes_selectors.answer_sets(referral.person, ONS4).filter(pk__in=checks):
        if a.answered_by == "with_help":
            who = a.recorded_by.get_full_name() if a.recorded_by else "someone else"
            helped[checks[a.pk]] = who
    return helped


def _audit_view(request: HttpRequest, referral: Referral, summary: str) -> None:
    record_audit(
        actor=signed_in_user(request),
        action=AuditEvent.Action.VIEW,
        target=referral,
        subject=referral.person,
        summary=summary,
        request=request,
    )


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not permissions.is_link_worker(user):
        return _refused(request)
    rows = list(selectors.caseload(user))
    return render(request, "connect/caseload.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def referral(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    if not permissions.is_link_worker(user):
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
            if status_form.is_valid() and attempt(
                status_form,
                lambda: referrals_services.set_status(
                    actor=user,
                    referral=item,
                    status=status_form.cleaned_data["status"],
                    on=status_form.cleaned_data["on"],
                    request=request,
                ),
                refused=ConnectError,
            ):
                return redirect("connect:referral", referral_id=item.pk)
        else:
            consent_form = forms.ConsentForm(request.POST, prefix="consent")
            if consent_form.is_valid():
                record_consent(
                    actor=user, referral=item, request=request, **consent_form.cleaned_data
                )
                return redirect("connect:referral", referral_id=item.pk)
        status = 400
    else:
        _audit_view(request, item, "Referral page viewed")
    onward = [(o, referral_selectors.service_name(o.service_id)) for o in item.onward.all()]
    labels = dict(WellbeingCheck.Stage.choices)
    helped = {labels[stage]: who for stage, who in _helped_by(item).items()}
    wellbeing = [
        (label, day, score, helped.get(label, ""))
        for label, day, score in selectors.wellbeing_answers(item)
    ]
    to_record = []
    if permissions.may_record_wellbeing_with_help(user, item):
        to_record = [
            (stage, label)
            for stage, label in WellbeingCheck.Stage.choices
            if wellbeing_stage_open(item, stage) is None
        ]
    return render(
        request,
        "connect/referral.html",
        {
            "item": item,
            "wellbeing": wellbeing,
            "wellbeing_to_record": to_record,
            "funding": list(item.funding.select_related("pot")),
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
    if not permissions.may_receive_summary(request.user, item):
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
    if not permissions.may_receive_summary(request.user, item):
        return _refused(request)
    _audit_view(request, item, "Message back letter viewed")
    return render(request, "connect/letter.html", {"message": selectors.message_back(item)})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = []
    for r in selectors.referrals_of(user).prefetch_related("wellbeing"):
        done = {w.stage for w in r.wellbeing.all()}
        helped = _helped_by(r)
        stages = [
            (stage, label, stage in done, helped.get(stage, ""))
            for stage, label in WellbeingCheck.Stage.choices
            if stage in done or wellbeing_stage_open(r, stage) is None
        ]
        onward = [(o, referral_selectors.service_name(o.service_id)) for o in r.onward.all()]
        rows.append((r, onward, stages))
    return render(request, "connect/mine.html", {"rows": rows})


@login_required
@require_POST
def withdraw(request: HttpRequest, onward_id: int) -> HttpResponse:
    onward = get_object_or_404(OnwardReferral.objects.select_related("referral"), pk=onward_id)
    if onward.referral.person_id != request.user.pk:
        return _refused(request)
    try:
        withdraw_onward(person=signed_in_user(request), onward=onward, request=request)
    except ConnectError as err:
        return render(request, "connect/not_allowed.html", {"message": err.message}, status=409)
    return redirect("connect:mine")


@login_required
@require_http_methods(["GET", "POST"])
def provider_inbox(request: HttpRequest) -> HttpResponse:
    """Onward referrals to the services of organisations the user belongs to, to accept or decline."""
    user = signed_in_user(request)
    rows = selectors.onward_for_service_member(user)
    forms_by_pk = {o.pk: forms.AnswerForm(prefix=f"o{o.pk}") for o in rows}
    form = None
    status = 200
    if request.method == "POST":
        raw = request.POST.get("onward", "")
        onward = get_object_or_404(
            OnwardReferral.objects.select_related("referral"), pk=int(raw) if raw.isdigit() else 0
        )
        form = forms.AnswerForm(request.POST, prefix=f"o{onward.pk}")
        forms_by_pk[onward.pk] = form
        if form.is_valid() and attempt(
            form,
            lambda: answer_onward(
                actor=user,
                onward=onward,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
                decline_reason=form.cleaned_data["decline_reason"],
                request=request,
            ),
            refused=ConnectError,
            fields={"service": "decision"},  # "you do not act for this service": on the answer
        ):
            return redirect("connect:provider_inbox")
        status = 400
    names = [
        (o, referral_selectors.service_name(o.service_id), forms_by_pk.get(o.pk)) for o in rows
    ]
    for o in rows:
        record_audit(
            actor=user,
            action=AuditEvent.Action.VIEW,
            target=o,
            subject=o.referral.person,
            summary="Onward referral seen by the service",
            request=request,
        )
    return render(
        request, "connect/provider_inbox.html", {"rows": names, "form": form}, status=status
    )


# --- making a referral ----------------------------------------------------------------------------

_SOURCE_OF_KIND: dict[str, str] = {
    ReferringOrganisation.Kind.GP_PRACTICE: Referral.Source.GP_PRACTICE,
    ReferringOrganisation.Kind.HOSPITAL: Referral.Source.HOSPITAL,
}
AS_LINK_WORKER = "link_worker"


def _referrer_choices(user: User) -> list[tuple[str, str]]:
    choices = [
        (str(o.pk), o.name)
        for o in selectors.organisations_of(user).order_by("name")
        if o.kind in _SOURCE_OF_KIND
    ]
    if permissions.is_link_worker(user):
        choices.append((AS_LINK_WORKER, "As a link worker"))
    return choices


@login_required
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    """Referral by GP practice or hospital staff, or by a link worker."""
    user = signed_in_user(request)
    choices = _referrer_choices(user)
    if not choices:
        return _refused(request)
    form = forms.ReferralForm(request.POST or None)
    form.fields["referrer"] = django_forms.ChoiceField(
        label="Who is making this referral?",
        choices=choices,
        widget=django_forms.RadioSelect,
        initial=choices[0][0] if len(choices) == 1 else None,
        error_messages={
            "required": "Choose who is making this referral",
            "invalid_choice": "Choose who is making this referral from the list",
        },
    )
    form.order_fields(["referrer"])
    if request.method == "POST" and form.is_valid():
        referrer = form.cleaned_data["referrer"]
        organisation = None
        source: str = Referral.Source.LINK_WORKER
        if referrer != AS_LINK_WORKER:
            organisation = ReferringOrganisation.objects.get(pk=int(referrer))
            source = _SOURCE_OF_KIND[organisation.kind]
        if made := attempt(
            form,
            lambda: referrals_services.refer(
                actor=user,
                source=source,
                organisation=organisation,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                reason=form.cleaned_data["reason"],
                what_matters=form.cleaned_data["what_matters"],
                consent=form.consent(),
                consent_on=form.cleaned_data["consent_on"],
                request=request,
            ),
            refused=ConnectError,
        ):
            messages.success(request, f"Referral sent for {made.value.person.get_full_name()}")
            if source == Referral.Source.LINK_WORKER:
                return redirect("connect:referral", referral_id=made.value.pk)
            return redirect("connect:sent")
    return render(request, "connect/refer.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def refer_self(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = forms.SelfReferralForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: referrals_services.refer(
                actor=user,
                source=Referral.Source.SELF,
                reason=form.cleaned_data["reason"],
                what_matters=form.cleaned_data["what_matters"],
                consent=form.consent(),
                consent_on=local_today(),
                request=request,
            ),
            refused=ConnectError,
        )
    ):
        messages.success(request, "Thank you. A link worker will contact you")
        return redirect("connect:mine")
    return render(
        request, "connect/refer_self.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def sent(request: HttpRequest) -> HttpResponse:
    """Referrals made by the user's practice or hospital, each with its letter back."""
    user = signed_in_user(request)
    if not selectors.organisations_of(user).exists():
        return _refused(request)
    rows = list(selectors.referrals_made_by_organisations_of(user))
    record_audit(
        actor=user,
        action=AuditEvent.Action.VIEW,
        summary=f"Listed {len(rows)} referrals made by their organisation",
        request=request,
    )
    return render(request, "connect/sent.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """A referred person with no account yet sets a password from their one-time link."""
    invitation = invitation_for(token)
    if invitation is None:
        return render(request, "connect/welcome_expired.html", status=404)
    form = forms.PasswordForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            person := attempt(
                form,
                lambda: accept_invitation(
                    token=token, password=form.cleaned_data["password"], request=request
                ),
                refused=ConnectError,
            )
        )
    ):
        login(request, person.value, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("connect:mine")
    return render(
        request,
        "connect/welcome.html",
        {"form": form, "person": invitation.person},
        status=400 if form.errors else 200,
    )


# --- the link worker connects the person -----------------------------------------------------------


def _worker_referral(request: HttpRequest, referral_id: uuid.UUID) -> tuple[User, Referral] | None:
    user = signed_in_user(request)
    if not permissions.is_link_worker(user):
        return None
    return user, _referral(referral_id)


@login_required
@require_http_methods(["GET", "POST"])
def onward_new(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    found = _worker_referral(request, referral_id)
    if found is None:
        return _refused(request)
    user, item = found
    query = request.GET.get("q", "")[:100]
    choices = selectors.service_choices(query)
    if request.method == "POST":
        # The chosen service must still be referrable; it need not be in this page's search.
        posted = request.POST.get("service", "")
        if posted and posted not in {c.service_id for c in choices}:
            choices += selectors.service_choices_by_id([posted])
    form = forms.OnwardForm(
        request.POST or None,
        choices=[(c.service_id, c.label) for c in choices if c.takes_referrals is not False],
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: refer_onward(
                actor=user,
                referral=item,
                service_id=form.cleaned_data["service"],
                request=request,
            ),
            refused=ConnectError,
        )
    ):
        messages.success(request, "Referral sent to the service")
        return redirect("connect:referral", referral_id=item.pk)
    return render(
        request,
        "connect/onward_new.html",
        {
            "item": item,
            "form": form,
            "query": query,
            "not_taking": [c for c in choices if c.takes_referrals is False],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def attended(request: HttpRequest, onward_id: int) -> HttpResponse:
    user = signed_in_user(request)
    onward = get_object_or_404(OnwardReferral.objects.select_related("referral"), pk=onward_id)
    form = forms.AttendedForm(request.POST)
    back = (
        redirect("connect:referral", referral_id=onward.referral_id)
        if permissions.is_link_worker(user)
        else redirect("connect:provider_inbox")
    )
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return back
    try:
        mark_attended(actor=user, onward=onward, on=form.cleaned_data["on"], request=request)
    except ConnectError as err:
        if err.field == "onward" and not (permissions.may_record_attendance(user, onward)):
            return _refused(request)
        messages.error(request, err.message)
        return back
    messages.success(request, "Attendance recorded")
    return back


@login_required
@require_http_methods(["GET", "POST"])
def funding(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    found = _worker_referral(request, referral_id)
    if found is None:
        return _refused(request)
    user, item = found
    pots = list(selectors.pots_open())
    labels = []
    for pot in pots:
        if pot.kind == CommunityPot.Kind.MONEY:
            left = format_pence(pot_remaining_pence(pot))
            labels.append((pot.pk, f"{pot.name}: micro-grants, {left} left"))
        else:
            labels.append((pot.pk, f"{pot.name}: time credits"))
    form = forms.FundingForm(
        request.POST or None, pots=labels, initial={"key": secrets.token_hex(16)}
    )
    if request.method == "POST" and form.is_valid():
        pot = next(p for p in pots if p.pk == form.cleaned_data["pot"])
        if awarded := attempt(
            form,
            lambda: award_funding(
                actor=user,
                referral=item,
                pot=pot,
                purpose=form.cleaned_data["purpose"],
                key=form.cleaned_data["key"],
                amount=form.cleaned_data["amount"],
                hours=form.cleaned_data["hours"],
                request=request,
            ),
            refused=ConnectError,
        ):
            _award, created = awarded.value
            messages.success(
                request,
                "Funding attached" if created else "This funding was already attached",
            )
            return redirect("connect:referral", referral_id=item.pk)
    return render(
        request,
        "connect/funding.html",
        {"item": item, "form": form, "pots": pots, "awards": list(item.funding.all())},
        status=400 if form.errors else 200,
    )


# --- the service's referral terms -----------------------------------------------------------------


@login_required
def terms_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = selectors.services_run_by(user)
    if not rows and not permissions.is_provider(user):
        return _refused(request)
    return render(request, "connect/terms_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def terms_edit(request: HttpRequest, service_id: str) -> HttpResponse:
    user = signed_in_user(request)
    if not permissions.acts_for_service(user, service_id):
        return _refused(request)
    current = selectors.service_terms(service_id)
    initial = {
        "takes_referrals": "yes" if current is None or current.takes_referrals else "no",
        "typical_wait_days": current.typical_wait_days if current else None,
    }
    form = forms.TermsForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: set_service_terms(
                actor=user,
                service_id=service_id,
                takes_referrals=form.cleaned_data["takes_referrals"] == "yes",
                typical_wait_days=form.cleaned_data["typical_wait_days"],
                request=request,
            ),
            refused=ConnectError,
        )
    ):
        messages.success(request, "Referral details saved")
        return redirect("connect:terms")
    return render(
        request,
        "connect/terms_edit.html",
        {"form": form, "name": referral_selectors.service_name(service_id)},
        status=400 if form.errors else 200,
    )


# --- the person's wellbeing -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def wellbeing(request: HttpRequest, referral_id: uuid.UUID, stage: str) -> HttpResponse:
    """The person answers ONS4 themselves, or their link worker records the answers the person
    gives in conversation (kept as given with help)."""
    user = signed_in_user(request)
    item = _referral(referral_id)
    helping = permissions.may_record_wellbeing_with_help(user, item)
    if item.person_id != user.pk and not helping:
        return _refused(request)
    if stage not in ("first_conversation", "closing"):
        raise Http404("No such stage")
    problem = wellbeing_stage_open(item, stage)
    measure = registry().get(ONS4)
    form = MeasureForm(
        request.POST or None, measure=measure, initial={"answered_on": local_today()}
    )
    if request.method == "POST" and problem is None and form.is_valid():
        answers = form.answers()
        missing = [i for i in measure.items if answers.get(i.id) is None]
        for i in missing:
            form.add_error(i.id, f"Choose a number from 0 to 10 for '{i.topic}'")
        if not missing and attempt(
            form,
            lambda: record_wellbeing(
                actor=user,
                referral=item,
                stage=stage,
                answers=answers,
                answered_on=form.cleaned_data["answered_on"],
                request=request,
            ),
            refused=(ConnectError, OutcomesRefused),
        ):
            if helping:
                messages.success(
                    request,
                    f"{item.person.get_full_name()}'s answers are saved, with your help",
                )
                return redirect("connect:referral", referral_id=item.pk)
            messages.success(request, "Thank you: your answers are saved")
            return redirect("connect:mine")
    return render(
        request,
        "connect/wellbeing.html",
        {
            "item": item,
            "form": form,
            "problem": problem,
            "helping": helping,
            "stage_label": dict(WellbeingCheck.Stage.choices)[stage],
        },
        status=400 if form.errors else 200,
    )


# --- reports --------------------------------------------------------------------------------------


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not permissions.may_read_reports(user):
        return _refused(request)
    by = request.GET.get("by", "practice")
    if by not in selectors.REPORT_GROUPS:
        by = "practice"
    topics = {i.id: i.topic for i in registry().get(ONS4).items}
    lines = selectors.report(by)

    def shown(figure: Any) -> str:
        return "Hidden" if figure.suppressed else str(figure.value)

    rows = [
        {
            "group": "All" if line.group is None else line.group,
            "referrals": shown(line.referrals),
            "reached": shown(line.reached),
            "paired": shown(line.paired),
            "changes": [
                (topics.get(item, item), _signed(value)) for item, value in line.mean_change or ()
            ],
            "no_change": "Hidden" if line.paired.suppressed else "No one yet",
        }
        for line in lines
    ]
    return render(
        request,
        "connect/reports.html",
        {
            "by": by,
            "by_label": selectors.REPORT_GROUPS[by],
            "groups": list(selectors.REPORT_GROUPS.items()),
            "rows": rows if len(lines) > 1 else [],
        },
    )


def _signed(value: Fraction) -> str:
    rounded = Decimal(value.numerator) / Decimal(value.denominator)
    text = f"{rounded.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
    return text if text.startswith("-") or text == "0.00" else f"+{text}"
