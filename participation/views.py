"""Participation pages: thin views that parse a form, call a service or selector, and render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import signed_in_user
from accounts.models import User
from directory import selectors as directory_selectors
from participation import rules, selectors
from participation.forms import (
    AssessForm,
    BallotForm,
    CommentForm,
    DistrictPotsForm,
    IdeaForm,
    PanelForm,
    PaperIssueForm,
    PaperNumberForm,
    PitchForm,
    PoolForm,
    RankingForm,
    ReceiptForm,
    RegistrationForm,
    RoundForm,
)
from participation.models import Panel, PaperBallotEntry, Phase, Project, Round, VoteType
from participation.permissions import can_edit_pitch, is_panel_staff, is_round_staff
from participation.services._common import ParticipationError, eligible_neighbourhoods, is_split
from participation.services.ballots import ballot_district, current_choices, submit_ballot
from participation.services.costing import assess_idea, parse_cost_lines
from participation.services.panels import (
    announce_draw,
    create_panel,
    draw_panel,
    join_panel_pool,
    leave_panel_pool,
    panel_publication_check,
    publish_panel,
    submit_ranking,
)
from participation.services.paper_ballots import (
    confirm_paper_ballot,
    create_paper_voter,
    enter_paper_ballot,
    issue_paper_ballot,
    reject_paper_entry,
)
from participation.services.proposals import add_comment, propose_idea, update_pitch
from participation.services.registration import decide_registration, register_voter
from participation.services.rounds import advance_round, create_round, set_district_pots
from wellbeing_hub.form_attempts import Done, attempt

T = TypeVar("T")


def _attempt(form: forms.Form, call: Callable[[], T]) -> Done[T] | None:
    """Run a service call from a form (:func:`wellbeing_hub.form_attempts.attempt`): a refusal goes
    on the field it is about; one about the whole form goes on its first field, so the error
    summary can link to it and the message also appears inline (GOV.UK pattern)."""
    return attempt(form, call, refused=ParticipationError, unplaced=next(iter(form.fields), None))


def _refuse(form: forms.Form, error: ParticipationError) -> None:
    """A refusal caught by hand (the paper ballot's two forms), placed as :func:`_attempt` does."""
    field = error.field if error.field in form.fields else next(iter(form.fields), None)
    form.add_error(field, error.message)


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST, even when empty (an empty ballot must be refused, not ignored)."""
    return request.POST if request.method == "POST" else None


def _round(slug: str) -> Round:
    round_ = selectors.round_by_slug(slug)
    if round_ is None:
        raise Http404("No such round")
    return round_


def _staff_only(request: HttpRequest) -> None:
    if not is_round_staff(request.user):
        raise PermissionDenied("Only commissioners and coordinators can do this.")


def _user(request: HttpRequest) -> User:
    """The signed-in person (every caller is behind ``login_required`` or checks first)."""
    return signed_in_user(request)


def home(request: HttpRequest) -> HttpResponse:
    all_rounds = list(selectors.rounds())
    context = {
        "current": [r for r in all_rounds if r.phase != Phase.RESULTS],
        "past": [r for r in all_rounds if r.phase == Phase.RESULTS],
        "panels": selectors.panels(),
        "my_panels": selectors.panels_for_member(request.user),
        "is_staff": is_round_staff(request.user),
        "is_panel_staff": is_panel_staff(request.user),
    }
    return render(request, "participation/home.html", context)


# --- rounds ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = RoundForm(
        _posted(request),
        initial={"vote_type": VoteType.APPROVAL, "rule": "mes", "min_age": 16},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if round_ := _attempt(
            form,
            lambda: create_round(
                by=_user(request),
                title=data["title"],
                description=data["description"],
                pot=data["pot"],
                dates={
                    k: data[k]
                    for k in (
                        "ideas_open",
                        "ideas_close",
                        "pitches_open",
                        "voting_open",
                        "voting_close",
                    )
                },
                vote_type=data["vote_type"],
                max_choices=data["max_choices"],
                max_points=data["max_points"],
                rule=data["rule"],
                completion=data["completion"],
                min_age=data["min_age"],
                registration_rule=data["registration_rule"],
                neighbourhoods=data["neighbourhoods"],
                request=request,
            ),
        ):
            messages.success(request, f"{round_.value.title} has been created. Ideas are now open.")
            return redirect("participation:round-manage", round_.value.slug)
    return render(request, "participation/round_new.html", {"form": form})


def round_detail(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    context = {
        "round": round_,
        "steps": selectors.phase_steps(round_),
        "projects": selectors.public_projects(round_),
        "district_pots": round_.district_pots.select_related("neighbourhood"),
        "registration": selectors.registration_for(round_, request.user),
        "participation": selectors.participation_for(round_, request.user),
        "is_staff": is_round_staff(request.user),
        "themes": selectors.themes_of(round_),
    }
    return render(request, "participation/round.html", context)


@login_required
def round_manage(request: HttpRequest, slug: str) -> HttpResponse:
    _staff_only(request)
    round_ = _round(slug)
    context = {
        "round": round_,
        "steps": selectors.phase_steps(round_),
        "ideas_waiting": round_.projects.filter(status=Project.Status.PROPOSED),
        "projects": selectors.public_projects(round_),
        "pending": selectors.pending_registrations(round_),
        "paper_waiting": selectors.paper_entries_waiting(round_),
        "totals": selectors.vote_totals(round_),
        "district_pots": round_.district_pots.select_related("neighbourhood"),
        "next_phase": None
        if round_.phase == Phase.RESULTS
        else Phase(list(Phase)[round_.phase_index + 1]).label,
    }
    return render(request, "participation/round_manage.html", context)


@login_required
@require_POST
def round_advance(request: HttpRequest, slug: str) -> HttpResponse:
    _staff_only(request)
    round_ = _round(slug)
    try:
        round_ = advance_round(round_=round_, by=_user(request), request=request)
    except ParticipationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{round_.title} is now at: {round_.get_phase_display()}.")
        if round_.phase == Phase.RESULTS:
            return redirect("participation:results", round_.slug)
    return redirect("participation:round-manage", round_.slug)


@login_required
@require_http_methods(["GET", "POST"])
def round_pots(request: HttpRequest, slug: str) -> HttpResponse:
    _staff_only(request)
    round_ = _round(slug)
    current = {p.neighbourhood_id: p.amount for p in round_.district_pots.all()}
    hoods = list(directory_selectors.neighbourhoods())
    form = DistrictPotsForm(
        _posted(request),
        neighbourhoods=hoods,
        initial={f"pot_{pk}": amount for pk, amount in current.items()},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            form,
            lambda: set_district_pots(
                round_=round_, by=_user(request), amounts=form.amounts(), request=request
            ),
        )
    ):
        messages.success(request, "The neighbourhood pots have been saved.")
        return redirect("participation:round-manage", round_.slug)
    return render(request, "participation/round_pots.html", {"round": round_, "form": form})


# --- ideas and projects ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    districts = (
        [p.neighbourhood for p in round_.district_pots.select_related("neighbourhood")]
        if is_split(round_)
        else []
    )
    form = IdeaForm(_posted(request), districts=districts)
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            project := _attempt(
                form,
                lambda: propose_idea(
                    round_=round_,
                    by=_user(request),
                    title=form.cleaned_data["title"],
                    what=form.cleaned_data["what"],
                    who_benefits=form.cleaned_data["who_benefits"],
                    district=form.cleaned_data.get("district"),
                    request=request,
                ),
            )
        )
    ):
        messages.success(request, "Thank you. Your idea has been sent and is shown below.")
        return redirect("participation:project", round_.slug, project.value.pk)
    status = 200 if round_.phase == Phase.IDEAS else 409
    return render(
        request, "participation/idea_new.html", {"round": round_, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
def project_detail(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    round_ = _round(slug)
    project = selectors.project_page(round_, project_id)
    if project is None:
        raise Http404("No such project")
    form = CommentForm(_posted(request))
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid() and _attempt(
            form,
            lambda: add_comment(project=project, by=_user(request), text=form.cleaned_data["text"]),
        ):
            messages.success(request, "Your comment has been added.")
            return redirect("participation:project", round_.slug, project.pk)
    context = {
        "round": round_,
        "project": project,
        "form": form,
        "can_comment": round_.phase in (Phase.PITCHES, Phase.VOTING)
        and project.status == Project.Status.ON_BALLOT,
        "can_edit_pitch": can_edit_pitch(request.user, project)
        and round_.phase in (Phase.FEASIBILITY, Phase.PITCHES)
        and project.status == Project.Status.ON_BALLOT,
        "can_assess": is_round_staff(request.user)
        and round_.phase in (Phase.FEASIBILITY, Phase.PITCHES),
        "lines_total": sum((line.amount for line in project.cost_lines.all()), 0),
    }
    return render(request, "participation/project.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_assess(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    _staff_only(request)
    round_ = _round(slug)
    project = get_object_or_404(Project, round=round_, pk=project_id)
    initial: dict[str, Any] = {}
    if project.status != Project.Status.PROPOSED:
        initial = {
            "decision": "forward" if project.status == Project.Status.ON_BALLOT else "not",
            "cost": project.cost,
            "cost_lines": "\n".join(
                f"{c.description}: {c.amount}" for c in project.cost_lines.all()
            ),
            "reason": project.public_reason,
        }
    form = AssessForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        take_forward = data["decision"] == "forward"
        if _attempt(
            form,
            lambda: assess_idea(
                project=project,
                by=_user(request),
                take_forward=take_forward,
                reason=data["reason"],
                cost=data["cost"],
                lines=parse_cost_lines(data["cost_lines"]) if take_forward else [],
                request=request,
            ),
        ):
            messages.success(request, f"Your decision on {project.title} has been saved.")
            return redirect("participation:round-manage", round_.slug)
    return render(
        request,
        "participation/project_assess.html",
        {"round": round_, "project": project, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_pitch(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    round_ = _round(slug)
    project = get_object_or_404(Project, round=round_, pk=project_id)
    if not can_edit_pitch(request.user, project):
        raise PermissionDenied(
            "Only the person who proposed the idea, or staff, can edit its pitch."
        )
    form = PitchForm(
        _posted(request), initial={"pitch": project.pitch, "media_url": project.media_url}
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            form,
            lambda: update_pitch(
                project=project,
                by=_user(request),
                pitch=form.cleaned_data["pitch"],
                media_url=form.cleaned_data["media_url"],
                request=request,
            ),
        )
    ):
        messages.success(request, "Your pitch has been saved.")
        return redirect("participation:project", round_.slug, project.pk)
    return render(
        request,
        "participation/project_pitch.html",
        {"round": round_, "project": project, "form": form},
    )


# --- registering and voting ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    existing = selectors.registration_for(round_, request.user)
    initial = (
        {
            "neighbourhood": existing.neighbourhood_id,
            "date_of_birth": existing.date_of_birth,
            "age_band": existing.age_band,
        }
        if existing
        else {}
    )
    form = RegistrationForm(
        _posted(request),
        neighbourhoods=eligible_neighbourhoods(round_),
        initial=initial,
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            registration := _attempt(
                form,
                lambda: register_voter(
                    round_=round_,
                    user=_user(request),
                    neighbourhood=form.cleaned_data["neighbourhood"],
                    date_of_birth=form.cleaned_data["date_of_birth"],
                    age_band=form.cleaned_data["age_band"],
                    request=request,
                ),
            )
        )
    ):
        if registration.value.status == registration.value.Status.APPROVED:
            messages.success(request, "You are registered to vote in this round.")
        else:
            messages.success(
                request, "Thank you. Staff will check your registration before voting opens."
            )
        return redirect("participation:round", round_.slug)
    return render(request, "participation/register.html", {"round": round_, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def registrations(request: HttpRequest, slug: str) -> HttpResponse:
    _staff_only(request)
    round_ = _round(slug)
    if request.method == "POST":
        chosen = request.POST.get("registration", "")
        if not chosen.isascii() or not chosen.isdigit() or len(chosen) > 18:
            raise Http404("No such registration")
        registration = get_object_or_404(round_.registrations, pk=int(chosen))
        try:
            decide_registration(
                registration=registration,
                by=_user(request),
                approve=request.POST.get("decision") == "approve",
                request=request,
            )
        except ParticipationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The registration has been decided.")
        return redirect("participation:registrations", round_.slug)
    return render(
        request,
        "participation/registrations.html",
        {"round": round_, "pending": selectors.pending_registrations(round_)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    registration = selectors.registration_for(round_, request.user)
    participation = selectors.participation_for(round_, request.user)
    context: dict[str, Any] = {
        "round": round_,
        "registration": registration,
        "participation": participation,
    }
    if round_.phase != Phase.VOTING:
        return render(request, "participation/vote_closed.html", context, status=409)
    if registration is None or registration.status != registration.Status.APPROVED:
        return render(request, "participation/vote_register_first.html", context, status=403)
    district = ballot_district(round_, registration.neighbourhood)
    projects = selectors.ballot_projects(round_, district)
    current = current_choices(round_, _user(request))
    form = BallotForm(
        _posted(request), projects=projects, vote_type=round_.vote_type, initial_choices=current
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            receipt := _attempt(
                form,
                lambda: submit_ballot(
                    round_=round_, voter=_user(request), choices=form.choices(), request=request
                ),
            )
        )
    ):
        # The code is shown once, in this response only: it is not stored anywhere readable.
        return render(
            request, "participation/vote_done.html", {"round": round_, "receipt": receipt.value}
        )
    context.update({"form": form, "projects": projects, "changing": current is not None})
    return render(request, "participation/vote.html", context)


def receipts(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    form = ReceiptForm(request.GET or None)
    status = None
    if request.GET and form.is_valid():
        status = selectors.receipt_status(round_, form.cleaned_data["code"])
    context = {
        "round": round_,
        "form": form,
        "status": status,
        "totals": selectors.vote_totals(round_),
    }
    return render(request, "participation/receipts.html", context)


# --- paper ballots ---------------------------------------------------------------------------------


def _districts(round_: Round) -> list[Any]:
    return [p.neighbourhood for p in round_.district_pots.select_related("neighbourhood")]


@login_required
@require_http_methods(["GET", "POST"])
def paper_issue(request: HttpRequest, slug: str) -> HttpResponse:
    _staff_only(request)
    round_ = _round(slug)
    form = PaperIssueForm(_posted(request), neighbourhoods=eligible_neighbourhoods(round_))
    code = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def issue() -> str:
            if data["username"]:
                voter = User.objects.filter(username=data["username"], is_active=True).first()
                if voter is None:
                    raise ParticipationError("There is no account with that username.", "username")
            else:
                voter = None
            if voter is None:
                voter = create_paper_voter(by=_user(request), display_name=data["display_name"])
            return issue_paper_ballot(
                round_=round_,
                by=_user(request),
                voter=voter,
                neighbourhood=data["neighbourhood"],
                date_of_birth=data["date_of_birth"],
                age_band=data["age_band"],
                request=request,
            )

        if issued := _attempt(form, issue):
            code = issued.value
            form = PaperIssueForm(neighbourhoods=eligible_neighbourhoods(round_))
    return render(
        request,
        "participation/paper_issue.html",
        {"round": round_, "form": form, "code": code},
    )


@login_required
@require_http_methods(["GET", "POST"])
def paper_enter(request: HttpRequest, slug: str) -> HttpResponse:
    _staff_only(request)
    round_ = _round(slug)
    districts = _districts(round_)
    number_form = PaperNumberForm(_posted(request), districts=districts)
    district = None
    if districts and number_form.is_bound and number_form.is_valid():
        district = number_form.cleaned_data.get("district")
    projects = selectors.ballot_projects(round_, district)
    ballot_form = BallotForm(_posted(request), projects=projects, vote_type=round_.vote_type)
    if request.method == "POST" and number_form.is_valid() and ballot_form.is_valid():
        try:
            entry = enter_paper_ballot(
                round_=round_,
                by=_user(request),
                paper_number=number_form.cleaned_data["paper_number"],
                district=number_form.cleaned_data.get("district"),
                choices=ballot_form.choices(),
                request=request,
            )
        except ParticipationError as error:
            if error.field:
                _refuse(number_form, error)
            else:
                _refuse(ballot_form, error)
        else:
            messages.success(
                request,
                f"Paper {entry.paper_number} has been entered. A different person must now confirm it.",
            )
            return redirect("participation:paper-enter", round_.slug)
    context = {
        "round": round_,
        "number_form": number_form,
        "form": ballot_form,
        "waiting": selectors.paper_entries_waiting(round_),
        "totals": selectors.vote_totals(round_),
    }
    return render(request, "participation/paper_enter.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def paper_confirm(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    _staff_only(request)
    round_ = _round(slug)
    entry = get_object_or_404(PaperBallotEntry, round=round_, pk=entry_id)
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "reject":
                reject_paper_entry(entry=entry, by=_user(request), request=request)
                messages.success(request, f"The entry for paper {entry.paper_number} was removed.")
            else:
                confirm_paper_ballot(entry=entry, by=_user(request), request=request)
                messages.success(
                    request, f"Paper {entry.paper_number} is confirmed and will be counted."
                )
        except ParticipationError as error:
            messages.error(request, error.message)
            return redirect("participation:paper-confirm", round_.slug, entry.pk)
        return redirect("participation:paper-enter", round_.slug)
    names = {p.pk: p for p in round_.projects.all()}
    chosen = [(names[int(pid)], points) for pid, points in entry.choices]
    return render(
        request,
        "participation/paper_confirm.html",
        {"round": round_, "entry": entry, "chosen": chosen},
    )


# --- results ---------------------------------------------------------------------------------------


def results(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    if round_.phase != Phase.RESULTS:
        return render(request, "participation/results_not_yet.html", {"round": round_}, status=404)
    context = {
        "round": round_,
        "results": selectors.results_for_page(round_),
        "turnout": selectors.turnout_by_neighbourhood(round_),
        "totals": selectors.vote_totals(round_),
        "chart_width": selectors.CHART_WIDTH,
    }
    return render(request, "participation/results.html", context)


def results_file(request: HttpRequest, slug: str, file_name: str) -> HttpResponse:
    round_ = _round(slug)
    result = selectors.result_file(round_, file_name)
    if result is None or round_.phase != Phase.RESULTS:
        raise Http404("No such file")
    response = HttpResponse(result.pb_file, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{result.file_name}"'
    return response


# --- panels ----------------------------------------------------------------------------------------


def _panel(panel_id: int) -> Panel:
    panel = selectors.panel_page(panel_id)
    if panel is None:
        raise Http404("No such panel")
    return panel


@login_required
@require_http_methods(["GET", "POST"])
def pool_join(request: HttpRequest) -> HttpResponse:
    existing = selectors.panel_volunteer(_user(request))
    form = PoolForm(
        _posted(request),
        initial={"neighbourhood": existing.neighbourhood_id, "age_band": existing.age_band}
        if existing
        else {},
    )
    if request.method == "POST" and request.POST.get("leave") and existing:
        leave_panel_pool(user=_user(request))
        messages.success(request, "You have left the People's Panel pool.")
        return redirect("participation:home")
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            form,
            lambda: join_panel_pool(
                user=_user(request),
                neighbourhood=form.cleaned_data["neighbourhood"],
                age_band=form.cleaned_data["age_band"],
                request=request,
            ),
        )
    ):
        messages.success(request, "Thank you. You may be invited to a People's Panel.")
        return redirect("participation:home")
    return render(request, "participation/pool_join.html", {"form": form, "existing": existing})


@login_required
@require_http_methods(["GET", "POST"])
def panel_new(request: HttpRequest) -> HttpResponse:
    if not is_panel_staff(request.user):
        raise PermissionDenied("Only commissioners can set up a prioritisation panel.")
    form = PanelForm(_posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            panel := _attempt(
                form,
                lambda: create_panel(
                    by=_user(request),
                    title=form.cleaned_data["title"],
                    question=form.cleaned_data["question"],
                    size=form.cleaned_data["size"],
                    items=form.cleaned_data["items"].splitlines(),
                    quorum=form.cleaned_data["quorum"],
                    balance_tolerance=rules.DEFAULT_BALANCE_TOLERANCE
                    if form.cleaned_data["balance_tolerance"] is None
                    else form.cleaned_data["balance_tolerance"],
                    request=request,
                ),
            )
        )
    ):
        messages.success(request, "The panel has been set up. Draw its members when ready.")
        return redirect("participation:panel", panel.value.pk)
    return render(
        request, "participation/panel_new.html", {"form": form, "pool_size": selectors.pool_size()}
    )


def panel_detail(request: HttpRequest, panel_id: int) -> HttpResponse:
    panel = _panel(panel_id)
    context = {
        "panel": panel,
        "items": list(panel.items.all()),
        "seat": selectors.panel_seat(panel, request.user),
        "is_panel_staff": is_panel_staff(request.user),
        "pool_size": selectors.pool_size(),
        "ranked": panel.members.filter(ranking__isnull=False).count(),
        "members": panel.members.count(),
        "check": panel_publication_check(panel) if panel.status == Panel.Status.RANKING else None,
        "pool_file_name": _pool_file_name(panel),
    }
    return render(request, "participation/panel.html", context)


def _pool_file_name(panel: Panel) -> str:
    return f"panel-{panel.pk}-pool.csv"


def panel_pool_file(request: HttpRequest, panel_id: int) -> HttpResponse:
    """The anonymised pool, published from the announcement of the draw (entry and strata only)."""
    panel = _panel(panel_id)
    if not panel.pool_file:
        raise Http404("This panel's pool is not published yet")
    response = HttpResponse(panel.pool_file, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_pool_file_name(panel)}"'
    return response


def _panel_action(
    action: Callable[..., Panel], done: str
) -> Callable[[HttpRequest, int], HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest, panel_id: int) -> HttpResponse:
        if not is_panel_staff(request.user):
            raise PermissionDenied("Only commissioners can do this.")
        panel = _panel(panel_id)
        try:
            action(panel=panel, by=_user(request), request=request)
        except ParticipationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect("participation:panel", panel.pk)

    return view


panel_announce = _panel_action(
    announce_draw,
    "The draw is announced: the pool and the hash of the seed are published.",
)
panel_draw = _panel_action(draw_panel, "The panel has been drawn and the seed is published.")
panel_publish = _panel_action(publish_panel, "The panel's ranking is published.")


@login_required
@require_http_methods(["GET", "POST"])
def panel_rank(request: HttpRequest, panel_id: int) -> HttpResponse:
    panel = _panel(panel_id)
    seat = selectors.panel_seat(panel, request.user)
    if seat is None:
        raise PermissionDenied("Only people drawn for this panel can rank its items.")
    items = list(panel.items.all())
    initial = (
        {f"item_{pk}": str(place) for place, pk in enumerate(seat.ranking, start=1)}
        if seat.ranking
        else {}
    )
    form = RankingForm(_posted(request), items=items, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            form,
            lambda: submit_ranking(
                panel=panel, member=_user(request), order=form.order(), request=request
            ),
        )
    ):
        messages.success(request, "Thank you. Your ranking has been saved.")
        return redirect("participation:panel", panel.pk)
    return render(request, "participation/panel_rank.html", {"panel": panel, "form": form})
