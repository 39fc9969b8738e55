from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import signed_in_user
from accounts.models import AuditEvent, User
from accounts.services import record_audit
from connect import selectors as connect_selectors
from directory import (
    enquiry_routing,
    imports,
    listing_details,
    permissions,
    selectors,
    synonyms,
)
from directory.forms import (
    EnquiryForm,
    FactsForm,
    ListingForm,
    ModerationDecisionForm,
    OnboardingCheckForm,
    PassedOnForm,
    ProviderReplyForm,
    ReplyForm,
    ReviewForm,
    SearchForm,
    SynonymsForm,
)
from directory.models import (
    Enquiry,
    EnquiryDelivery,
    Language,
    ListingChange,
    Organization,
    Review,
    SearchSynonymList,
    Service,
    TransparencyFact,
)
from directory.search import DAY_NAMES, SearchError, ServiceSearch, parse_search, to_query
from directory.services import enquiries, listings, onboarding, providers, reviews
from directory.services._common import DirectoryError
from evidence.services import record_search_demand


def search(request: HttpRequest) -> HttpResponse:
    params = {key: request.GET.getlist(key) for key in request.GET}
    form = SearchForm(
        request.GET or None,
        categories=[(t.id, t.name) for t in selectors.categories()],
        neighbourhoods=[(n.slug, n.name) for n in selectors.neighbourhoods()],
        languages=sorted(
            {
                (c.lower(), n)
                for c, n in Language.objects.exclude(code="").values_list("code", "name").distinct()
            },
            key=lambda p: p[1],
        ),
    )
    error = None
    results = None
    query = None
    try:
        query = parse_search(params)
        results = selectors.search_services(query)
    except SearchError as problem:
        error = problem
        form.is_valid()
        form.add_error(
            problem.parameter if problem.parameter in form.fields else None, problem.message
        )
    context: dict[str, Any] = {
        "form": form,
        "error": error,
        "results": results,
        "day_names": DAY_NAMES,
    }
    if results is not None and query is not None and query.q and query.page == 1:
        # The gap in the market: words that found little, kept without anything about who searched.
        hood = form.neighbourhood_name(query.neighbourhood)
        record_search_demand(query.q, results.total, hood)
    if results is not None and query is not None:
        context["page_links"] = {
            "previous": urlencode(to_query(query, page=results.page - 1))
            if results.page > 1
            else None,
            "next": urlencode(to_query(query, page=results.page + 1))
            if results.page < results.pages
            else None,
        }
        context["share_query"] = urlencode(to_query(query, page=1))
        words_only = ServiceSearch(q=query.q)
        if replace(query, page=1, sort="relevance") != words_only:
            context["clear_filters"] = urlencode(to_query(words_only))
        if query.day:
            # Each card says when the service is open on the day asked for.
            times = selectors.opening_times_on([s.pk for s in results.services], query.day)
            for service in results.services:
                service.times_on_day = times.get(service.pk, [])  # type: ignore[attr-defined]
            context["day_name"] = DAY_NAMES[query.day]
    elif error is not None and params:
        context["clear_filters"] = ""
    return render(request, "directory/search.html", context, status=400 if error else 200)


def service_detail(request: HttpRequest, service_id: str) -> HttpResponse:
    service = selectors.service_for_page(service_id)
    if service is None:
        raise Http404("No such service")
    context = {
        "service": service,
        "rating": selectors.rating_summary(service),
        "reviews": selectors.published_reviews(service),
        "own_review": selectors.unpublished_review_by(service, request.user),
        "day_names": DAY_NAMES,
        "can_manage": permissions.can_act_for(request.user, service.organization),
        "referral_terms": referral_terms(service.pk),
    }
    return render(request, "directory/service.html", context)


def referral_terms(service_id: str) -> dict[str, str]:
    """What the service said to link workers (``connect``): whether it takes social prescribing
    referrals and its typical wait, each "Not known" when it has not said."""
    terms = connect_selectors.service_terms(service_id)
    if terms is None:
        return {"taking": "Not known", "wait": "Not known"}
    wait = terms.typical_wait_days
    return {
        "taking": "Yes" if terms.takes_referrals else "No",
        "wait": "Not known" if wait is None else f"{wait} day{'' if wait == 1 else 's'}",
    }


