"""The outcome record's pages. Thin: check who is asking, call a selector or a service, render.
Every page that shows or changes a person's record writes an audit event; aggregate pages never
show a named person."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import signed_in_user
from accounts.models import AuditEvent, User
from accounts.services import record_audit
from budgets import selectors as budget_selectors
from budgets.access import OutsideCaseload
from outcomes import access, charts, forms, selectors
from outcomes.measures import offered, registry, threshold_values, wording_measures
from outcomes.models import AnswerSet, AreaWording, Goal, GoalStep, Helper, WorkItem
from outcomes.services._common import OutcomesRefused, profile_for, today
from outcomes.services.answers import record_answers
from outcomes.services.follow_ups import close_work_item, start_follow_up
from outcomes.services.follow_ups import report as report_follow_up
from outcomes.services.goals import add_step, mark_step_done, review_goal, set_goal
from outcomes.services.record import pen_holder_writing, set_consent, set_family_led, set_groups
from outcomes.services.sharing import grant_helper, revoke_helper
from outcomes.services.wording import MAX_WORDING_FILE_BYTES, load_wording, withdraw_wording
from rules.outcomes import AnswerError, UnknownMeasureError
from wellbeing_hub.form_attempts import attempt
from wellbeing_hub.spreadsheets import SafeCsvWriter


def _refused(request: HttpRequest, message: str = "You cannot see this record.") -> HttpResponse:
    return render(request, "outcomes/not_allowed.html", {"message": message}, status=403)


def _person(request: HttpRequest, person_id: int) -> User:
    person = get_object_or_404(User, pk=person_id, is_active=True)
    if not access.can_open(signed_in_user(request), person.pk):
        if signed_in_user(request).has_role(*access.RECORD_ROLES):
            raise OutsideCaseload(person.pk)
        raise access.NotAllowed("You cannot see this person's outcome record.")
    return person


def _audit_view(request: HttpRequest, target: Any, person: User, summary: str) -> None:
    record_audit(
        actor=signed_in_user(request),
        action=AuditEvent.Action.VIEW,
        target=target,
        subject=person,
        summary=summary,
        request=request,
    )


def guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; a refusal is a 403 page that says why (never a traceback)."""

    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except OutsideCaseload:
            return _refused(request, "This person is not on your caseload.")
        except access.NotAllowed as refusal:
            return _refused(request, str(refusal))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _data(request: HttpRequest) -> Any:
    """The posted form, even when empty (an empty post must show its errors, not a blank form)."""
    return request.POST if request.method == "POST" else None


def _put_error(form: Any, refusal: OutcomesRefused) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


# --- home and the record -------------------------------------------------------------------------


@guarded
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if access.can_see_aggregates(user) or access.teams_of(user):
        return render(
            request,
            "outcomes/home.html",
            {
                "aggregates": access.can_see_aggregates(user),
                "wording": access.can_manage_wording(user),
                "teams": access.teams_of(user),
                "helping": selectors.people_helped_by(user),
            },
        )
    helping = selectors.people_helped_by(user)
    if helping:
        return render(request, "outcomes/home.html", {"helping": helping, "own": True})
    return redirect("outcomes:record", user.pk)


