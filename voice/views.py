"""People's voice pages. Thin: check who is asking, call a selector or a service, render.
Giving feedback works without an account and without JavaScript, one question per page (the
answers so far are kept in the session until the check-your-answers page sends them)."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from accounts.http import signed_in_user
from directory import selectors as directory_selectors
from rules.voice.coproduction import KINDS, changes, priority
from rules.voice.quality import CheckResult, describe_gap, format_score
from rules.voice.quality_parameters import RUBRIC
from voice import forms, permissions, selectors
from voice.models import Change, Feedback, QualityCheck, Team
from voice.services import changes as changes_services
from voice.services import checks as checks_services
from voice.services import moderation as moderation_services
from voice.services import responses as responses_services
from voice.services._common import VoiceRefused
from voice.services.checks import credit_organisations, publish_check, respond_to_check
from voice.services.clocks import clock_area, clock_for
from voice.services.coproduction import record_coproduction
from voice.services.experts import add_expert, register_expert
from voice.services.feedback import submit_feedback
from voice.services.responses import acknowledge
from voice.services.scores import submit_scores, submit_self_assessment
from voice.services.visits import record_visit_pair
from wellbeing_hub.form_attempts import attempt
from wellbeing_hub.spreadsheets import SafeCsvWriter

DRAFT = "voice_draft"


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "voice/not_allowed.html", {"message": message}, status=403)


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "voice/home.html",
        {"teams": selectors.teams(), "stories": selectors.published()[:5]},
    )


# --- giving feedback, one question per page -----------------------------------------------------


def _staff_entry(request: HttpRequest, draft: dict[str, Any]) -> bool:
    return bool(draft.get("staff")) and permissions.can_enter_for_others(request.user)


def _steps(request: HttpRequest, draft: dict[str, Any]) -> list[str]:
    steps = ["source"] if _staff_entry(request, draft) else []
    steps.append("about")
    steps.append(
        {"service": "service", "team": "team", "other": "topic"}.get(
            draft.get("about", ""), "which"
        )
    )
    steps += ["kind", "given-as", "text", "identity"]
    signed_in_self = request.user.is_authenticated and not _staff_entry(request, draft)
    if draft.get("identity") != Feedback.Identity.ANONYMOUS and not signed_in_self:
        steps.append("contact")
    steps.append("check")
    return steps


STEP_FORMS: dict[str, tuple[type[django_forms.Form], str]] = {
    "source": (forms.SourceForm, "How was this feedback received?"),
    "about": (forms.AboutForm, "What is your feedback about?"),
    "service": (forms.ServiceForm, "Which service is it about?"),
    "team": (forms.TeamForm, "Which council team is it about?"),
    "topic": (forms.TopicForm, "What is it about?"),
    "kind": (forms.KindForm, "What kind of feedback is it?"),
    "given-as": (forms.GivenAsForm, "Who is giving this feedback?"),
    "text": (forms.TextForm, "Tell us what happened"),
    "identity": (forms.IdentityForm, "Can we tell the provider who you are?"),
    "contact": (forms.ContactForm, "Your contact details"),
}


def start(request: HttpRequest) -> HttpResponse:
    """Begin again. ``?service=<id>`` (from a service's page) answers the first two questions;
    ``?staff=1`` lets staff enter feedback received by phone or on paper."""
    draft: dict[str, Any] = {}
    if request.GET.get("staff") and permissions.can_enter_for_others(request.user):
        draft["staff"] = True
    service_id = request.GET.get("service", "")
    if service_id:
        service = directory_selectors.service_for_page(service_id)
        if service is None:
            raise Http404("No such service")
        draft.update(about="service", service_id=str(service.pk), service_name=service.name)
    request.session[DRAFT] = draft
    steps = _steps(request, draft)
    first = next(s for s in steps if s not in ("about", "service") or not service_id)
    return redirect("voice:give", step=first)


def _team_choices() -> list[tuple[str, str]]:
    return [(str(t.pk), t.name) for t in selectors.teams()]


def _make_form(step: str, data: Any, initial: dict[str, Any]) -> django_forms.Form:
    form_class, _ = STEP_FORMS[step]
    if step == "team":
        return forms.TeamForm(data, initial=initial, teams=_team_choices())
    return form_class(data, initial=initial)


def _find_service(form: django_forms.Form) -> tuple[str, str] | None:
    wanted = form.cleaned_data["service_name"].strip()
    found = directory_selectors.public_services().filter(name__iexact=wanted)[:2]
    if len(found) != 1:
        found = (
            directory_selectors.public_services()
            .filter(name__icontains=wanted)
            .order_by("name")[:6]
        )
    if len(found) == 1:
        return str(found[0].pk), found[0].name
    if not found:
        form.add_error(
            "service_name",
            f"We could not find a service called ‘{wanted}’. Check the spelling, or go back and choose ‘Something else’",
        )
    else:
        names = "; ".join(s.name for s in found[:5])
        form.add_error(
            "service_name",
            f"More than one service matches ‘{wanted}’. Enter the full name, for example: {names}",
        )
    return None


@require_http_methods(["GET", "POST"])
def give(request: HttpRequest, step: str) -> HttpResponse:
    draft: dict[str, Any] = request.session.get(DRAFT, {})
    steps = _steps(request, draft)
    if step == "check":
        return _check(request, draft, steps)
    if step not in STEP_FORMS or step not in steps:
        raise Http404("No such question")
    # Answer the questions in order: an earlier unanswered one comes first.
    for earlier in steps[: steps.index(step)]:
        if not _answered(earlier, draft):
            return redirect("voice:give", step=earlier)
    form = _make_form(step, request.POST if request.method == "POST" else None, draft)
    if request.method == "POST" and form.is_valid():
        answers = dict(form.cleaned_data)
        if step == "service":
            found = _find_service(form)
            if found is not None:
                answers.update(service_id=found[0], service_name=found[1])
        if not form.errors:
            if step == "about" and answers["about"] != draft.get("about"):
                for key in (
                    "service_id",
                    "service_name",
                    "service_name",
                    "team",
                    "topic",
                    "topic_text",
                ):
                    draft.pop(key, None)
            draft.update(answers)
            request.session[DRAFT] = draft
            steps = _steps(request, draft)
            following = [s for s in steps[steps.index(step) + 1 :] if not _answered(s, draft)]
            return redirect("voice:give", step=following[0] if following else "check")
    index = steps.index(step)
    back = reverse("voice:give", args=[steps[index - 1]]) if index else reverse("voice:home")
    return render(
        request,
        "voice/question.html",
        {
            "form": form,
            "title": STEP_FORMS[step][1],
            "back": back,
            "service_name": draft.get("service_name", ""),
        },
        status=400 if form.errors else 200,
    )


def _answered(step: str, draft: dict[str, Any]) -> bool:
    keys = {
        "source": "source",
        "about": "about",
        "service": "service_id",
        "team": "team",
        "topic": "topic",
        "kind": "kind",
        "given-as": "given_as",
        "text": "text",
        "identity": "identity",
        "contact": "name",
        "which": "__never__",
    }
    return step == "check" or bool(draft.get(keys[step]))


def _check(request: HttpRequest, draft: dict[str, Any], steps: list[str]) -> HttpResponse:
    for step in steps[:-1]:
        if not _answered(step, draft):
            return redirect("voice:give", step=step)
    team = Team.objects.filter(pk=draft["team"]).first() if draft.get("team") else None
    error = ""
    if request.method == "POST":
        staff = _staff_entry(request, draft)
        try:
            feedback = submit_feedback(
                about=draft["about"],
                kind=draft["kind"],
                given_as=draft["given_as"],
                text=draft["text"],
                identity=draft["identity"],
                service_id=draft.get("service_id", ""),
                team=team,
                topic=draft.get("topic", ""),
                topic_text=draft.get("topic_text", ""),
                name=draft.get("name", ""),
                email=draft.get("email", ""),
                author=None if staff else permissions.signed_in(request.user),
                source=draft.get("source", Feedback.Source.ONLINE)
                if staff
                else Feedback.Source.ONLINE,
                entered_by=permissions.signed_in(request.user) if staff else None,
                request=request,
            )
        except VoiceRefused as refusal:
            error = refusal.message
        else:
            request.session.pop(DRAFT, None)
            return redirect("voice:thanks", reference=feedback.reference)
    rows = []
    labels = {
        "source": (
            "How it was received",
            dict(Feedback.Source.choices).get(draft.get("source", ""), ""),
        ),
        "about": ("About", dict(Feedback.About.choices).get(draft.get("about", ""), "")),
        "service": ("Service", draft.get("service_name", "")),
        "team": ("Council team", team.name if team else ""),
        "topic": (
            "What it is about",
            " – ".join(
                x
                for x in (
                    dict(Feedback.Topic.choices).get(draft.get("topic", ""), ""),
                    draft.get("topic_text", ""),
                )
                if x
            ),
        ),
        "kind": ("Kind", dict(Feedback.Kind.choices).get(draft.get("kind", ""), "")),
        "given-as": ("From", dict(Feedback.GivenAs.choices).get(draft.get("given_as", ""), "")),
        "text": ("Your feedback", draft.get("text", "")),
        "identity": (
            "Your name",
            dict(Feedback.Identity.choices).get(draft.get("identity", ""), ""),
        ),
        "contact": (
            "Contact",
            " ".join(x for x in (draft.get("name", ""), draft.get("email", "")) if x),
        ),
    }
    for step in steps[:-1]:
        label, value = labels[step]
        rows.append({"label": label, "value": value, "url": reverse("voice:give", args=[step])})
    return render(
        request, "voice/check.html", {"rows": rows, "error": error}, status=400 if error else 200
    )


def thanks(request: HttpRequest, reference: str) -> HttpResponse:
    return render(request, "voice/thanks.html", {"reference": reference})


# --- public stories and figures -------------------------------------------------------------------


def service_stories(request: HttpRequest, service_id: str) -> HttpResponse:
    service = directory_selectors.service_for_page(service_id)
    if service is None:
        raise Http404("No such service")
    org_id = str(service.organization.pk) if service.organization else ""
    ack, resp = selectors.response_figures(organization_id=org_id)
    return render(
        request,
        "voice/stories.html",
        {
            "subject": service.name,
            "stories": selectors.stories_for_service(str(service.pk)),
            "give_url": reverse("voice:start") + f"?service={service.pk}",
            "figures_for": service.organization.name if service.organization else "",
            "ack": ack,
            "resp": resp,
            "today": timezone.localdate(),
        },
    )


def team_stories(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    ack, resp = selectors.response_figures(team=team)
    return render(
        request,
        "voice/stories.html",
        {
            "subject": team.name,
            "stories": selectors.stories_for_team(team),
            "give_url": reverse("voice:start"),
            "figures_for": team.name,
            "ack": ack,
            "resp": resp,
            "today": timezone.localdate(),
        },
    )


def story(request: HttpRequest, reference: str) -> HttpResponse:
    found = selectors.story(reference)
    if found is None:
        raise Http404("No such story")
    return render(
        request,
        "voice/story.html",
        {
            "story": found,
            "status": selectors.status_of(found),
            "overdue": selectors.ack_overdue(found, timezone.localdate())
            or selectors.response_overdue(found, timezone.localdate()),
        },
    )


def board(request: HttpRequest) -> HttpResponse:
    return render(request, "voice/board.html", {"changes": selectors.change_board()})


def statistics(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "voice/statistics.html",
        {
            "moderation": selectors.moderation_statistics(),
            "organisations": selectors.organisations_figures(),
            "clocks": [(label, clock_for(kind)) for kind, label in Feedback.Kind.choices],
            "area": clock_area(),
        },
    )


# --- moderation ---------------------------------------------------------------------------------


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    if not permissions.is_moderator(request.user):
        return _refused(
            request, "Only the independent voice moderators can see the moderation queue."
        )
    return render(request, "voice/moderation.html", {"queue": selectors.moderation_queue()})


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, reference: str) -> HttpResponse:
    if not permissions.is_moderator(request.user):
        return _refused(request, "Only the independent voice moderators can moderate feedback.")
    feedback = get_object_or_404(Feedback, reference=reference)
    form = forms.ModerateForm(
        request.POST if request.method == "POST" else None,
        initial={
            "published_text": feedback.published_text or feedback.text,
            "themes": feedback.themes,
        },
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: moderation_services.moderate(
                feedback=feedback,
                moderator=signed_in_user(request),
                request=request,
                **form.cleaned_data,
            ),
            refused=VoiceRefused,
        )
    ):
        return redirect("voice:moderation")
    return render(
        request,
        "voice/moderate.html",
        {
            "feedback": feedback,
            "form": form,
            "who": selectors.identity_for(feedback, request.user),
            "decisions": feedback.decisions.all(),
            "changes": feedback.changes.all(),
        },
        status=400 if form.errors else 200,
    )


# --- responding ---------------------------------------------------------------------------------


@login_required
def responder_home(request: HttpRequest) -> HttpResponse:
    items = selectors.for_responder(request.user)
    return render(request, "voice/responder.html", {"items": items, "today": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, reference: str) -> HttpResponse:
    feedback = get_object_or_404(Feedback, reference=reference)
    if not permissions.can_respond(request.user, feedback):
        return _refused(request, "You cannot respond to this feedback.")
    acknowledging = feedback.acknowledged_at is None and request.POST.get("action") != "respond"
    form: django_forms.Form
    data = request.POST if request.method == "POST" else None
    form = forms.AcknowledgeForm(data) if acknowledging else forms.RespondForm(data)
    answer = acknowledge if acknowledging else responses_services.respond
    if (
        request.method == "POST"
        and feedback.responded_at is None
        and form.is_valid()
        and attempt(
            form,
            lambda: answer(
                feedback=feedback,
                user=signed_in_user(request),
                request=request,
                **form.cleaned_data,
            ),
            refused=VoiceRefused,
        )
    ):
        return redirect("voice:respond", reference=feedback.reference)
    today = timezone.localdate()
    return render(
        request,
        "voice/respond.html",
        {
            "feedback": feedback,
            "form": form if feedback.responded_at is None else None,
            "acknowledging": acknowledging,
            "who": selectors.identity_for(feedback, request.user),
            "status": selectors.status_of(feedback, today),
        },
        status=400 if form.errors else 200,
    )


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    if not permissions.may_see_overdue(request.user):
        return _refused(request, "Only commissioners and moderators can see the overdue list.")
    today = timezone.localdate()
    return render(
        request,
        "voice/overdue.html",
        {
            "items": selectors.overdue(today),
            "checks": selectors.overdue_checks(today),
            "today": today,
        },
    )


# --- the person's own feedback ------------------------------------------------------------------


@login_required
def yours(request: HttpRequest) -> HttpResponse:
    items = [(f, selectors.status_of(f)) for f in selectors.mine(request.user)]
    return render(request, "voice/yours.html", {"items": items})


@login_required
@require_http_methods(["POST"])
def confirm_change(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(Change, pk=pk)
    try:
        changes_services.confirm_change(
            change=change, user=signed_in_user(request), request=request
        )
    except VoiceRefused as refusal:
        return _refused(request, refusal.message)
    return redirect("voice:yours")


@login_required
@require_http_methods(["GET", "POST"])
def verify_change(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.is_moderator(request.user):
        return _refused(request, "Only the independent voice moderators can verify a change.")
    change = get_object_or_404(Change, pk=pk)
    form = forms.EvidenceForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: changes_services.verify_change(
                change=change,
                moderator=signed_in_user(request),
                request=request,
                **form.cleaned_data,
            ),
            refused=VoiceRefused,
        )
    ):
        return redirect("voice:moderate", reference=change.feedback.reference)
    return render(
        request,
        "voice/simple_form.html",
        {"form": form, "title": "Verify a change was made", "intro": change.description},
        status=400 if form.errors else 200,
    )


# --- open data ----------------------------------------------------------------------------------

OPEN_CSV_COLUMNS = [
    "reference",
    "kind",
    "subject",
    "organization",
    "team",
    "themes",
    "published_on",
    "received_on",
    "acknowledge_by",
    "acknowledged_on",
    "respond_by",
    "responded_on",
    "text",
    "response",
]


def open_data_json(request: HttpRequest) -> HttpResponse:
    """Published stories and their response times (documented in docs/voice.md)."""
    return JsonResponse(
        {"licence": "Open Government Licence v3.0", "stories": selectors.open_stories()},
        json_dumps_params={"ensure_ascii": False},
    )


def open_data_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="feedback-stories.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(OPEN_CSV_COLUMNS)
    for row in selectors.open_stories():
        themes = row["themes"]
        assert isinstance(themes, list), "open_stories gives each story's themes as a list"
        row = dict(row, themes="; ".join(themes))
        writer.writerow("" if row[c] is None else row[c] for c in OPEN_CSV_COLUMNS)
    return response


# --- experts-by-experience quality checks -------------------------------------------------------


def _check_or_404(reference: str) -> QualityCheck:
    check = selectors.check_by_reference(reference)
    if check is None:
        raise Http404("No such quality check")
    return check


def _domain_rows(result: CheckResult) -> list[dict[str, Any]]:
    themes = {d.key: d for d in RUBRIC}
    return [
        {
            "theme": themes[d.domain].theme,
            "question": themes[d.domain].question,
            "scores": ", ".join(str(s) for s in d.scores) or "None",
            "not_seen": d.not_seen,
            "combined": format_score(d.combined),
            "spread": "Not known" if d.spread is None else d.spread,
            "agreement": d.agreement_label,
            "rwg": format_score(d.agreement, 2) if d.agreement is not None else "",
            "self_score": "Not known" if d.self_score is None else d.self_score,
            "gap": describe_gap(d.gap),
        }
        for d in result.domains
    ]


def checks_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "voice/checks.html",
        {
            "published": selectors.published_checks(),
            "open": selectors.open_checks() if permissions.is_moderator(user) else [],
            "moderator": permissions.is_moderator(user),
            "mine": selectors.checks_for_expert(user),
            "about_us": selectors.checks_for_responder(user) if user.is_authenticated else [],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_check(request: HttpRequest) -> HttpResponse:
    if not permissions.is_moderator(request.user):
        return _refused(request, "Only the independent voice moderators can plan quality checks.")
    form = forms.PlanCheckForm(
        request.POST if request.method == "POST" else None,
        teams=_team_choices(),
        organisations=[(str(m.pk), m.name) for m in credit_organisations()],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service: tuple[str, str] | None = ("", "")
        if data["about"] == QualityCheck.About.SERVICE:
            service = _find_service(form)
        if service is not None and (
            check := attempt(
                form,
                lambda: checks_services.plan_check(
                    lead=signed_in_user(request),
                    about=data["about"],
                    service_id=service[0],
                    team=Team.objects.filter(pk=data["team"]).first() if data["team"] else None,
                    visit_date=data["visit_date"],
                    minutes_per_expert=data["minutes_per_expert"],
                    credits_member_id=int(data["credits_member"])
                    if data["credits_member"]
                    else None,
                    request=request,
                ),
                refused=VoiceRefused,
            )
        ):
            return redirect("voice:check-manage", reference=check.value.reference)
    return render(
        request, "voice/check_plan.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_check(request: HttpRequest, reference: str) -> HttpResponse:
    if not permissions.is_moderator(request.user):
        return _refused(request, "Only the independent voice moderators can run quality checks.")
    check = _check_or_404(reference)
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("action")
    add_form = forms.AddExpertForm(posted if action == "add" else None)
    publish_form = forms.PublishCheckForm(posted if action == "publish" else None)
    places = list(check.experts.select_related("expert").order_by("label"))
    pair_form = forms.VisitPairForm(
        posted if action == "pair" else None,
        places=[
            (
                str(p.pk),
                f"{p.label}: {p.expert.get_full_name() or p.expert.username}"
                if p.expert
                else f"{p.label}: account erased",
            )
            for p in places
        ],
    )
    if request.method == "POST":
        if (
            action == "add"
            and add_form.is_valid()
            and attempt(
                add_form,
                lambda: add_expert(
                    lead=signed_in_user(request),
                    check=check,
                    request=request,
                    **add_form.cleaned_data,
                ),
                refused=VoiceRefused,
            )
        ):
            return redirect("voice:check-manage", reference=check.reference)
        if (
            action == "pair"
            and pair_form.is_valid()
            and attempt(
                pair_form,
                lambda: record_visit_pair(
                    lead=signed_in_user(request),
                    check=check,
                    request=request,
                    **pair_form.cleaned_data,
                ),
                refused=VoiceRefused,
            )
        ):
            return redirect("voice:check-manage", reference=check.reference)
        if (
            action == "publish"
            and publish_form.is_valid()
            and attempt(
                publish_form,
                lambda: publish_check(
                    lead=signed_in_user(request),
                    check=check,
                    summary=publish_form.cleaned_data["summary"],
                    request=request,
                ),
                refused=VoiceRefused,
            )
        ):
            return redirect("voice:check", reference=check.reference)
    errors = add_form.errors or pair_form.errors or publish_form.errors
    return render(
        request,
        "voice/check_manage.html",
        {
            "check": check,
            "places": places,
            "pairs": selectors.visit_pairs(check),
            "add_form": add_form,
            "pair_form": pair_form,
            "publish_form": publish_form,
            "form": add_form
            if add_form.errors
            else pair_form
            if pair_form.errors
            else publish_form,
            "sent": len(selectors.sent_places(check)),
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def expert_register(request: HttpRequest) -> HttpResponse:
    if not permissions.is_moderator(request.user):
        return _refused(request, "Only the independent voice moderators keep the register.")
    form = forms.RegisterExpertForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: register_expert(
                lead=signed_in_user(request),
                request=request,
                **form.cleaned_data,
            ),
            refused=VoiceRefused,
        )
    ):
        return redirect("voice:check-experts")
    return render(
        request,
        "voice/check_experts.html",
        {"form": form, "experts": selectors.expert_register()},
        status=400 if form.errors else 200,
    )


def check_report(request: HttpRequest, reference: str) -> HttpResponse:
    """The published report: public. Before publication only moderators see the check."""
    check = _check_or_404(reference)
    if check.state != QualityCheck.State.PUBLISHED:
        if permissions.is_moderator(request.user):
            return redirect("voice:check-manage", reference=check.reference)
        raise Http404("No such quality check")
    result = selectors.result_for(check)
    return render(
        request,
        "voice/check_report.html",
        {
            "check": check,
            "result": result,
            "rows": _domain_rows(result),
            "overall": format_score(result.overall),
            "overall_gap": describe_gap(result.overall_gap),
            "overdue": selectors.check_response_overdue(check),
            "can_respond": permissions.can_answer_for_check(request.user, check)
            and check.responded_at is None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def score_check(request: HttpRequest, reference: str) -> HttpResponse:
    check = _check_or_404(reference)
    place = check.experts.filter(expert=signed_in_user(request)).first()
    if place is None:
        return _refused(request, "Only the experts on this check can score it.")
    form = forms.ExpertScoresForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and place.submitted_at is None and form.is_valid():
        data = dict(form.cleaned_data)
        notes = data.pop("notes")
        if attempt(
            form,
            lambda: submit_scores(
                expert=signed_in_user(request),
                check=check,
                scores=data,
                notes=notes,
                request=request,
            ),
            refused=VoiceRefused,
        ):
            return redirect("voice:check-score", reference=check.reference)
    return render(
        request,
        "voice/check_score.html",
        {"check": check, "place": place, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def self_assess_check(request: HttpRequest, reference: str) -> HttpResponse:
    check = _check_or_404(reference)
    if not permissions.can_answer_for_check(request.user, check):
        return _refused(request, "Only the provider or team being checked can assess itself.")
    form = forms.ScoresForm(
        request.POST if request.method == "POST" else None,
        initial={
            k: ("not_seen" if v is None else str(v)) for k, v in check.self_assessment.items()
        },
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: submit_self_assessment(
                user=signed_in_user(request),
                check=check,
                scores=form.cleaned_data,
                request=request,
            ),
            refused=VoiceRefused,
        )
    ):
        return redirect("voice:checks")
    return render(
        request,
        "voice/check_self.html",
        {"check": check, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def respond_check(request: HttpRequest, reference: str) -> HttpResponse:
    check = _check_or_404(reference)
    if not permissions.can_answer_for_check(request.user, check):
        return _refused(request, "Only the provider or team that was checked can respond.")
    form = forms.CheckResponseForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: respond_to_check(
                user=signed_in_user(request),
                check=check,
                text=form.cleaned_data["text"],
                request=request,
            ),
            refused=VoiceRefused,
        )
    ):
        return redirect("voice:check", reference=check.reference)
    return render(
        request,
        "voice/simple_form.html",
        {
            "form": form,
            "title": f"Respond to the quality check of {check.subject_name}",
            "intro": "Your response is published with the report.",
        },
        status=400 if form.errors else 200,
    )


CHECK_CSV_COLUMNS = [
    "reference",
    "subject",
    "organization",
    "team",
    "visit_date",
    "published_on",
    "experts",
    "domain",
    "scores",
    "not_seen",
    "combined",
    "spread",
    "agreement_rwg",
    "agreement",
    "self_assessment",
    "gap",
    "respond_by",
    "responded_on",
]


def open_checks_json(request: HttpRequest) -> HttpResponse:
    """Published quality-check reports (documented in docs/voice.md)."""
    return JsonResponse(
        {"licence": "Open Government Licence v3.0", "checks": selectors.open_checks_data()},
        json_dumps_params={"ensure_ascii": False},
    )


def open_checks_csv(request: HttpRequest) -> HttpResponse:
    """One row per check and domain."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="quality-checks.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(CHECK_CSV_COLUMNS)
    for check in selectors.open_checks_data():
        domains = check["domains"]
        assert isinstance(domains, list), "open_checks_data gives each check's domains as a list"
        for domain in domains:
            row = {**check, **domain, "scores": " ".join(str(s) for s in domain["scores"])}
            writer.writerow("" if row.get(c) is None else row[c] for c in CHECK_CSV_COLUMNS)
    return response


# --- co-production self-assessment --------------------------------------------------------------


def coproduction_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "voice/coproduction.html",
        {
            "subjects": selectors.coproduction_subjects(),
            "can_record": permissions.can_record_coproduction(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def coproduction_new(request: HttpRequest) -> HttpResponse:
    if not permissions.can_record_coproduction(request.user):
        return _refused(
            request, "Only moderators, commissioners and administrators can record this."
        )
    subject = (request.POST.get("subject") or request.GET.get("subject") or "").strip()[:200]
    today = timezone.localdate()
    initial: dict[str, Any] = {"subject": subject, "held_on": today.isoformat()}
    earlier = selectors.coproduction_history(slugify(subject)[:80]) if subject else []
    if earlier:  # pre-fill from the last workshop, to be confirmed or corrected
        for kind, rating in earlier[-1].ratings.items():
            initial.update({f"{kind}_{k}": str(v) for k, v in rating.items()})
    form = forms.CoproductionForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    held_on = today
    if request.method == "POST" and form.is_valid():
        held_on = form.cleaned_data["held_on"]
        if assessment := attempt(
            form,
            lambda: record_coproduction(
                user=signed_in_user(request),
                subject=form.cleaned_data["subject"],
                held_on=held_on,
                participants=form.cleaned_data["participants"],
                ratings=form.ratings(),
                prefill=selectors.coproduction_prefill(form.cleaned_data["subject"], held_on),
                request=request,
            ),
            refused=VoiceRefused,
        ):
            return redirect("voice:coproduction-history", subject_key=assessment.value.subject_key)
    prefill = selectors.coproduction_prefill(subject, held_on)
    return render(
        request,
        "voice/coproduction_form.html",
        {
            "form": form,
            "kinds": [
                {
                    "label": label,
                    "description": description,
                    "evidence": [p for p in prefill if p["kind"] == key],
                    "fields": [
                        form[f"{key}_{part}"] for part in ("rung", "impact", "effort", "notes")
                    ],
                }
                for key, label, description in KINDS
            ],
            "earlier": earlier[-1] if earlier else None,
        },
        status=400 if form.errors else 200,
    )


def coproduction_history(request: HttpRequest, subject_key: str) -> HttpResponse:
    history = selectors.coproduction_history(subject_key)
    if not history:
        raise Http404("No self-assessment of that organisation or project")
    rows = []
    history_rungs = [(a.held_on, {k: r["rung"] for k, r in a.ratings.items()}) for a in history]
    # ``changes`` sorts by date with a stable sort; ``history`` is already in that order.
    for assessment, (_day, kinds) in zip(history, changes(history_rungs), strict=True):
        rows.append(
            {
                "assessment": assessment,
                "kinds": [
                    {
                        "change": c,
                        "priority": priority(
                            assessment.ratings[c.kind]["impact"],
                            assessment.ratings[c.kind]["effort"],
                        ),
                        "notes": assessment.ratings[c.kind].get("notes", ""),
                    }
                    for c in kinds
                ],
            }
        )
    rows.reverse()  # newest first
    return render(
        request,
        "voice/coproduction_history.html",
        {
            "subject": history[-1].subject,
            "rows": rows,
            "can_record": permissions.can_record_coproduction(request.user),
        },
    )
