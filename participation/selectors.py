"""Reads for participation pages: rounds, projects, turnout, results and panels."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from participation.models import (
    PHASE_ORDER,
    Channel,
    Comment,
    Panel,
    PanelMember,
    PanelVolunteer,
    PaperBallotEntry,
    Phase,
    Project,
    ProjectResult,
    Round,
    RoundResult,
    Theme,
    VoterParticipation,
    VoterRegistration,
)
from participation.services.ballots import receipt_hash

if TYPE_CHECKING:
    from directory.models import Neighbourhood


def rounds() -> QuerySet[Round]:
    return Round.objects.all()


def round_by_slug(slug: str) -> Round | None:
    return Round.objects.filter(slug=slug).first()


def phase_steps(round_: Round) -> list[dict[str, Any]]:
    """The round's phases with their dates, and which are done, current or to come."""
    dates = {
        Phase.IDEAS: f"{round_.ideas_open:%-d %B %Y} to {round_.ideas_close:%-d %B %Y}",
        Phase.FEASIBILITY: f"after {round_.ideas_close:%-d %B %Y}",
        Phase.PITCHES: f"from {round_.pitches_open:%-d %B %Y}",
        Phase.VOTING: f"{round_.voting_open:%-d %B %Y} to {round_.voting_close:%-d %B %Y}",
        Phase.COUNTING: f"after {round_.voting_close:%-d %B %Y}",
        Phase.RESULTS: "when counting is finished",
    }
    current = PHASE_ORDER.index(round_.phase)
    return [
        {
            "label": Phase(phase).label,
            "when": dates[Phase(phase)],
            "state": "done" if i < current else "current" if i == current else "to come",
        }
        for i, phase in enumerate(PHASE_ORDER)
    ]


def public_projects(round_: Round) -> QuerySet[Project]:
    return round_.projects.select_related("district").order_by("district__name", "title", "pk")


def ballot_projects(round_: Round, district: Neighbourhood | None) -> list[Project]:
    projects = round_.projects.filter(status=Project.Status.ON_BALLOT)
    if district is not None:
        projects = projects.filter(district=district)
    return list(projects.order_by("title", "pk"))


def project_page(round_: Round, project_id: int) -> Project | None:
    return (
        round_.projects.select_related("district", "proposed_by")
        .prefetch_related(
            "cost_lines",
            Prefetch("comments", queryset=Comment.objects.select_related("author")),
        )
        .filter(pk=project_id)
        .first()
    )


def registration_for(round_: Round, user: Any) -> VoterRegistration | None:
    if not (user and user.is_authenticated):
        return None
    return (
        VoterRegistration.objects.filter(round=round_, user=user)
        .select_related("neighbourhood")
        .first()
    )


def participation_for(round_: Round, user: Any) -> VoterParticipation | None:
    if not (user and user.is_authenticated):
        return None
    return VoterParticipation.objects.filter(round=round_, user=user).first()


def pending_registrations(round_: Round) -> QuerySet[VoterRegistration]:
    return round_.registrations.filter(status=VoterRegistration.Status.PENDING).select_related(
        "user", "neighbourhood"
    )


def paper_entries_waiting(round_: Round) -> QuerySet[PaperBallotEntry]:
    return round_.paper_entries.filter(confirmed_by__isnull=True).select_related(
        "entered_by", "district"
    )


def receipt_status(round_: Round, code: str) -> str:
    """``counted`` (results published), ``recorded`` (not yet counted) or ``unknown``."""
    found = VoterParticipation.objects.filter(round=round_, receipt_hash=receipt_hash(code))
    if not found.exists():
        return "unknown"
    return "counted" if round_.phase == Phase.RESULTS else "recorded"


def vote_totals(round_: Round) -> dict[str, int]:
    given = round_.participations.aggregate(
        online=Count("pk", filter=Q(channel=Channel.ONLINE)),
        paper=Count("pk", filter=Q(channel=Channel.PAPER)),
    )
    ballots = round_.ballots.aggregate(
        online=Count("pk", filter=Q(channel=Channel.ONLINE)),
        paper=Count("pk", filter=Q(channel=Channel.PAPER)),
    )
    return {
        "online_voters": given["online"],
        "paper_given": given["paper"],
        "online_ballots": ballots["online"],
        "paper_ballots": ballots["paper"],
        "receipts": given["online"] + given["paper"],
        "ballots": ballots["online"] + ballots["paper"],
    }