@guarded
def record(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    profile = profile_for(person)
    _audit_view(request, profile, person, "Viewed their outcome record")
    goals = [(goal, selectors.progress_of(goal)) for goal in selectors.goals_of(person)]
    return render(
        request,
        "outcomes/record.html",
        {
            "person": person,
            "is_self": person.pk == signed_in_user(request).pk,
            "profile": profile,
            "series": selectors.all_series(person),
            "measures": offered(),
            "goals": goals,
            "helpers": selectors.helpers_of(person),
            "follow_up": selectors.follow_up_of(person),
            "can_follow_up": access.can_start_follow_up(signed_in_user(request), person.pk),
        },
    )


def _on_behalf_of(request: HttpRequest, person: User) -> str | None:
    """The person's name when someone else is filling in their questionnaire."""
    return None if person.pk == signed_in_user(request).pk else person.get_full_name()


def _measure(measure_id: str) -> Any:
    try:
        return registry().get(measure_id)
    except UnknownMeasureError:
        raise Http404("No such measure") from None


@guarded
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, person_id: int, measure_id: str) -> HttpResponse:
    person = _person(request, person_id)
    measure = _measure(measure_id)
    if not measure.scorable or measure.id not in {m.id for m in offered()}:
        raise Http404("This measure cannot be answered here")
    first = not selectors.answer_sets(person, measure.id).exists()
    form = forms.MeasureForm(
        _data(request),
        measure=measure,
        initial={"answered_on": today(), "occasion": "chosen"},
        on_behalf_of=_on_behalf_of(request, person),
        ask_occasion=not first,
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_answers(
                person=person,
                actor=signed_in_user(request),
                measure_id=measure.id,
                answers=form.answers(),
                answered_on=form.cleaned_data["answered_on"],
                occasion=AnswerSet.Occasion.START
                if first
                else form.cleaned_data.get("occasion") or AnswerSet.Occasion.CHOSEN,
                answered_by=form.answered_by(),
                request=request,
            )
        except AnswerError as error:
            for problem in error.problems:
                item = (
                    measure.item(problem.item_id) if problem.item_id in measure.item_ids else None
                )
                text = (
                    f"Answer '{item.topic}'"
                    if problem.kind == "missing" and item
                    else problem.message
                )
                form.add_error(problem.item_id if problem.item_id in form.fields else None, text)
        except OutcomesRefused as refusal:
            _put_error(form, refusal)
        else:
            messages.success(request, f"{measure.name}: answers saved")
            return redirect("outcomes:measure", person.pk, measure.id)
    return render(
        request,
        "outcomes/answer.html",
        {
            "person": person,
            "measure": measure,
            "form": form,
            "first": first,
            "is_self": person.pk == signed_in_user(request).pk,
        },
    )


@guarded
def measure(request: HttpRequest, person_id: int, measure_id: str) -> HttpResponse:
    person = _person(request, person_id)
    found = selectors.series(person, _measure(measure_id).id)
    if found is None:
        raise Http404("No answers yet")
    _audit_view(request, person, person, f"Viewed their {found.measure.name} answers")
    chart = None
    m = found.measure
    if m.headline:
        spec = m.scoring.metric or m.scoring.raw
        assert spec is not None
        chart = charts.line_chart(
            f"{m.name}: {spec.label}",
            [
                (
                    p.on,
                    p.value,
                    p.direction if p.direction in ("improvement", "deterioration") else "",
                )
                for p in found.points
                if p.value is not None
            ],
            spec.min,
            spec.max,
        )
    return render(
        request,
        "outcomes/measure.html",
        {
            "person": person,
            "series": found,
            "chart": chart,
            "measure": m,
            "threshold": m.reliable_change.threshold if m.reliable_change else None,
        },
    )


# --- goals ---------------------------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    profile = profile_for(person)
    plan_outcomes = [(o.pk, o.text) for o in budget_selectors.plan_outcomes_of(person)]
    form = forms.GoalForm(
        _data(request), initial={"started_on": today()}, plan_outcomes=plan_outcomes
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            made := attempt(
                form,
                lambda: set_goal(
                    plan_outcome_id=form.cleaned_data.get("plan_outcome"),
                    person=person,
                    actor=signed_in_user(request),
                    text=form.cleaned_data["text"],
                    started_on=form.cleaned_data["started_on"],
                    starting_score=form.cleaned_data["starting_score"],
                    steps=form.steps(),
                    request=request,
                ),
                refused=OutcomesRefused,
            )
        )
    ):
        messages.success(request, "Goal saved")
        return redirect("outcomes:goal", made.value.pk)
    return render(
        request,
        "outcomes/goal_new.html",
        {
            "person": person,
            "form": form,
            "profile": profile,
            "written_as": pen_holder_writing(profile, signed_in_user(request))
            if profile.family_led
            else "",
        },
    )


def _goal(request: HttpRequest, pk: int) -> Goal:
    goal = get_object_or_404(Goal.objects.select_related("person"), pk=pk)
    _person(request, goal.person_id)
    return goal


