"""Thin views: check access, call a selector or a service, render. Every page that shows a person's
assessment, plan or account writes an audit record."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from budgets import access, charging, forms, selectors
from budgets.models import (
    AnswerSet,
    Assessment,
    BudgetAccount,
    CaseAssignment,
    IndicativeBudget,
    Invitation,
    LedgerTransaction,
    PlanLine,
    PlanOutcome,
    Pool,
    SupportPlan,
)
from budgets.services import caseloads as caseload_services
from budgets.services._common import BudgetsError
from budgets.services.accounts import open_account, post, reverse_transaction
from budgets.services.assessment import (
    accept_invitation,
    add_contribution,
    calculate_budget,
    invite_account,
    invite_by_link,
    revoke_invitation,
    save_about_me,
    save_domain,
    start_assessment,
)
from budgets.services.caseloads import assign_caseload, unassign_caseload
from budgets.services.charging import save_financial_assessment
from budgets.services.plans import (
    add_line,
    add_outcome,
    decide_plan,
    plan_totals,
    propose_plan,
    remove_line,
    remove_outcome,
    reopen_plan,
    set_neighbourhood,
    start_plan,
    time_bank_minutes_received,
    use_budget,
)
from budgets.services.pools import cancel_pool, create_pool, resplit_pool, respond_to_pool
from budgets.services.reviews import complete_review, open_review
from budgets.wellbeing import WellbeingDomain, labels
from directory import selectors as directory
from outcomes import selectors as outcome_selectors
from rules import ledger
from rules.charging import ChargingError, InputError
from wellbeing_hub.form_attempts import attempt

KINDS = {"person", "practitioner"}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _viewed(request: HttpRequest, target: Model, subject: User, summary: str) -> None:
    user = _user(request)
    if (
        subject.pk != user.pk
        and not access.on_caseload(user, subject.pk)
        and access.break_glass_active(user, subject.pk)
    ):
        summary = f"{summary} (break glass)"
    record_audit(
        actor=_user(request),
        action=AuditEvent.Action.VIEW,
        target=target,
        subject=subject,
        summary=summary,
        request=request,
    )


def _posted(request: HttpRequest) -> Any:
    """The POST data for a bound form (even when empty, so "nothing chosen" is an error)."""
    return request.POST if request.method == "POST" else None


def _error(form: Any, error: BudgetsError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def _break_glass_page(
    request: HttpRequest,
    person_id: int,
    form: forms.BreakGlassForm | None = None,
    status: int = 403,
) -> HttpResponse:
    form = form or forms.BreakGlassForm(
        initial={"person": person_id, "next": request.get_full_path()}
    )
    return render(request, "budgets/break_glass.html", {"form": form}, status=status)


def _guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn the refusals a view or service raises into pages: outside a practitioner's caseload,
    the break-glass page; anything else not allowed, a 403 page that says why."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _Redirect as jump:
            return redirect(jump.url)
        except access.OutsideCaseload as outside:
            return _break_glass_page(request, outside.person_id)
        except access.NotAllowed as refusal:
            return render(
                request, "budgets/not_allowed.html", {"message": str(refusal)}, status=403
            )

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _may_open(request: HttpRequest, person_id: int, allowed: bool) -> None:
    """Refuse a record the user may not open: practitioners outside their caseload get the
    break-glass page, anyone else a plain 403."""
    if allowed:
        return
    access.require_reach(_user(request), person_id)
    raise PermissionDenied


# --- home ----------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "budgets/home_public.html")
    user = _user(request)
    assessment = selectors.latest_assessment(user)
    plan = selectors.plan_of(user)
    context = {
        "assessment": assessment,
        "progress": selectors.progress(assessment, "person") if assessment else [],
        "budget": selectors.latest_budget(assessment),
        "plan": plan,
        "account": getattr(plan, "account", None) if plan else None,
        "invited_to": selectors.invited_to(user),
        "pool_invitations": selectors.pool_invitations(user),
        "practitioner": access.is_practitioner(user),
    }
    if context["practitioner"]:
        people = access.caseload_people(user)
        context["waiting"] = selectors.plans_waiting().filter(person__in=people)
        context["recent_plans"] = selectors.all_plans(people)
        context["recent_assessments"] = Assessment.objects.filter(person__in=people).select_related(
            "person"
        )[:20]
    context["can_assign"] = access.can_assign_caseloads(user)
    return render(request, "budgets/home.html", context)


# --- the public charging calculator --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def calculator(request: HttpRequest) -> HttpResponse:
    """How much might I pay? No account needed; nothing is stored."""
    form = forms.CalculatorForm(_posted(request))
    outcome = None
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = charging.calculate(
                charging.inputs_from_form(form.cleaned_data), timezone.localdate()
            )
        except InputError as error:
            refusal = str(error)
        except ChargingError as error:
            refusal = _plain_refusal(error)
    return render(
        request,
        "budgets/calculator.html",
        {"form": form, "outcome": outcome, "refusal": refusal, "action": request.path},
        status=400 if form.errors else 200,
    )


def _plain_refusal(error: ChargingError) -> str:
    name = getattr(error, "name", "")
    if "couple" in str(name):
        return (
            "We cannot work this out for couples yet, because one of the national figures for "
            "couples has not been checked. Your council will do your financial assessment."
        )
    from budgets.presentation import parameter_label

    return (
        "We cannot work this out for you here, because a national figure it needs has not been "
        f"checked yet ({parameter_label(str(name))}). Your council will do your financial "
        "assessment."
    )


# --- assessment ----------------------------------------------------------------------------------


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    assessment = get_object_or_404(Assessment.objects.select_related("person"), pk=pk)
    _may_open(request, assessment.person_id, access.can_view_assessment(_user(request), assessment))
    return assessment


@login_required
@_guarded
@require_POST
def assessment_start(request: HttpRequest) -> HttpResponse:
    assessment = start_assessment(person=_user(request), actor=_user(request), request=request)
    return redirect("budgets:assessment", assessment.pk)


@login_required
@_guarded
def assessment_overview(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    user = _user(request)
    _viewed(request, assessment, assessment.person, "Viewed the self-assessment")
    config = selectors.config_for(assessment)
    own = assessment.person_id == user.pk
    practitioner = access.can_answer(user, assessment, "practitioner")
    context = {
        "assessment": assessment,
        "config": config,
        "own": own,
        "practitioner": practitioner,
        "person_progress": selectors.progress(assessment, "person"),
        "person_about_me": selectors.about_me_done(assessment, "person"),
        "practitioner_progress": selectors.progress(assessment, "practitioner"),
        "practitioner_about_me": selectors.about_me_done(assessment, "practitioner"),
        "has_practitioner_answers": selectors.answer_set(assessment, "practitioner") is not None,
        "contributions": selectors.contributions(assessment),
        "invitations": selectors.invitations(assessment) if own or practitioner else [],
        "budget": selectors.latest_budget(assessment),
        "domain_labels": {d.id: d.label for d in config.domains} | {"about_me": "About me"},
        "person_answers": (selectors.answer_set(assessment, "person") or AnswerSet()).data,
        "free_text_labels": {
            f"{d.id}.{p.id}": f"{d.label}: {p.prompt}" for d in config.domains for p in d.free_text
        }
        | {f"about_me.{p.id}": f"About me: {p.prompt}" for p in config.about_me},
        "can_calculate": own or access.is_practitioner(user),
    }
    return render(request, "budgets/assessment.html", context)


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def assessment_domain(request: HttpRequest, pk: int, kind: str, domain_id: str) -> HttpResponse:
    assessment = _assessment(request, pk)
    if kind not in KINDS or not access.can_answer(_user(request), assessment, kind):
        raise PermissionDenied
    config = selectors.config_for(assessment)
    domain = config.domain(domain_id)
    if domain is None:
        raise Http404("No such question")
    stored = (selectors.answer_set(assessment, kind) or AnswerSet()).data
    initial = {
        "answer": stored.get("answers", {}).get(domain.id),
        "informal_support": stored.get("informal_support", {}).get(domain.id),
    } | {
        f"text_{p.id}": stored.get("free_text", {}).get(f"{domain.id}.{p.id}", "")
        for p in domain.free_text
    }
    form = forms.DomainForm(_posted(request), config=config, domain=domain, initial=initial)
    ids = [d.id for d in config.domains]
    index = ids.index(domain.id)
    if request.method == "POST" and form.is_valid():
        if attempt(
            form,
            lambda: save_domain(
                assessment=assessment,
                kind=kind,
                actor=_user(request),
                domain_id=domain.id,
                answer=form.cleaned_data["answer"],
                informal_support=form.cleaned_data.get("informal_support") or None,
                free_text=form.free_text(),
                request=request,
            ),
            refused=BudgetsError,
        ):
            if "save_and_leave" in request.POST:
                messages.success(request, "Your answers have been saved. Come back at any time.")
                return redirect("budgets:assessment", assessment.pk)
            if index + 1 < len(ids):
                return redirect("budgets:domain", assessment.pk, kind, ids[index + 1])
            return redirect("budgets:about-me", assessment.pk, kind)
    else:
        _viewed(request, assessment, assessment.person, f"Opened '{domain.label}' ({kind})")
    return render(
        request,
        "budgets/domain.html",
        {
            "assessment": assessment,
            "kind": kind,
            "domain": domain,
            "form": form,
            "step": index + 1,
            "steps": len(ids) + 1,
            "previous": ids[index - 1] if index else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def assessment_about_me(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    assessment = _assessment(request, pk)
    if kind not in KINDS or not access.can_answer(_user(request), assessment, kind):
        raise PermissionDenied
    config = selectors.config_for(assessment)
    stored = (selectors.answer_set(assessment, kind) or AnswerSet()).data
    initial = {"carer": stored.get("carer")} | {
        f"text_{p.id}": stored.get("free_text", {}).get(f"about_me.{p.id}", "")
        for p in config.about_me
    }
    form = forms.AboutMeForm(_posted(request), config=config, initial=initial)
    if request.method == "POST" and form.is_valid():
        if attempt(
            form,
            lambda: save_about_me(
                assessment=assessment,
                kind=kind,
                actor=_user(request),
                carer=form.cleaned_data.get("carer") or None,
                free_text=form.free_text(),
                request=request,
            ),
            refused=BudgetsError,
        ):
            messages.success(request, "Your answers have been saved.")
            return redirect("budgets:assessment", assessment.pk)
    else:
        _viewed(request, assessment, assessment.person, f"Opened 'About me' ({kind})")
    return render(
        request,
        "budgets/about_me.html",
        {
            "assessment": assessment,
            "kind": kind,
            "form": form,
            "step": len(config.domains) + 1,
            "steps": len(config.domains) + 1,
            "previous": config.domains[-1].id,
        },
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    if assessment.person_id != request.user.pk:
        raise PermissionDenied
    method = request.POST.get("method", "")
    account_form = forms.InviteAccountForm(request.POST if method == "account" else None)
    link_form = forms.InviteLinkForm(request.POST if method == "link" else None, prefix="link")
    link = None
    if (
        method == "account"
        and account_form.is_valid()
        and (
            made := attempt(
                account_form,
                lambda: invite_account(
                    assessment=assessment,
                    actor=_user(request),
                    identifier=account_form.cleaned_data["identifier"],
                    relationship=account_form.cleaned_data["relationship"],
                    request=request,
                ),
                refused=BudgetsError,
            )
        )
    ):
        messages.success(request, f"{made.value.name} can now add to your assessment.")
        return redirect("budgets:assessment", assessment.pk)
    if method == "link" and link_form.is_valid():
        _invitation, token = invite_by_link(
            assessment=assessment,
            actor=_user(request),
            name=link_form.cleaned_data["name"],
            relationship=link_form.cleaned_data["relationship"],
            request=request,
        )
        link = request.build_absolute_uri(reverse("budgets:join", args=[token]))
        link_form = forms.InviteLinkForm(prefix="link")
    errors = bool(account_form.errors or link_form.errors)
    return render(
        request,
        "budgets/invite.html",
        {
            "assessment": assessment,
            "form": account_form if account_form.errors else link_form,
            "account_form": account_form,
            "link_form": link_form,
            "link": link,
            "invitations": selectors.invitations(assessment),
        },
        status=400 if errors else 200,
    )


@login_required
@_guarded
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    invitation = get_object_or_404(Invitation, pk=invitation_id, assessment=assessment)
    revoke_invitation(invitation=invitation, actor=_user(request), request=request)
    messages.success(request, "The invitation has been withdrawn.")
    if assessment.person_id == request.user.pk:
        return redirect("budgets:invite", assessment.pk)
    return redirect("budgets:assessment", assessment.pk)


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            invitation = accept_invitation(token=token, user=_user(request), request=request)
        except BudgetsError as problem:
            error = problem.message
        else:
            messages.success(request, "Thank you. You can now add to their assessment.")
            return redirect("budgets:contribute", invitation.assessment_id)
    return render(request, "budgets/join.html", {"error": error}, status=400 if error else 200)


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def contribute(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    config = selectors.config_for(assessment)
    form = forms.ContributionForm(_posted(request), config=config)
    if request.method == "POST" and form.is_valid():
        if attempt(
            form,
            lambda: add_contribution(
                assessment=assessment,
                author=_user(request),
                topic=form.cleaned_data["topic"],
                text=form.cleaned_data["text"],
                request=request,
            ),
            refused=BudgetsError,
        ):
            messages.success(request, "Thank you. What you wrote has been added.")
            return redirect("budgets:contribute", assessment.pk)
    else:
        _viewed(request, assessment, assessment.person, "Opened the page to contribute")
    return render(
        request,
        "budgets/contribute.html",
        {
            "assessment": assessment,
            "form": form,
            "config": config,
            "contributions": selectors.contributions(assessment),
            "domain_labels": {d.id: d.label for d in config.domains} | {"about_me": "About me"},
        },
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    _viewed(request, assessment, assessment.person, "Compared the person's and practitioner's")
    found = selectors.differences(assessment)
    person = assessment.person.get_full_name()
    return render(
        request,
        "budgets/compare.html",
        {
            "assessment": assessment,
            "differences": found,
            "described": [(d, d.describe(person, "The practitioner")) for d in (found or [])],
        },
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    user = _user(request)
    error = None
    kind = "person"
    if request.method == "POST":
        kind = request.POST.get("kind", "person")
        kind = kind if kind in KINDS else "person"
        try:
            calculate_budget(assessment=assessment, kind=kind, actor=user, request=request)
        except BudgetsError as problem:
            error = problem.message
        except access.NotAllowed as problem:
            raise PermissionDenied(str(problem)) from None
        else:
            return redirect("budgets:budget", assessment.pk)
    found = selectors.latest_budget(assessment)
    if found is not None:
        _viewed(request, found, assessment.person, "Viewed the indicative budget")
    form = forms.BudgetForm(initial={"kind": kind})
    to_do: list[Any] = []
    if error:
        # The GOV.UK error pattern: "Error:" in the title, a summary whose link goes to the
        # message on this page, and beside it a link to each question still to answer.
        form = forms.BudgetForm({"kind": kind})
        form.is_valid()
        form.add_error(None, error)
        answerer = kind if access.can_answer(user, assessment, kind) else None
        to_do = [
            (
                row.domain.label,
                answerer
                and reverse("budgets:domain", args=[assessment.pk, answerer, row.domain.id]),
            )
            for row in selectors.progress(assessment, kind)
            if not row.done
        ]
    return render(
        request,
        "budgets/budget.html",
        {
            "assessment": assessment,
            "budget": found,
            "error": error,
            "form": form,
            "kind": kind,
            "to_do": to_do,
            "pricing": _pricing(found),
            "practitioner": access.is_practitioner(user),
            "total_points": _total_points(found),
            "own": assessment.person_id == user.pk,
            "can_calculate": assessment.person_id == user.pk or access.is_practitioner(user),
        },
        status=400 if error else 200,
    )


def _pricing(found: IndicativeBudget | None) -> Any:
    from rules.ras import load_version

    if found is None:
        return None
    try:
        return load_version(found.version_id).pricing
    except Exception:  # an old version no longer on file: the summary leaves this row out
        return None


def _total_points(found: IndicativeBudget | None) -> str:
    import re

    for line in found.explanation if found else ():
        match = re.match(r"^Total: ([\d.,]+) points", str(line))
        if match:
            return match.group(1)
    return ""


# --- support plan --------------------------------------------------------------------------------


def _plan(request: HttpRequest, pk: int) -> SupportPlan:
    plan = selectors.plan_for_page(pk)
    if plan is None:
        raise Http404("No such plan")
    _may_open(request, plan.person_id, access.can_view_plan(_user(request), plan))
    return plan


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def my_plan(request: HttpRequest) -> HttpResponse:
    plan = selectors.plan_of(_user(request))
    if plan is None and request.method == "POST":
        plan = start_plan(person=_user(request), actor=_user(request), request=request)
    if plan is None:
        return render(request, "budgets/plan_start.html")
    return redirect("budgets:plan", plan.pk)


@login_required
@_guarded
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    user = _user(request)
    _viewed(request, plan, plan.person, "Viewed the support plan")
    totals = plan_totals(plan)
    decision = plan.decisions.first()
    latest_budget = selectors.latest_budget(plan.assessment)
    next_review = open_review(plan)  # an agreed plan's review waiting to be recorded
    return render(
        request,
        "budgets/plan.html",
        {
            "plan": plan,
            "totals": totals,
            "own": plan.person_id == user.pk,
            "can_decide": access.can_decide_plan(user, plan)
            and plan.status == SupportPlan.Status.PROPOSED,
            "can_open_account": access.can_open_account(user, plan)
            and plan.status == SupportPlan.Status.APPROVED
            and not BudgetAccount.objects.filter(plan=plan).exists(),
            "account": BudgetAccount.objects.filter(plan=plan).first(),
            "last_decision": decision,
            "newer_budget": latest_budget
            if latest_budget and plan.budget_id != latest_budget.pk
            else None,
            "wellbeing_labels": dict(WellbeingDomain.choices),
            "next_review": next_review,
            "last_review": plan.reviews.filter(done_on__isnull=False)
            .order_by("-done_on", "-pk")
            .first(),
            "can_review": next_review is not None and access.can_review_plan(user, plan),
            "time_bank_received": time_bank_minutes_received(
                plan.person, plan.approved_at.date() if plan.approved_at else None
            )
            if any(line.kind == PlanLine.Kind.TIME_BANK for line in plan.lines.all())
            else None,
        },
    )


def _plan_document(request: HttpRequest, plan: SupportPlan) -> dict[str, Any]:
    from budgets.presentation import money_in_words

    totals = plan_totals(plan)
    return {
        "plan": plan,
        "totals": totals,
        "last_decision": plan.decisions.first(),
        "next_review": open_review(plan),
        "wellbeing_labels": dict(WellbeingDomain.choices),
        "today": timezone.localdate(),
        "words": money_in_words(totals, _user(request), plan.person),
    }


@login_required
@_guarded
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan on its own, to print: the person's name, the date, outcomes and support, money;
    the print stylesheet leaves out navigation, forms and buttons."""
    plan = _plan(request, pk)
    _viewed(request, plan, plan.person, "Opened the support plan to print")
    return render(request, "budgets/plan_print.html", _plan_document(request, plan))