@dataclass
class TurnoutRow:
    neighbourhood: str
    registered: int
    voted: int
    online: int
    paper: int

    @property
    def percent(self) -> str:
        return f"{100 * self.voted / self.registered:.0f}%" if self.registered else "–"


def turnout_by_neighbourhood(round_: Round) -> list[TurnoutRow]:
    registered = dict(
        round_.registrations.filter(status=VoterRegistration.Status.APPROVED)
        .values_list("neighbourhood__name")
        .annotate(n=Count("pk"))
    )
    voted: dict[str, dict[str, int]] = {
        row["neighbourhood__name"]: {key: int(row[key]) for key in ("n", "online", "paper")}
        for row in round_.participations.values("neighbourhood__name").annotate(
            n=Count("pk"),
            online=Count("pk", filter=Q(channel=Channel.ONLINE)),
            paper=Count("pk", filter=Q(channel=Channel.PAPER)),
        )
    }
    names = sorted(set(registered) | set(voted))
    return [
        TurnoutRow(
            name,
            max(registered.get(name, 0), voted.get(name, {}).get("n", 0)),
            voted.get(name, {}).get("n", 0),
            voted.get(name, {}).get("online", 0),
            voted.get(name, {}).get("paper", 0),
        )
        for name in names
    ]


@dataclass
class ChartBar:
    title: str
    votes: int
    cost: Decimal
    selected: bool
    y: int
    votes_width: float
    cost_width: float

    @property
    def votes_label_x(self) -> float:
        return round(self.votes_width + 6, 1)

    @property
    def cost_label_x(self) -> float:
        return round(self.cost_width + 6, 1)


@dataclass
class ResultView:
    result: RoundResult
    rows: list[ProjectResult]
    winners: list[ProjectResult]
    losers: list[ProjectResult]
    bars: list[ChartBar] = field(default_factory=list)
    chart_height: int = 0


CHART_WIDTH = 320
BAR_STEP = 74


def results_for_page(round_: Round) -> list[ResultView]:
    views = []
    for result in round_.results.select_related("district"):
        rows = list(result.projects.select_related("project"))
        most_votes = max((r.votes for r in rows), default=0) or 1
        most_cost = max((r.project.cost or Decimal(0) for r in rows), default=Decimal(0)) or 1
        bars = [
            ChartBar(
                title=row.project.title,
                votes=row.votes,
                cost=row.project.cost or Decimal(0),
                selected=row.selected,
                y=i * BAR_STEP,
                votes_width=round(CHART_WIDTH * row.votes / most_votes, 1),
                cost_width=round(float(CHART_WIDTH * (row.project.cost or 0) / most_cost), 1),
            )
            for i, row in enumerate(sorted(rows, key=lambda r: (-r.votes, r.project.title)))
        ]
        views.append(
            ResultView(
                result=result,
                rows=rows,
                winners=[r for r in rows if r.selected],
                losers=[r for r in rows if not r.selected],
                bars=bars,
                chart_height=len(bars) * BAR_STEP + 10,
            )
        )
    return views


def result_file(round_: Round, file_name: str) -> RoundResult | None:
    return round_.results.filter(file_name=file_name).first()


# --- panels ----------------------------------------------------------------------------------------


def panels() -> QuerySet[Panel]:
    return Panel.objects.annotate(ranked=Count("members", filter=Q(members__ranking__isnull=False)))


def panel_page(panel_id: int) -> Panel | None:
    return Panel.objects.prefetch_related("items").filter(pk=panel_id).first()


def panel_seat(panel: Panel, user: Any) -> PanelMember | None:
    if not (user and user.is_authenticated):
        return None
    return PanelMember.objects.filter(panel=panel, user=user).first()


def panel_volunteer(user: User) -> PanelVolunteer | None:
    return PanelVolunteer.objects.filter(user=user).first()


def pool_size() -> int:
    return PanelVolunteer.objects.count()


def panels_for_member(user: Any) -> QuerySet[Panel]:
    if not (user and user.is_authenticated):
        return Panel.objects.none()
    return Panel.objects.filter(members__user=user, status=Panel.Status.RANKING)


def rounds_taking_themes() -> QuerySet[Round]:
    """Rounds still taking ideas, so a theme from the gap in the market can still shape them."""
    return Round.objects.filter(phase=Phase.IDEAS).order_by("ideas_close", "pk")


def themes_of(round_: Round) -> QuerySet[Theme]:
    return round_.themes.all()