@guarded
def goal(request: HttpRequest, pk: int) -> HttpResponse:
    found = _goal(request, pk)
    progress = selectors.progress_of(found)
    _audit_view(request, found, found.person, "Viewed a goal")
    chart = charts.line_chart(
        "Goal progress (0 to 10)",
        [
            (p.on, p.score, p.direction if p.direction != "no_reliable_change" else "")
            for p in progress.points
        ],
        0,
        10,
        ticks=6,
    )
    return render(
        request,
        "outcomes/goal.html",
        {
            "goal": found,
            "person": found.person,
            "progress": progress,
            "chart": chart,
            "steps": found.steps.all(),
            "step_form": forms.StepForm(),
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def goal_review(request: HttpRequest, pk: int) -> HttpResponse:
    found = _goal(request, pk)
    form = forms.ReviewForm(_data(request), initial={"rated_on": today()})
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: review_goal(
                goal=found,
                actor=signed_in_user(request),
                rated_on=form.cleaned_data["rated_on"],
                score_value=form.cleaned_data["score"],
                note=form.cleaned_data["note"],
                request=request,
            ),
            refused=OutcomesRefused,
        )
    ):
        messages.success(request, "Review saved")
        return redirect("outcomes:goal", found.pk)
    return render(
        request, "outcomes/goal_review.html", {"goal": found, "form": form, "person": found.person}
    )


@guarded
@require_POST
def step_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = _goal(request, pk)
    form = forms.StepForm(request.POST)
    if form.is_valid():
        add_step(
            goal=found,
            actor=signed_in_user(request),
            request=request,
            **form.cleaned_data,
        )
        messages.success(request, "Step added")
        return redirect("outcomes:goal", found.pk)
    progress = selectors.progress_of(found)
    chart = charts.line_chart(
        "Goal progress (0 to 10)", [(p.on, p.score, "") for p in progress.points], 0, 10, ticks=6
    )
    return render(
        request,
        "outcomes/goal.html",
        {
            "goal": found,
            "person": found.person,
            "progress": progress,
            "chart": chart,
            "steps": found.steps.all(),
            "step_form": form,
            "form": form,
        },
        status=400,
    )


@guarded
@require_POST
def step_done(request: HttpRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(GoalStep.objects.select_related("goal__person"), pk=pk)
    _person(request, step.goal.person_id)
    mark_step_done(step=step, actor=signed_in_user(request), request=request)
    return redirect("outcomes:goal", step.goal_id)


# --- choices on the record -----------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    access.require(
        access.can_set_consent(signed_in_user(request), person.pk),
        "Only the person can choose whether their answers count.",
    )
    profile = profile_for(person)
    form = forms.ConsentForm(
        _data(request),
        initial={
            "counts": "yes"
            if profile.counts_in_aggregates
            else ("no" if profile.consent_changed_at else None)
        },
    )
    if request.method == "POST" and form.is_valid():
        set_consent(
            person=person,
            actor=signed_in_user(request),
            counts=form.cleaned_data["counts"] == "yes",
            request=request,
        )
        messages.success(request, "Your choice is saved")
        return redirect("outcomes:record", person.pk)
    return render(
        request, "outcomes/consent.html", {"person": person, "form": form, "profile": profile}
    )