@login_required
@_guarded
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same plan as a PDF file (WeasyPrint). Where WeasyPrint is not installed, a page says
    so and points to the printable page."""
    plan = _plan(request, pk)
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]  # ships no type information
    except ImportError:  # pragma: no cover - depends on the installation
        messages.info(request, "A PDF cannot be made here. Print the plan instead.")
        return redirect("budgets:plan-print", plan.pk)
    from django.template.loader import render_to_string

    html = render_to_string("budgets/plan_pdf.html", _plan_document(request, plan), request)
    pdf = HTML(string=html).write_pdf()
    record_audit(
        actor=_user(request),
        action=AuditEvent.Action.EXPORT,
        target=plan,
        subject=plan.person,
        summary="Downloaded the support plan as a PDF",
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="support-plan-{plan.pk}.pdf"'
    return response


@login_required
@_guarded
@require_POST
def plan_use_budget(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    raw = request.POST.get("budget", "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        messages.error(request, "Choose a budget from the list.")
        return redirect("budgets:plan", plan.pk)
    found = get_object_or_404(IndicativeBudget, pk=int(raw), assessment__person=plan.person)
    try:
        use_budget(plan=plan, budget=found, actor=_user(request), request=request)
    except BudgetsError as error:
        messages.error(request, error.message)
    return redirect("budgets:plan", plan.pk)


def _editable(request: HttpRequest, pk: int) -> SupportPlan:
    plan = _plan(request, pk)
    if not access.can_edit_plan(_user(request), plan):
        raise PermissionDenied
    if not plan.editable:
        messages.info(
            request,
            "Choose 'Change my plan' before you change it."
            if plan.person_id == request.user.pk
            else "Choose 'Change the plan' before you change it.",
        )
        raise _Redirect(reverse("budgets:plan", args=[plan.pk]))
    return plan


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def outcome_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable(request, pk)
    form = forms.OutcomeForm(_posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            outcome := attempt(
                form,
                lambda: add_outcome(
                    plan=plan,
                    actor=_user(request),
                    text=form.cleaned_data["text"],
                    wellbeing=form.cleaned_data["wellbeing"],
                    open_to_sharing=form.cleaned_data["open_to_sharing"],
                    request=request,
                ),
                refused=BudgetsError,
            )
        )
    ):
        return redirect("budgets:support-choose", plan.pk, outcome.value.pk)
    return render(
        request,
        "budgets/outcome_new.html",
        {"plan": plan, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
@require_POST
def outcome_remove(request: HttpRequest, pk: int, outcome_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    outcome = get_object_or_404(PlanOutcome, pk=outcome_id, plan=plan)
    try:
        remove_outcome(outcome=outcome, actor=_user(request), request=request)
    except BudgetsError as error:
        messages.error(request, error.message)
    return redirect("budgets:plan", plan.pk)


def _the_plan(request: HttpRequest, plan: SupportPlan) -> str:
    """ "your plan" to the person; "Pat's plan" to a broker editing it with them."""
    from budgets.presentation import whose

    return f"{whose(_user(request), plan.person, capital=False)} plan"


def _outcome(plan: SupportPlan, outcome_id: int) -> PlanOutcome:
    return get_object_or_404(PlanOutcome, pk=outcome_id, plan=plan)


@login_required
@_guarded
def support_choose(request: HttpRequest, pk: int, outcome_id: int) -> HttpResponse:
    plan = _editable(request, pk)
    outcome = _outcome(plan, outcome_id)
    return render(
        request,
        "budgets/support_choose.html",
        {"plan": plan, "outcome": outcome, "wellbeing": labels(outcome.wellbeing)},
    )


@login_required
@_guarded
def support_service_search(request: HttpRequest, pk: int, outcome_id: int) -> HttpResponse:
    plan = _editable(request, pk)
    outcome = _outcome(plan, outcome_id)
    q = request.GET.get("q", "").strip()[:100]
    results = None
    if q:
        from directory.search import parse_search

        params = {"q": [q], "personal_budgets": ["1"] if request.GET.get("pb") else []}
        results = directory.search_services(parse_search(params), page_size=10)
    return render(
        request,
        "budgets/support_service_search.html",
        {"plan": plan, "outcome": outcome, "q": q, "results": results},
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def support_service(
    request: HttpRequest, pk: int, outcome_id: int, service_id: str
) -> HttpResponse:
    plan = _editable(request, pk)
    outcome = _outcome(plan, outcome_id)
    service = directory.service_for_page(service_id)
    if service is None:
        raise Http404("No such service")
    costs = [c for c in service.cost_options.all() if c.amount is not None]
    schedules = list(service.schedules.all())
    initial = {
        "unit_cost": costs[0].amount if costs else None,
        "units_per_week": Decimal(1),
        "schedule": "; ".join(
            f"{', '.join(s.day_names())} {s.opens_at:%H:%M}–{s.closes_at:%H:%M}"
            if s.opens_at and s.closes_at
            else ", ".join(s.day_names())
            for s in schedules
        )[:200],
    }
    form = forms.ServiceLineForm(_posted(request), initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: add_line(
                outcome=outcome,
                actor=_user(request),
                kind=PlanLine.Kind.SERVICE,
                description=service.name,
                service=service,
                schedule=form.cleaned_data["schedule"],
                unit_cost=form.cleaned_data["unit_cost"],
                units_per_week=form.cleaned_data["units_per_week"],
                request=request,
            ),
            refused=BudgetsError,
        )
    ):
        messages.success(request, f"{service.name} has been added to {_the_plan(request, plan)}.")
        return redirect("budgets:plan", plan.pk)
    return render(
        request,
        "budgets/support_service.html",
        {"plan": plan, "outcome": outcome, "service": service, "costs": costs, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def support_time_bank(request: HttpRequest, pk: int, outcome_id: int) -> HttpResponse:
    plan = _editable(request, pk)
    outcome = _outcome(plan, outcome_id)
    form = forms.TimeBankLineForm(_posted(request), initial={"minutes": "0"})
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: add_line(
                outcome=outcome,
                actor=_user(request),
                kind=PlanLine.Kind.TIME_BANK,
                description=form.cleaned_data["description"],
                who="Time bank members",
                schedule=form.cleaned_data["schedule"],
                minutes_per_week=form.cleaned_data["minutes_per_week"],
                request=request,
            ),
            refused=BudgetsError,
        )
    ):
        messages.success(request, f"Time bank hours have been added to {_the_plan(request, plan)}.")
        return redirect("budgets:plan", plan.pk)
    return render(
        request,
        "budgets/support_time_bank.html",
        {"plan": plan, "outcome": outcome, "form": form},
        status=400 if form.errors else 200,
    )


def _line_page(
    request: HttpRequest,
    pk: int,
    outcome_id: int,
    form_class: type[django_forms.Form],
    template: str,
    line: Callable[[dict[str, Any]], dict[str, Any]],
) -> HttpResponse:
    """A page that adds one line to an outcome: ``line`` turns the form's data into
    ``add_line``'s arguments; a refusal goes on its field."""
    plan = _editable(request, pk)
    outcome = _outcome(plan, outcome_id)
    form = form_class(_posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: add_line(
                outcome=outcome, actor=_user(request), request=request, **line(form.cleaned_data)
            ),
            refused=BudgetsError,
        )
    ):
        messages.success(request, f"This has been added to {_the_plan(request, plan)}.")
        return redirect("budgets:plan", plan.pk)
    return render(
        request,
        template,
        {"plan": plan, "outcome": outcome, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def support_other(request: HttpRequest, pk: int, outcome_id: int) -> HttpResponse:
    return _line_page(
        request,
        pk,
        outcome_id,
        forms.OtherLineForm,
        "budgets/support_other.html",
        lambda data: {
            "kind": data["kind"],
            "description": data["description"],
            "who": data["who"],
            "schedule": data["schedule"],
            "weekly_cost": data.get("weekly_cost") or Decimal("0"),
            "minutes_per_week": (data.get("hours") or 0) * 60,
        },
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def support_not_found(request: HttpRequest, pk: int, outcome_id: int) -> HttpResponse:
    """Record support the person looked for and could not find (the gap in the market)."""
    return _line_page(
        request,
        pk,
        outcome_id,
        forms.NotFoundLineForm,
        "budgets/support_not_found.html",
        lambda data: {
            "kind": PlanLine.Kind.NOT_FOUND,
            "description": data["description"],
            "need": data["need"],
        },
    )


@login_required
@_guarded
@require_POST
def line_remove(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    line = get_object_or_404(PlanLine, pk=line_id, plan=plan)
    try:
        remove_line(line=line, actor=_user(request), request=request)
    except BudgetsError as error:
        messages.error(request, error.message)
    return redirect("budgets:plan", plan.pk)


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def plan_money(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's own financial assessment, attached to their plan."""
    plan = _plan(request, pk)
    previous = plan.financial_assessment
    initial: dict[str, Any] = {"setting": "home", "couple": "no"}
    if plan.budget is not None:
        initial["weekly_cost_of_care"] = plan.budget.weekly
    form = forms.CalculatorForm(_posted(request), initial=initial)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            save_financial_assessment(
                person=plan.person,
                actor=_user(request),
                inputs=charging.inputs_from_form(form.cleaned_data),
                plan=plan,
                request=request,
            )
        except BudgetsError as error:
            refusal = error.message
        else:
            messages.success(
                request,
                "Your contribution has been worked out and added to your plan."
                if plan.person_id == request.user.pk
                else f"{plan.person.get_full_name()}'s contribution has been worked out and "
                "added to their plan.",
            )
            return redirect("budgets:plan-money", plan.pk)
    elif previous is not None:
        _viewed(request, previous, plan.person, "Viewed the financial assessment")
    return render(
        request,
        "budgets/plan_money.html",
        {
            "plan": plan,
            "form": form,
            "previous": previous,
            "refusal": refusal,
            "action": request.path,
        },
        status=400 if form.errors or refusal else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def plan_neighbourhood(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    hoods = {str(h.pk): h for h in directory.neighbourhoods()}
    form = forms.NeighbourhoodForm(
        _posted(request),
        choices=[(k, h.name) for k, h in hoods.items()],
        initial={"neighbourhood": plan.neighbourhood_id},
    )
    if request.method == "POST" and form.is_valid():
        set_neighbourhood(
            plan=plan,
            actor=_user(request),
            neighbourhood=hoods[form.cleaned_data["neighbourhood"]],
            request=request,
        )
        return redirect("budgets:plan", plan.pk)
    return render(request, "budgets/plan_neighbourhood.html", {"plan": plan, "form": form})


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def plan_propose(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable(request, pk)
    totals = plan_totals(plan)
    form = forms.ProposeForm(
        _posted(request),
        initial={
            "top_up_weekly": plan.top_up_weekly,
            "over_budget_reason": plan.over_budget_reason,
        },
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            version := attempt(
                form,
                lambda: propose_plan(
                    plan=plan,
                    actor=_user(request),
                    top_up_weekly=form.cleaned_data.get("top_up_weekly") or Decimal("0"),
                    over_budget_reason=form.cleaned_data["over_budget_reason"],
                    request=request,
                ),
                refused=BudgetsError,
            )
        )
    ):
        messages.success(
            request,
            f"Your plan (version {version.value.number}) has been sent for agreement. "
            "You will see the decision here.",
        )
        return redirect("budgets:plan", plan.pk)
    return render(
        request,
        "budgets/plan_propose.html",
        {"plan": plan, "totals": totals, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def plan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not access.can_decide_plan(_user(request), plan):
        raise PermissionDenied
    form = forms.DecisionForm(_posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: decide_plan(
                plan=plan,
                actor=_user(request),
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                request=request,
            ),
            refused=BudgetsError,
        )
    ):
        messages.success(request, "Your decision has been recorded. The person can see it.")
        return redirect("budgets:plan", plan.pk)
    return render(
        request,
        "budgets/plan_decide.html",
        {"plan": plan, "totals": plan_totals(plan), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not access.can_review_plan(_user(request), plan):
        raise PermissionDenied
    review = open_review(plan)
    if review is None:
        raise Http404("No review is waiting for this plan")
    own = plan.person_id == _user(request).pk
    form = forms.ReviewForm(_posted(request), own=own)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: complete_review(
                plan=plan,
                actor=_user(request),
                result=form.cleaned_data["result"],
                notes=form.cleaned_data["notes"],
                took_part=form.cleaned_data["took_part"],
                next_in_months=form.cleaned_data["next_in_months"],
                request=request,
            ),
            refused=BudgetsError,
        )
    ):
        messages.success(
            request,
            "Your review has been recorded."
            if own
            else "The review has been recorded. The person can see it.",
        )
        return redirect("budgets:plan", plan.pk)
    _viewed(request, plan, plan.person, "Opened the support plan's review")
    # What the person's own measures and goals say has changed since the last review (or since
    # the plan was written): the review starts from their scores, not only the practitioner's view.
    last_done = plan.reviews.filter(done_on__isnull=False).order_by("-done_on").first()
    since = (
        last_done.done_on
        if last_done is not None and last_done.done_on is not None
        else timezone.localdate(plan.created_at)
    )
    return render(
        request,
        "budgets/plan_review.html",
        {
            "plan": plan,
            "review": review,
            "form": form,
            "totals": plan_totals(plan),
            "outcome_changes": outcome_selectors.changes_since(plan.person, since),
            "own": own,
        },
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
@require_POST
def plan_change(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    reopen_plan(plan=plan, actor=_user(request), request=request)
    messages.info(request, "You can now change your plan. The versions before are kept.")
    return redirect("budgets:plan", plan.pk)


@login_required
@_guarded
def plan_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = _plan(request, pk)
    version = get_object_or_404(plan.versions, number=number)
    _viewed(request, plan, plan.person, f"Viewed version {number} of the support plan")
    return render(
        request,
        "budgets/plan_version.html",
        {
            "plan": plan,
            "version": version,
            "snapshot": version.snapshot,
            "wellbeing_labels": dict(WellbeingDomain.choices),
            "kind_labels": dict(PlanLine.Kind.choices),
        },
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def account_open(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not access.can_open_account(_user(request), plan):
        raise PermissionDenied
    form = forms.OpenAccountForm(_posted(request), initial={"period_start": timezone.localdate()})
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            account := attempt(
                form,
                lambda: open_account(
                    plan=plan,
                    actor=_user(request),
                    kind=form.cleaned_data["kind"],
                    period_start=form.cleaned_data["period_start"],
                    request=request,
                ),
                refused=BudgetsError,
            )
        )
    ):
        return redirect("budgets:account", account.value.pk)
    return render(
        request,
        "budgets/account_open.html",
        {"plan": plan, "form": form, "totals": plan_totals(plan)},
        status=400 if form.errors else 200,
    )


# --- budget account ------------------------------------------------------------------------------


def _account(request: HttpRequest, pk: int) -> BudgetAccount:
    account = selectors.account_for_page(pk)
    if account is None:
        raise Http404("No such account")
    _may_open(request, account.person_id, access.can_view_account(_user(request), account))
    return account


def _period(
    request: HttpRequest, account: BudgetAccount
) -> tuple[forms.StatementForm, dt.date, dt.date]:
    today = timezone.localdate()
    default_start = max(account.period_start, today.replace(day=1) - dt.timedelta(days=62))
    default_end = min(account.period_end, max(today, account.period_start))
    form = forms.StatementForm(
        request.GET if "start" in request.GET else None,
        initial={"start": default_start, "end": default_end},
    )
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default_start, default_end


def _kinds_for(user: User, account: BudgetAccount) -> list[str]:
    return [
        kind
        for kind in ("provider_payment", "contribution", "refund", "allocation")
        if access.can_record(user, account, kind)
    ]


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    user = _user(request)
    kinds = _kinds_for(user, account)
    payees = selectors.payees(account)
    form = forms.TransactionForm(
        _posted(request),
        kinds=kinds,
        payees=payees,
        holder=None if account.person_id == user.pk else account.person.get_full_name(),
        initial={"payee": payees[0] if payees else ""},
    )
    if request.method == "POST" and kinds and form.is_valid():
        data = form.cleaned_data
        try:
            posted = post(
                account=account,
                actor=user,
                kind=data["kind"],
                amount=data["amount"],
                effective=data["effective"],
                key=data["key"],
                payee=data["payee"],
                memo=data["memo"],
                request=request,
            )
        except BudgetsError as error:
            _error(form, error)
        except access.NotAllowed as error:
            form.add_error(None, str(error))
        else:
            if posted.created:
                messages.success(request, "This has been recorded.")
            else:
                messages.info(request, "This was already recorded, so it has not been added again.")
            return redirect("budgets:account", account.pk)
    _viewed(request, account, account.person, "Viewed the budget account")
    today = timezone.localdate()
    scheduled = selectors.scheduled(account, today)
    correctable = [
        kind for kind in selectors.KIND_LABELS if access.can_correct(user, account, kind)
    ]
    pool_lines = selectors.pool_lines(account)
    period_form, start, end = _period(request, account)
    found, rows = selectors.statement(account, start, end)
    spending = selectors.spending_by_payee(account)
    totals = plan_totals(account.plan)
    biggest = max((m.units for _, m in spending), default=0) or 1
    return render(
        request,
        "budgets/account.html",
        {
            "account": account,
            "balance": selectors.account_balance(account, today),
            "scheduled": scheduled,
            "scheduled_total": ledger.Money(
                sum(selectors.amount_for(account, t) for t in scheduled)
            ),
            "today": today,
            "pool_lines": pool_lines,
            "record_kinds": kinds,
            "pool_line_keys": {p.line.pk: uuid.uuid4().hex for p in pool_lines},
            "projection": selectors.projection(account, timezone.localdate()),
            "statement": found,
            "rows": rows,
            "kind_labels": selectors.KIND_LABELS,
            "period_form": period_form,
            "start": start,
            "end": end,
            "form": form,
            "can_record": bool(kinds),
            "can_correct": bool(correctable),
            "correctable": correctable,
            "reversed": set(
                LedgerTransaction.objects.filter(
                    account=account, reverses__isnull=False
                ).values_list("reverses__key", flat=True)
            ),
            "spending": [
                (payee, money, round(300 * money.units / biggest), index * 40)
                for index, (payee, money) in enumerate(spending)
            ],
            "chart_height": 40 * len(spending),
            "totals": totals,
            "weekly_in": totals.council_weekly + totals.contribution_weekly,
            "own": account.person_id == user.pk,
        },
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def account_correct(request: HttpRequest, pk: int, transaction_id: int) -> HttpResponse:
    """Correct one record, found by its id: a key is whatever its form sent, so never part of a
    link."""
    account = _account(request, pk)
    original = get_object_or_404(LedgerTransaction, account=account, pk=transaction_id)
    user = _user(request)
    if not access.can_correct(user, account, original.kind):
        raise PermissionDenied
    practitioner = access.practitioner_for(user, account.person_id)
    form = forms.ReverseForm(_posted(request), practitioner=practitioner)
    if request.method == "POST" and form.is_valid():
        try:
            reverse_transaction(
                account=account,
                actor=_user(request),
                original_key=original.key,
                reason=form.cleaned_data["reason"],
                key=form.cleaned_data["key"],
                below_zero_reason=form.cleaned_data.get("below_zero_reason", ""),
                request=request,
            )
        except BudgetsError as error:
            _error(form, error)
        except access.NotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The correction has been recorded.")
            return redirect("budgets:account", account.pk)
    return render(
        request,
        "budgets/account_correct.html",
        {
            "account": account,
            "original": original,
            "amount": ledger.Money(
                next(
                    p.amount_pence
                    for p in original.postings.all()
                    if p.ledger_account == account.ledger_id
                )
            ),
            "form": form,
            "practitioner": practitioner,
            "kind_labels": selectors.KIND_LABELS,
        },
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
def account_csv(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    _, start, end = _period(request, account)
    record_audit(
        actor=_user(request),
        action=AuditEvent.Action.EXPORT,
        target=account,
        subject=account.person,
        summary=f"Downloaded the statement {start} to {end}",
        request=request,
    )
    response = HttpResponse(
        selectors.statement_csv(account, start, end), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="budget-statement-{start.isoformat()}-to-{end.isoformat()}.csv"'
    )
    return response


# --- pooling -------------------------------------------------------------------------------------


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def pools(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.is_practitioner(user):
        raise PermissionDenied
    hoods = list(directory.neighbourhoods())
    chosen = request.GET.get("neighbourhood", "")
    hood = next((h for h in hoods if str(h.pk) == chosen), None)
    groups = selectors.pool_candidates(hood.pk, access.caseload_people(user)) if hood else {}
    domain = request.GET.get("domain", "")
    candidates = groups.get(domain, [])
    form = forms.PoolForm(_posted(request), candidates=candidates) if candidates else None
    if request.method == "POST" and form is not None and form.is_valid() and hood is not None:
        members = [
            (outcome, form.cleaned_data[f"share_{outcome.pk}"])
            for outcome in candidates
            if form.cleaned_data[f"share_{outcome.pk}"]
        ]
        service = (
            directory.service_for_page(form.cleaned_data["service_id"])
            if form.cleaned_data["service_id"]
            else None
        )
        if pool := attempt(
            form,
            lambda: create_pool(
                actor=user,
                name=form.cleaned_data["name"],
                neighbourhood=hood,
                service=service,
                weekly_cost=form.cleaned_data["weekly_cost"],
                members=members,
                over_budget_reason=form.cleaned_data.get("over_budget_reason", ""),
                request=request,
            ),
            refused=BudgetsError,
        ):
            messages.success(request, "The pool has been suggested to each person.")
            return redirect("budgets:pool", pool.value.pk)
    return render(
        request,
        "budgets/pools.html",
        {
            "hoods": hoods,
            "hood": hood,
            "groups": {labels([code])[0]: (code, items) for code, items in groups.items()},
            "domain": domain,
            "form": form,
            "pools": selectors.pools_for(user)[:50],
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pool = get_object_or_404(Pool.objects.select_related("neighbourhood", "service"), pk=pk)
    user = _user(request)
    members = list(pool.members.select_related("outcome__plan__person"))
    mine = next((m for m in members if m.outcome.plan.person_id == user.pk), None)
    practitioner = access.is_practitioner(user)
    if mine is None and not (
        practitioner and selectors.pools_for(user).filter(pk=pool.pk).exists()
    ):
        raise PermissionDenied
    # Practitioners see the names of people on their caseload; others are "someone near you".
    named = (
        set(
            access.caseload(user)
            .filter(person_id__in=[m.outcome.plan.person_id for m in members])
            .values_list("person_id", flat=True)
        )
        if practitioner
        else set()
    )
    manages = (
        practitioner
        and mine is None
        and all(access.reaches(user, m.outcome.plan.person_id) for m in members)
        and pool.status in (Pool.Status.FORMING, Pool.Status.DECLINED)
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    resplit = forms.ResplitForm(
        request.POST if action == "resplit" else None,
        members=members,
        named=named,
        initial={"weekly_cost": pool.weekly_cost},
    )
    if request.method == "POST" and manages and action == "cancel":
        try:
            cancel_pool(pool=pool, actor=user, request=request)
        except BudgetsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The pool has been cancelled and everyone has been told.")
        return redirect("budgets:pool", pool.pk)
    if request.method == "POST" and manages and action == "resplit":
        if resplit.is_valid() and attempt(
            resplit,
            lambda: resplit_pool(
                pool=pool,
                actor=user,
                shares=resplit.shares(),
                weekly_cost=resplit.cleaned_data["weekly_cost"],
                over_budget_reason=resplit.cleaned_data.get("over_budget_reason", ""),
                request=request,
            ),
            refused=BudgetsError,
        ):
            messages.success(request, "The new shares have been sent to everyone.")
            return redirect("budgets:pool", pool.pk)
    elif request.method == "POST" and mine is not None:
        try:
            respond_to_pool(
                member=mine, actor=user, agree=request.POST.get("agree") == "yes", request=request
            )
        except BudgetsError as error:
            messages.error(request, error.message)
        return redirect("budgets:pool", pool.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "budgets/pool.html",
        {
            "pool": pool,
            "members": members,
            "mine": mine,
            "practitioner": practitioner,
            "named": named,
            "manages": manages,
            "form": resplit if manages else None,
        },
        status=400 if manages and resplit.errors else 200,
    )


# --- caseloads and break glass -------------------------------------------------------------------


def _safe_next(request: HttpRequest, raw: str) -> str:
    """Only a page of this app on this site; anything else goes to the support home page."""
    if raw.startswith(reverse("budgets:home")) and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return reverse("budgets:home")


@login_required
@require_POST
def break_glass(request: HttpRequest) -> HttpResponse:
    """A practitioner gives a reason to open the records of someone outside their caseload."""
    user = _user(request)
    if not access.is_practitioner(user):
        raise PermissionDenied
    form = forms.BreakGlassForm(request.POST)
    if not form.is_valid():
        person_id = form.cleaned_data.get("person") or 0
        return _break_glass_page(request, person_id, form, status=400)
    person = get_object_or_404(User, pk=form.cleaned_data["person"])
    if not attempt(
        form,
        lambda: caseload_services.break_glass(
            actor=user, person=person, reason=form.cleaned_data["reason"], request=request
        ),
        refused=BudgetsError,
    ):
        return _break_glass_page(request, person.pk, form, status=400)
    messages.warning(
        request,
        f"You can open this person's records for {access.BREAK_GLASS_HOURS} hours. "
        "Your reason has been recorded.",
    )
    return redirect(_safe_next(request, form.cleaned_data["next"]))


@login_required
@_guarded
@require_http_methods(["GET", "POST"])
def caseloads(request: HttpRequest) -> HttpResponse:
    """Coordinators and administrators put people on practitioners' (or teams') caseloads."""
    user = _user(request)
    if not access.can_assign_caseloads(user):
        raise PermissionDenied
    form = forms.CaseAssignForm(_posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: assign_caseload(
                actor=user,
                person=form.cleaned_data["person"],
                practitioner=form.cleaned_data["practitioner"],
                team=form.cleaned_data["team"],
                request=request,
            ),
            refused=BudgetsError,
        )
    ):
        messages.success(request, "The caseload has been updated.")
        return redirect("budgets:caseloads")
    return render(
        request,
        "budgets/caseloads.html",
        {"form": form, "assignments": selectors.assignments()[:200]},
        status=400 if form.errors else 200,
    )


@login_required
@_guarded
@require_POST
def caseload_remove(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = _user(request)
    if not access.can_assign_caseloads(user):
        raise PermissionDenied
    assignment = get_object_or_404(
        CaseAssignment.objects.select_related("person", "practitioner", "team"), pk=assignment_id
    )
    unassign_caseload(actor=user, assignment=assignment, request=request)
    messages.success(request, "The caseload has been updated.")
    return redirect("budgets:caseloads")