def organization_detail(request: HttpRequest, org_id: str) -> HttpResponse:
    organization = selectors.organization_for_page(org_id)
    if organization is None:
        raise Http404("No such organisation")
    known = {f.fact: f for f in organization.transparency_facts.all()}
    facts = [(label, known.get(code)) for code, label in TransparencyFact.Fact.choices]
    context = {
        "organization": organization,
        "facts": facts,
        "checks": organization.onboarding_checks.all(),
        "services": selectors.public_services().filter(organization=organization),
        "can_manage": permissions.can_act_for(request.user, organization),
        "is_coordinator": permissions.is_moderator(request.user),
    }
    return render(request, "directory/organization.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def enquiry_new(request: HttpRequest, service_id: str) -> HttpResponse:
    service = get_object_or_404(
        selectors.public_services().select_related("organization"), pk=service_id
    )
    routing = enquiry_routing.route_for(service)
    form = EnquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enquiry = enquiries.send_enquiry(
            person=signed_in_user(request),
            service=service,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            request=request,
        )
        sent_to = enquiry.messages.select_related("delivery").first()
        if sent_to is not None and sent_to.delivery.route == EnquiryDelivery.Route.COORDINATORS:
            text = (
                "Your enquiry has been sent to the council's directory team, who will pass it "
                f"on to {service.organization.name}."
            )
        else:
            text = f"Your enquiry has been sent to {service.organization.name}."
        messages.success(request, text)
        return redirect("directory:enquiry", enquiry.pk)
    return render(
        request,
        "directory/enquiry_new.html",
        {
            "form": form,
            "service": service,
            "routing": routing,
            "route_explained": enquiry_routing.explain(service, routing),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enquiry_thread(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    enquiry = get_object_or_404(
        Enquiry.objects.select_related("service__organization", "person"), pk=enquiry_id
    )
    user = signed_in_user(request)
    if not permissions.can_see_enquiry(user, enquiry):
        raise Http404("No such enquiry")
    can_reply = permissions.can_reply_to_enquiry(user, enquiry)
    passing_on = not can_reply  # a coordinator who passes it on
    form = ReplyForm(request.POST or None) if can_reply else None
    pass_form = PassedOnForm(request.POST or None) if passing_on else None
    if request.method == "POST" and form is not None and form.is_valid():
        enquiries.reply_to_enquiry(
            author=user,
            enquiry=enquiry,
            body=form.cleaned_data["body"],
            request=request,
        )
        messages.success(request, "Your reply has been sent.")
        return redirect("directory:enquiry", enquiry.pk)
    if request.method == "POST" and pass_form is not None and pass_form.is_valid():
        try:
            enquiries.record_passed_on(
                coordinator=user,
                enquiry=enquiry,
                note=pass_form.cleaned_data["note"],
                request=request,
            )
        except DirectoryError as problem:
            pass_form.add_error("note", str(problem))
        else:
            messages.success(request, "Recorded: the enquiry has been passed on.")
            return redirect("directory:enquiry", enquiry.pk)
    if request.method == "GET":
        record_audit(
            actor=user,
            action=AuditEvent.Action.VIEW,
            target=enquiry,
            subject=enquiry.person,
            summary="Read an enquiry",
            request=request,
        )
    thread = [
        (m, enquiry_routing.status_of(m))
        for m in enquiry.messages.select_related("author", "delivery")
    ]
    waiting = any(
        not m.from_provider
        and status is not None
        and m.delivery.state in (EnquiryDelivery.State.WAITING, EnquiryDelivery.State.FAILED)
        for m, status in thread
    )
    return render(
        request,
        "directory/enquiry.html",
        {
            "enquiry": enquiry,
            "thread": thread,
            "form": form,
            "pass_form": pass_form if waiting else None,
            "is_person": enquiry.person_id == user.pk,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    orgs = providers.organizations_of(user)
    received = (
        Enquiry.objects.filter(service__organization__in=orgs).select_related("service", "person")
        if orgs
        else Enquiry.objects.none()
    )
    sent = Enquiry.objects.filter(person=user).select_related("service__organization")
    return render(
        request,
        "directory/inbox.html",
        {"received": received, "sent": sent, "is_provider": bool(orgs)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, service_id: str) -> HttpResponse:
    service = get_object_or_404(selectors.public_services(), pk=service_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reviews.submit_review(
                author=signed_in_user(request),
                service=service,
                rating=form.cleaned_data["rating"],
                body=form.cleaned_data["body"],
                used_service_on=form.cleaned_data["used_service_on"],
            )
        except DirectoryError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(
                request, "Thank you. Your review will appear once a coordinator has checked it."
            )
            return redirect("directory:service", service.pk)
    return render(request, "directory/review_new.html", {"form": form, "service": service})


@login_required
@require_http_methods(["GET", "POST"])
def review_reply(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(Review.objects.select_related("service__organization"), pk=review_id)
    user = signed_in_user(request)
    if not permissions.can_see_review(user, review):
        # An unpublished review is not there for the provider: not even that it was written.
        raise Http404("No such review")
    if not permissions.can_act_for(user, review.service.organization):
        raise PermissionDenied
    if review.state != Review.State.PUBLISHED:
        raise Http404("No such review")  # a reply is public, so only to a published review
    form = ProviderReplyForm(request.POST or None, initial={"reply": review.provider_reply})
    if request.method == "POST" and form.is_valid():
        reviews.reply_to_review(
            author=user,
            review=review,
            reply=form.cleaned_data["reply"],
        )
        messages.success(request, "Your reply has been published.")
        return redirect("directory:service", review.service.pk)
    return render(request, "directory/review_reply.html", {"form": form, "review": review})


@login_required
def provider_home(request: HttpRequest) -> HttpResponse:
    orgs = providers.organizations_of(signed_in_user(request))
    if not orgs:
        raise PermissionDenied
    listed = Service.objects.filter(organization__in=orgs).select_related("organization")
    changes = ListingChange.objects.filter(organization__in=orgs).select_related("service")[:50]
    published = Review.objects.filter(
        service__organization__in=orgs, state=Review.State.PUBLISHED
    ).select_related("service")[:50]
    return render(
        request,
        "directory/provider_home.html",
        {"listings": listed, "changes": changes, "reviews": published, "organizations": orgs},
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest, service_id: str) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("organization"), pk=service_id)
    user = signed_in_user(request)
    if not permissions.can_act_for(user, service.organization):
        raise PermissionDenied
    form = ListingForm(request.POST or None, instance=Service.objects.get(pk=service.pk))
    if request.method == "POST" and form.is_valid():
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in ListingForm.Meta.fields
        }
        changes.update(form.changed_details())
        try:
            listings.propose_listing_change(
                author=signed_in_user(request),
                service=service,
                changes=changes,
            )
        except DirectoryError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(
                request,
                "Your change has been sent to a coordinator. It will appear "
                "on your listing once it is published.",
            )
            return redirect("directory:provider-home")
    return render(request, "directory/listing_edit.html", {"form": form, "service": service})


def _require_moderator(request: HttpRequest) -> User:
    """The signed-in coordinator or administrator making the request (403 for anyone else)."""
    user = signed_in_user(request)
    if not permissions.is_moderator(user):
        raise PermissionDenied
    return user


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    changes = ListingChange.objects.filter(state=ListingChange.State.PENDING).select_related(
        "service", "organization", "submitted_by"
    )
    waiting = Review.objects.filter(state=Review.State.PENDING).select_related("service", "author")
    latest = imports.recent_runs(1).first()
    context = {
        "changes": changes,
        "to_pass_on": enquiry_routing.enquiries_to_pass_on(),
        "reviews": waiting,
        "latest_import": latest,
        "latest_attention": imports.attention_count(latest) if latest else 0,
    }
    return render(request, "directory/moderation.html", context)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    runs = [(run, imports.attention_count(run)) for run in imports.recent_runs()]
    return render(request, "directory/import_list.html", {"runs": runs})


@login_required
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    _require_moderator(request)
    run = imports.run_or_none(run_id)
    if run is None:
        raise Http404("No such import")
    context = {"run": run, "sections": imports.sections(run)}
    return render(request, "directory/import_detail.html", context)


@login_required
def import_report(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run's machine-readable report (record, field, problem, action), as JSON."""
    _require_moderator(request)
    run = imports.run_or_none(run_id)
    if run is None:
        raise Http404("No such import")
    body = {
        "feed": run.feed,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "summary": run.summary,
        "exit_status": run.outcome,
        "problems": run.problems,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="oruk-import-{run.pk}-report.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def moderate_change(request: HttpRequest, change_id: int) -> HttpResponse:
    moderator = _require_moderator(request)
    change = get_object_or_404(
        ListingChange.objects.select_related("service", "organization"),
        pk=change_id,
        state=ListingChange.State.PENDING,
    )
    form = ModerationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listings.decide_listing_change(
                moderator=moderator,
                change=change,
                publish=form.cleaned_data["decision"] == "publish",
                reason=form.cleaned_data["reason"],
            )
        except DirectoryError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, "Decision recorded.")
            return redirect("directory:moderation")
    if change.service is None:  # declared facts about the organisation
        known = {f.fact: f.value for f in change.organization.transparency_facts.all()}
        labels = dict(TransparencyFact.Fact.choices)
        rows = [
            (labels.get(fact, fact), known.get(fact, "Not known"), value or "Not known")
            for fact, value in change.proposed.get("facts", {}).items()
        ]
    else:
        now = listing_details.current(change.service)
        rows = [
            (
                listing_details.LABELS[name],
                listing_details.describe(name, now[name]),
                listing_details.describe(name, value),
            )
            if name in listing_details.DETAILS
            else (
                ListingForm.Meta.labels.get(name, name),
                getattr(change.service, name, ""),
                value,
            )
            for name, value in change.proposed.items()
        ]
    return render(
        request, "directory/moderate_change.html", {"form": form, "change": change, "rows": rows}
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderate_review(request: HttpRequest, review_id: int) -> HttpResponse:
    moderator = _require_moderator(request)
    review = get_object_or_404(Review.objects.select_related("service", "author"), pk=review_id)
    form = ModerationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reviews.moderate_review(
            moderator=moderator,
            review=review,
            publish=form.cleaned_data["decision"] == "publish",
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "Decision recorded.")
        return redirect("directory:moderation")
    return render(request, "directory/moderate_review.html", {"form": form, "review": review})


@login_required
@require_http_methods(["GET", "POST"])
def facts_edit(request: HttpRequest, org_id: str) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=org_id)
    user = signed_in_user(request)
    if not permissions.can_act_for(user, organization):
        raise PermissionDenied
    known = {f.fact: f.value for f in organization.transparency_facts.all()}
    form = FactsForm(request.POST or None, initial=known)
    if request.method == "POST" and form.is_valid():
        try:
            listings.propose_facts(
                author=user,
                organization=organization,
                facts={k: (v or "").strip() for k, v in form.cleaned_data.items()},
            )
        except DirectoryError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, "Thank you. A coordinator will check and publish your facts.")
            return redirect("directory:organization", organization.pk)
    return render(
        request, "directory/facts_edit.html", {"form": form, "organization": organization}
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_record(request: HttpRequest, org_id: str) -> HttpResponse:
    coordinator = _require_moderator(request)
    organization = get_object_or_404(Organization, pk=org_id)
    form = OnboardingCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        onboarding.record_onboarding_check(
            coordinator=coordinator,
            organization=organization,
            **form.cleaned_data,
        )
        messages.success(request, "The check has been recorded.")
        return redirect("directory:organization", organization.pk)
    return render(
        request, "directory/check_record.html", {"form": form, "organization": organization}
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_new(request: HttpRequest, org_id: str) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=org_id)
    user = signed_in_user(request)
    if not permissions.can_act_for(user, organization):
        raise PermissionDenied
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        listings.propose_new_service(
            author=user,
            organization=organization,
            fields={
                **{name: form.cleaned_data[name] for name in ListingForm.Meta.fields},
                **form.changed_details(),
            },
        )
        messages.success(
            request,
            "Your new service has been sent to a coordinator. It will be "
            "listed once it is published.",
        )
        return redirect("directory:provider-home")
    return render(
        request, "directory/listing_new.html", {"form": form, "organization": organization}
    )


@login_required
@require_http_methods(["GET", "POST"])
def synonyms_edit(request: HttpRequest) -> HttpResponse:
    """Coordinators edit the search synonyms; saving takes effect on the next search."""
    coordinator = _require_moderator(request)
    saved = synonyms.current()
    if request.method == "POST" and "restore" in request.POST:
        form = SynonymsForm({"text": synonyms.shipped_text(), "note": "Back to the shipped list"})
    else:
        form = SynonymsForm(request.POST or None, initial={"text": synonyms.text_in_force()})
    if request.method == "POST" and form.is_valid():
        try:
            synonyms.save(
                coordinator=coordinator,
                text=form.cleaned_data["text"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except synonyms.SynonymError as problem:
            for message in str(problem).split("; "):
                form.add_error("text", message)
        else:
            messages.success(request, "Saved. The next search uses these synonyms.")
            return redirect("directory:synonyms")
    history = SearchSynonymList.objects.select_related("saved_by")[:10]
    return render(
        request,
        "directory/synonyms.html",
        {"form": form, "saved": saved, "history": history},
        status=400 if request.method == "POST" else 200,
    )