@guarded
@require_http_methods(["GET", "POST"])
def family(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    profile = profile_for(person)
    form = forms.FamilyForm(
        _data(request),
        initial={
            "family_led": profile.family_led,
            "pen_holder": profile.pen_holder,
            "pen_holder_account": profile.pen_holder_account_id,
        },
        helpers=[(h.helper_id, h.helper.get_full_name()) for h in selectors.helpers_of(person)],
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form,
            lambda: set_family_led(
                person=person,
                actor=signed_in_user(request),
                request=request,
                family_led=form.cleaned_data["family_led"],
                pen_holder=form.cleaned_data["pen_holder"],
                pen_holder_account_id=form.cleaned_data.get("pen_holder_account"),
            ),
            refused=OutcomesRefused,
        )
    ):
        messages.success(request, "Saved")
        return redirect("outcomes:record", person.pk)
    return render(
        request,
        "outcomes/simple_form.html",
        {
            "person": person,
            "form": form,
            "title": "Who writes this plan?",
            "intro": "In a family-led plan a family member holds the pen: they write the goals and "
            "reviews with you, and the record says so.",
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def helpers(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    access.require(
        access.can_manage_helpers(signed_in_user(request), person.pk),
        "Only the person can choose who helps them.",
    )
    form = forms.HelperForm(_data(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            grant := attempt(
                form,
                lambda: grant_helper(
                    person=person,
                    actor=signed_in_user(request),
                    identifier=form.cleaned_data["identifier"],
                    request=request,
                ),
                refused=OutcomesRefused,
            )
        )
    ):
        messages.success(
            request, f"{grant.value.helper.get_full_name()} can now help with your record"
        )
        return redirect("outcomes:record", person.pk)
    return render(
        request,
        "outcomes/simple_form.html",
        {
            "person": person,
            "form": form,
            "title": "Let a carer or family member help",
            "intro": "They will be able to see your outcome record, answer questionnaires and review "
            "goals with you. You can withdraw this at any time.",
        },
    )


@guarded
@require_POST
def helper_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(Helper, pk=pk)
    revoke_helper(grant=grant, actor=signed_in_user(request), request=request)
    messages.success(request, "Permission withdrawn")
    return redirect("outcomes:record", grant.person_id)


@guarded
@require_http_methods(["GET", "POST"])
def groups(request: HttpRequest, person_id: int) -> HttpResponse:
    person = (
        _person(request, person_id)
        if access.can_open(signed_in_user(request), person_id)
        else get_object_or_404(User, pk=person_id)
    )
    access.require(
        access.can_start_follow_up(signed_in_user(request), person.pk),
        "Only the team can set this.",
    )
    profile = profile_for(person)
    form = forms.GroupsForm(
        _data(request),
        initial={
            "service": profile.service,
            "programme": profile.programme,
            "neighbourhood": profile.neighbourhood,
        },
    )
    if request.method == "POST" and form.is_valid():
        set_groups(
            person=person,
            actor=signed_in_user(request),
            request=request,
            **form.cleaned_data,
        )
        messages.success(request, "Saved")
        return (
            redirect("outcomes:record", person.pk)
            if access.can_open(signed_in_user(request), person.pk)
            else redirect("outcomes:home")
        )
    return render(
        request,
        "outcomes/simple_form.html",
        {
            "person": person,
            "form": form,
            "title": "Reporting groups",
            "intro": "Reports count people by service, programme and neighbourhood, never by name.",
        },
    )


# --- self-reported follow-up ---------------------------------------------------------------------


def _follow_up_choices() -> list[tuple[str, str]]:
    return [
        (f"{m.id}:{value_id}", f"{m.name}: {label}")
        for m in offered()
        for value_id, label in threshold_values(m)
    ]


@guarded
@require_http_methods(["GET", "POST"])
def follow_up_start(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=person_id, is_active=True)
    access.require(
        access.can_start_follow_up(signed_in_user(request), person.pk),
        "Only the person's team can put them on self-reported follow-up.",
    )
    teams = budget_selectors.teams_in(t.pk for t in access.teams_of(signed_in_user(request)))
    form = forms.FollowUpForm(_data(request), teams=teams, choices=_follow_up_choices())
    if request.method == "POST" and form.is_valid():
        measure_id, value_id = form.cleaned_data["measure_value"].split(":", 1)
        if attempt(
            form,
            lambda: start_follow_up(
                person=person,
                actor=signed_in_user(request),
                team=form.cleaned_data["team"],
                measure_id=measure_id,
                value_id=value_id,
                threshold=Decimal(form.cleaned_data["threshold"]),
                reminder_days=form.cleaned_data["reminder_days"],
                response_days=form.cleaned_data["response_days"],
                request=request,
            ),
            refused=OutcomesRefused,
            fields={"measure_id": "measure_value", "value_id": "measure_value"},
        ):
            messages.success(request, f"{person.get_full_name()} is on self-reported follow-up")
            return redirect("outcomes:worklist")
    return render(
        request,
        "outcomes/simple_form.html",
        {
            "person": person,
            "form": form,
            "title": "Self-reported follow-up",
            "intro": "Instead of fixed check-ups, the person reports when they choose. Answers at the "
            "threshold or worse, or a request to be contacted, put them on your team's "
            "worklist with a deadline. If they do not report for the period you set, they "
            "get a reminder and go on the worklist too.",
        },
    )


@guarded
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    follow_up = selectors.follow_up_of(person)
    if follow_up is None:
        raise Http404("Not on self-reported follow-up")
    measure = registry().get(follow_up.measure_id)
    form = forms.MeasureForm(
        _data(request),
        measure=measure,
        initial={"answered_on": today()},
        on_behalf_of=_on_behalf_of(request, person),
    )
    if "answered_by" in form.fields:
        form.fields["answered_by"].required = False
    contact = forms.ContactForm(_data(request))
    form.fields["answered_on"].required = False
    if request.method == "POST" and form.is_valid() and contact.is_valid():
        answers = form.answers()
        given = any(v is not None for v in answers.values())
        try:
            report_follow_up(
                follow_up=follow_up,
                actor=signed_in_user(request),
                answers=answers if given else None,
                contact_me=contact.cleaned_data["contact_me"],
                note=contact.cleaned_data["note"],
                answered_by=form.answered_by(),
                request=request,
            )
        except AnswerError as error:
            for problem in error.problems:
                if problem.item_id in form.fields:
                    form.add_error(
                        problem.item_id,
                        f"Answer '{measure.item(problem.item_id).topic}'"
                        if problem.kind == "missing"
                        else problem.message,
                    )
        except OutcomesRefused as refusal:
            if refusal.field in form.fields:
                form.add_error(refusal.field, refusal.message)
            else:
                contact.add_error("contact_me", refusal.message)
        else:
            messages.success(request, "Thank you. Your report is saved")
            return redirect("outcomes:record", person.pk)
    return render(
        request,
        "outcomes/report.html",
        {
            "person": person,
            "measure": measure,
            "form": form,
            "contact": contact,
            "follow_up": follow_up,
        },
    )


@guarded
def worklist(request: HttpRequest) -> HttpResponse:
    teams = access.teams_of(signed_in_user(request))
    if not teams:
        raise access.NotAllowed("You are not in a team with a follow-up worklist.")
    items = list(selectors.worklist(teams))
    for item in items:
        _audit_view(request, item, item.follow_up.person, "Seen on the follow-up worklist")
    return render(
        request,
        "outcomes/worklist.html",
        {"items": items, "teams": teams, "form": forms.DoneForm()},
    )


@guarded
@require_POST
def work_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        WorkItem.objects.select_related("follow_up__team", "follow_up__person"), pk=pk
    )
    form = forms.DoneForm(request.POST)
    if form.is_valid() and attempt(
        form,
        lambda: close_work_item(
            item=item,
            actor=signed_in_user(request),
            note=form.cleaned_data["note"],
            request=request,
        ),
        refused=OutcomesRefused,
    ):
        messages.success(request, "Marked as contacted")
        return redirect("outcomes:worklist")
    access.require(access.can_work_list(signed_in_user(request), item.follow_up.team))
    teams = access.teams_of(signed_in_user(request))
    return render(
        request,
        "outcomes/worklist.html",
        {
            "items": list(selectors.worklist(teams)),
            "teams": teams,
            "form": form,
            "error_item": item.pk,
        },
        status=400,
    )


# --- the area's licensed question wording --------------------------------------------------------


@guarded
@require_http_methods(["GET", "POST"])
def wording(request: HttpRequest) -> HttpResponse:
    access.require(
        access.can_manage_wording(signed_in_user(request)),
        "Only the area's coordinators and administrators can load licensed question wording.",
    )
    measures = wording_measures()
    form = forms.WordingForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        measures=[(m.id, m.name) for m in measures],
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_WORDING_FILE_BYTES:
            form.add_error(
                "file",
                f"The file must be smaller than {MAX_WORDING_FILE_BYTES // 1024} KB",
            )
        elif loaded := attempt(
            form,
            lambda: load_wording(
                actor=signed_in_user(request),
                measure_id=form.cleaned_data["measure"],
                content=upload.read(),
                file_name=upload.name or "",
                licence_reference=form.cleaned_data["licence_reference"],
                request=request,
            ),
            refused=OutcomesRefused,
        ):
            messages.success(
                request,
                f"Wording loaded for {registry().get(loaded.value.measure_id).name}: people now "
                "see it instead of the topics",
            )
            return redirect("outcomes:wording")
    return render(
        request,
        "outcomes/wording.html",
        {
            "form": form,
            "measures": measures,
            "in_force": list(selectors.wordings_in_force()),
            "history": list(selectors.wording_history()),
        },
        status=400 if form.errors else 200,
    )


@guarded
@require_POST
def wording_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(AreaWording, pk=pk)
    withdraw_wording(actor=signed_in_user(request), wording=found, request=request)
    messages.success(request, "Wording withdrawn: the measure shows its topics again")
    return redirect("outcomes:wording")


# --- aggregates ----------------------------------------------------------------------------------


def _aggregate_form(request: HttpRequest) -> forms.AggregateForm:
    measures = [(m.id, m.name) for m in selectors.aggregate_measures()]
    data = request.GET if request.GET else None
    return forms.AggregateForm(
        data,
        measures=measures,
        initial={"measure": measures[0][0] if measures else "", "rows": "service"},
    )


def _table(form: forms.AggregateForm) -> Any:
    if form.is_bound:
        if not form.is_valid():
            return None
        data = form.cleaned_data
        return selectors.outcome_table(data["measure"], data["rows"], data["columns"] or None)
    return selectors.outcome_table(form.initial["measure"], "service")


@guarded
def aggregates(request: HttpRequest) -> HttpResponse:
    access.require(
        access.can_see_aggregates(signed_in_user(request)),
        "Reports are for commissioners, providers and coordinators.",
    )
    form = _aggregate_form(request)
    table = _table(form)
    measure = registry().get(
        form.cleaned_data["measure"] if form.is_bound and table else form.initial["measure"]
    )
    return render(
        request,
        "outcomes/aggregates.html",
        {
            "form": form,
            "table": table,
            "measure": measure,
            "rows": _rows(table) if table else [],
            "csv_query": request.GET.urlencode(),
        },
        status=200 if table is not None or not form.is_bound else 400,
    )


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    from rules.outcomes import to_decimal

    return str(to_decimal(value, 2))


def _rows(table: Any) -> list[dict[str, Any]]:
    out = []
    columns = list(table.columns) if table.column_key else [None]
    for row in [*table.rows, None]:
        for column in [*columns, None] if table.column_key else [None]:
            cell = table.cell(row, column)
            stats = cell.stats
            out.append(
                {
                    "row": row or "All",
                    "column": (column or "All") if table.column_key else "",
                    "suppressed": cell.suppressed,
                    "status": cell.status,
                    "measured": stats.measured if stats else None,
                    "mean": _fmt(stats.mean_change) if stats else "",
                    "ci": f"{stats.ci_low} to {stats.ci_high}"
                    if stats and stats.ci_low is not None
                    else "",
                    "improved": f"{stats.improved} ({_fmt(stats.share_improved * 100)}%)"
                    if stats and stats.measured
                    else "",
                    "deteriorated": f"{stats.deteriorated} ({_fmt(stats.share_deteriorated * 100)}%)"
                    if stats and stats.measured
                    else "",
                }
            )
    return out


@guarded
def aggregates_csv(request: HttpRequest) -> HttpResponse:
    access.require(
        access.can_see_aggregates(signed_in_user(request)),
        "Reports are for commissioners, providers and coordinators.",
    )
    form = _aggregate_form(request)
    table = _table(form)
    if table is None:
        return HttpResponse(
            "Choose a measure, rows and columns from the lists.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    measure_id = form.cleaned_data["measure"] if form.is_bound else form.initial["measure"]
    measure = registry().get(measure_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{measure.id}.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(
        [
            "measure",
            "measure_version",
            "snomed_ct",
            table.row_key,
            table.column_key or "",
            "status",
            "measured",
            "mean_change",
            "ci_95",
            "reliable_improvement",
            "reliable_deterioration",
        ]
    )
    for row in _rows(table):
        writer.writerow(
            [
                measure.id,
                measure.version,
                measure.snomed_ct or "",
                row["row"],
                row["column"],
                row["status"],
                "" if row["measured"] is None else row["measured"],
                row["mean"],
                row["ci"],
                row["improved"],
                row["deteriorated"],
            ]
        )
    excluded = table.excluded_without_consent
    writer.writerow(
        ["not_counted_without_consent", "fewer than 5" if 0 < excluded < 5 else excluded]
    )
    record_audit(
        actor=signed_in_user(request),
        action=AuditEvent.Action.EXPORT,
        object_type="outcomes.aggregate",
        object_id=measure.id,
        summary="Downloaded an outcomes report (no named people)",
        request=request,
    )
    return response
