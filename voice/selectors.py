"""Reads for people's voice. Nothing here returns who gave feedback except
:func:`identity_for`, which says "withheld" to everyone outside moderation when the person asked."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from participation import selectors as participation_selectors
from rules.voice import working_days_between
from rules.voice.quality import CheckResult, combine, format_score
from rules.voice.quality_parameters import DOMAIN_KEYS
from timebank import selectors as timebank_selectors
from voice.models import (
    Change,
    CheckExpert,
    CoproductionAssessment,
    ExpertByExperience,
    Feedback,
    ModerationDecision,
    QualityCheck,
    Team,
    VisitPair,
)
from voice.permissions import can_answer_for_check, can_respond, is_moderator, signed_in


def published() -> QuerySet[Feedback]:
    return Feedback.objects.filter(moderation=Feedback.Moderation.PUBLISHED).select_related("team")


def stories_for_service(service_id: str) -> QuerySet[Feedback]:
    return published().filter(service_id=service_id).order_by("-published_at")


def stories_for_team(team: Team) -> QuerySet[Feedback]:
    return published().filter(team=team).order_by("-published_at")


def story(reference: str) -> Feedback | None:
    return published().filter(reference=reference).prefetch_related("changes").first()


def teams() -> QuerySet[Team]:
    return Team.objects.all()


def moderation_queue() -> QuerySet[Feedback]:
    return Feedback.objects.filter(moderation=Feedback.Moderation.WAITING).order_by("received_at")


def identity_for(feedback: Feedback, viewer: object) -> str:
    """Who gave the feedback, as ``viewer`` may see it."""
    if is_moderator(viewer):
        who = feedback.name or (feedback.author.get_full_name() if feedback.author else "")
        return who or "Anonymous"
    if feedback.identity == Feedback.Identity.NAMED and can_respond(viewer, feedback):
        return feedback.name
    return "Withheld"


def ack_overdue(feedback: Feedback, today: dt.date) -> bool:
    return feedback.acknowledged_at is None and today > feedback.acknowledge_by


def response_overdue(feedback: Feedback, today: dt.date) -> bool:
    return feedback.responded_at is None and today > feedback.respond_by


def _open() -> QuerySet[Feedback]:
    return Feedback.objects.exclude(moderation=Feedback.Moderation.DECLINED).filter(
        responded_at__isnull=True
    )


def overdue(today: dt.date | None = None) -> list[Feedback]:
    today = today or timezone.localdate()
    candidates = _open().filter(
        Q(acknowledged_at__isnull=True, acknowledge_by__lt=today) | Q(respond_by__lt=today)
    )
    return list(candidates.select_related("team"))


def for_responder(user: object) -> list[Feedback]:
    """Open feedback the user may acknowledge or respond to."""
    candidates = Feedback.objects.filter(
        moderation__in=[Feedback.Moderation.PUBLISHED, Feedback.Moderation.PRIVATE]
    ).select_related("team")
    return [f for f in candidates.order_by("respond_by") if can_respond(user, f)]


def mine(user: object) -> QuerySet[Feedback]:
    person = signed_in(user)
    if person is None:
        return Feedback.objects.none()
    return (
        Feedback.objects.filter(author=person).prefetch_related("changes").order_by("-received_at")
    )


def status_of(feedback: Feedback, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if feedback.moderation == Feedback.Moderation.WAITING:
        return "Waiting for a moderator"
    if feedback.moderation == Feedback.Moderation.DECLINED:
        return "Not published"
    if feedback.responded_at:
        return "Responded"
    if response_overdue(feedback, today) or ack_overdue(feedback, today):
        return "Overdue"
    if feedback.acknowledged_at:
        return "Acknowledged"
    return "Waiting for acknowledgement"


@dataclass(frozen=True)
class ClockFigures:
    """One clock (acknowledgement or full response), never mixed with the other."""

    due: int
    done: int
    on_time: int
    overdue: int
    median_days: float | None

    @property
    def share_on_time(self) -> int | None:
        return round(100 * self.on_time / self.due) if self.due else None


def _figures(items: list[Feedback], today: dt.date, which: str) -> ClockFigures:
    due = done = on_time = late_open = 0
    days: list[int] = []
    for f in items:
        deadline = f.acknowledge_by if which == "ack" else f.respond_by
        at = f.acknowledged_at if which == "ack" else f.responded_at
        if at is None:
            if today > deadline:
                due += 1
                late_open += 1
            continue
        on = timezone.localdate(at)
        due += 1
        done += 1
        days.append(working_days_between(f.received_on, on))
        if on <= deadline:
            on_time += 1
    return ClockFigures(
        due=due,
        done=done,
        on_time=on_time,
        overdue=late_open,
        median_days=statistics.median(days) if days else None,
    )


def response_figures(
    *, organization_id: str = "", team: Team | None = None, today: dt.date | None = None
) -> tuple[ClockFigures, ClockFigures]:
    """(acknowledgement, full response) figures for an organisation or a team. An item counts
    once it is answered or its deadline has passed."""
    today = today or timezone.localdate()
    qs = Feedback.objects.exclude(
        moderation__in=[Feedback.Moderation.WAITING, Feedback.Moderation.DECLINED]
    )
    qs = qs.filter(team=team) if team is not None else qs.filter(organization_id=organization_id)
    items = list(qs)
    return _figures(items, today, "ack"), _figures(items, today, "response")


def organisations_figures(
    today: dt.date | None = None,
) -> list[tuple[str, ClockFigures, ClockFigures]]:
    today = today or timezone.localdate()
    rows = []
    names = dict(
        Feedback.objects.exclude(organization_id="").values_list(
            "organization_id", "organization_name"
        )
    )
    for org_id, name in sorted(names.items(), key=lambda kv: kv[1]):
        ack, resp = response_figures(organization_id=org_id, today=today)
        rows.append((name, ack, resp))
    for team in Team.objects.all():
        ack, resp = response_figures(team=team, today=today)
        if ack.due or resp.due:
            rows.append((team.name, ack, resp))
    return rows


def moderation_statistics() -> dict[str, object]:
    counts = {label: 0 for _, label in Feedback.Moderation.choices}
    for value in Feedback.objects.values_list("moderation", flat=True):
        counts[Feedback.Moderation(value).label] += 1
    days = [
        working_days_between(d.feedback.received_on, timezone.localdate(d.decided_at))
        for d in ModerationDecision.objects.select_related("feedback")
    ]
    return {
        "counts": counts,
        "median_days": statistics.median(days) if days else None,
        "decided": len(days),
    }


def change_board() -> QuerySet[Change]:
    return (
        Change.objects.filter(feedback__moderation=Feedback.Moderation.PUBLISHED)
        .select_related("feedback", "feedback__team")
        .order_by("-promised_at")
    )


def _day(value: dt.datetime | None) -> str | None:
    return timezone.localdate(value).isoformat() if value is not None else None


def open_stories() -> list[dict[str, object]]:
    """Published stories for open data: the moderated text only, never who gave them."""
    return [
        {
            "reference": f.reference,
            "kind": f.kind,
            "about": f.about,
            "subject": f.subject_name,
            "service_id": f.service_id or None,
            "organization_id": f.organization_id or None,
            "organization": f.organization_name or None,
            "team": f.team.name if f.team else None,
            "given_as": f.given_as,
            "themes": f.theme_list,
            "text": f.published_text,
            "published_on": _day(f.published_at),
            "received_on": f.received_on.isoformat(),
            "acknowledge_by": f.acknowledge_by.isoformat(),
            "acknowledged_on": _day(f.acknowledged_at),
            "respond_by": f.respond_by.isoformat(),
            "responded_on": _day(f.responded_at),
            "response": f.response or None,
            "changes": [
                {
                    "change": c.description,
                    "state": c.state,
                    "promised_on": _day(c.promised_at),
                    "made_on": _day(c.made_at),
                }
                for c in f.changes.all()
            ],
        }
        for f in published().prefetch_related("changes").order_by("published_at", "pk")
    ]


# --- experts-by-experience quality checks -------------------------------------------------------


def published_checks() -> QuerySet[QualityCheck]:
    return QualityCheck.objects.filter(state=QualityCheck.State.PUBLISHED).select_related("team")


def open_checks() -> QuerySet[QualityCheck]:
    return QualityCheck.objects.filter(state=QualityCheck.State.OPEN).select_related("team")


def check_by_reference(reference: str) -> QualityCheck | None:
    return QualityCheck.objects.select_related("team").filter(reference=reference).first()


def checks_for_expert(user: object) -> QuerySet[CheckExpert]:
    person = signed_in(user)
    if person is None:
        return CheckExpert.objects.none()
    return CheckExpert.objects.filter(expert=person).select_related(
        "quality_check", "quality_check__team"
    )


def checks_for_responder(user: object) -> list[QualityCheck]:
    return [c for c in QualityCheck.objects.select_related("team") if can_answer_for_check(user, c)]


def expert_register() -> QuerySet[ExpertByExperience]:
    return ExpertByExperience.objects.select_related("user").order_by(
        "user__display_name", "user__username"
    )


def sent_places(check: QualityCheck) -> list[CheckExpert]:
    """The experts who sent their scores, in label order."""
    return list(check.experts.filter(submitted_at__isnull=False).order_by("label"))


def result_for(check: QualityCheck) -> CheckResult:
    """The combined scores of the experts who sent them, with the self-assessment gap."""
    return combine(
        DOMAIN_KEYS,
        [p.scores for p in sent_places(check)],
        check.self_assessment or None,
    )


def check_response_overdue(check: QualityCheck, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return check.respond_by is not None and check.responded_at is None and today > check.respond_by


def overdue_checks(today: dt.date | None = None) -> list[QualityCheck]:
    """Published reports whose provider has not responded by the deadline."""
    today = today or timezone.localdate()
    return list(
        published_checks().filter(
            responded_at__isnull=True, respond_by__isnull=False, respond_by__lt=today
        )
    )


def expert_hours(start: dt.date, end: dt.date) -> list[dict[str, object]]:
    """Experts-by-experience time on quality checks, for the evidence app.

    One row per checked organisation (the directory organisation, or the council team) and
    month of the visit, ``{"organisation": str, "month": "YYYY-MM", "minutes": int}``: the
    minutes of every expert who sent scores on a check whose report is published, for visits
    from ``start`` to ``end`` inclusive. Open checks are not counted (their time is not
    confirmed until the report is published). Sorted by month, then organisation."""
    totals: dict[tuple[str, str], int] = {}
    places = CheckExpert.objects.filter(
        submitted_at__isnull=False,
        quality_check__state=QualityCheck.State.PUBLISHED,
        quality_check__visit_date__gte=start,
        quality_check__visit_date__lte=end,
    ).select_related("quality_check", "quality_check__team")
    for place in places:
        check = place.quality_check
        key = (check.organisation_label, check.visit_date.strftime("%Y-%m"))
        totals[key] = totals.get(key, 0) + place.minutes
    return [
        {"organisation": org, "month": month, "minutes": minutes}
        for (org, month), minutes in sorted(totals.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def open_checks_data() -> list[dict[str, object]]:
    """Published check reports for open data: combined scores, agreement and the gap, never
    who the experts were."""
    rows: list[dict[str, object]] = []
    for check in published_checks().order_by("published_at", "pk"):
        result = result_for(check)
        rows.append(
            {
                "reference": check.reference,
                "about": check.about,
                "subject": check.subject_name,
                "service_id": check.service_id or None,
                "organization_id": check.organization_id or None,
                "organization": check.organization_name or None,
                "team": check.team.name if check.team else None,
                "visit_date": check.visit_date.isoformat(),
                "published_on": _day(check.published_at),
                "experts": result.experts,
                "overall": format_score(result.overall) if result.overall is not None else None,
                "overall_gap": format_score(result.overall_gap)
                if result.overall_gap is not None
                else None,
                "domains": [
                    {
                        "domain": d.domain,
                        "scores": list(d.scores),
                        "not_seen": d.not_seen,
                        "combined": format_score(d.combined) if d.combined is not None else None,
                        "spread": d.spread,
                        "agreement_rwg": format_score(d.agreement, 2)
                        if d.agreement is not None
                        else None,
                        "agreement": d.agreement_label,
                        "self_assessment": d.self_score,
                        "gap": format_score(d.gap) if d.gap is not None else None,
                    }
                    for d in result.domains
                ],
                "summary": check.summary,
                "respond_by": check.respond_by.isoformat() if check.respond_by else None,
                "responded_on": _day(check.responded_at),
                "response": check.response or None,
            }
        )
    return rows


# --- co-production self-assessment --------------------------------------------------------------


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} hours {rest} minutes" if rest else f"{hours} hours"


def coproduction_prefill(subject: str, held_on: dt.date) -> list[dict[str, str]]:
    """What the platform recorded, by kind, for the 12 months before the workshop (``subject``
    narrows the voice figures to an organisation or council team of that name, when there is
    one). Each row: kind, what, value. Figures the platform does not record say "Not known"."""
    start = held_on - dt.timedelta(days=365)
    name = subject.strip().lower()
    feedback = Feedback.objects.filter(received_on__gte=start, received_on__lte=held_on)
    checks = published_checks().filter(visit_date__gte=start, visit_date__lte=held_on)
    expert_rows = expert_hours(start, held_on)
    if name and (
        feedback.filter(Q(organization_name__iexact=name) | Q(team__name__iexact=name)).exists()
        or any(str(r["organisation"]).lower() == name for r in expert_rows)
    ):
        feedback = feedback.filter(Q(organization_name__iexact=name) | Q(team__name__iexact=name))
        checks = checks.filter(Q(organization_name__iexact=name) | Q(team__name__iexact=name))
        expert_rows = [r for r in expert_rows if str(r["organisation"]).lower() == name]
        scope = subject.strip()
    else:
        scope = "the whole area"
    ballots = sum(
        row.voted
        for round_ in participation_selectors.rounds()
        for row in participation_selectors.turnout_by_neighbourhood(round_)
    )
    period = f"{start.day} {start:%B %Y} to {held_on.day} {held_on:%B %Y}"
    return [
        {
            "kind": "co_commissioning",
            "what": "Ballots cast in participatory budgeting rounds (all rounds so far, whole area)",
            "value": str(ballots),
        },
        {
            "kind": "co_design",
            "what": f"Feedback answered in full, {scope}, {period}",
            "value": str(feedback.filter(responded_at__isnull=False).count()),
        },
        {
            "kind": "co_design",
            "what": f"Changes made after feedback and confirmed, {scope}, {period}",
            "value": str(
                Change.objects.filter(feedback__in=feedback, state=Change.State.MADE).count()
            ),
        },
        {
            "kind": "co_design",
            "what": "Support plans co-signed with family",
            "value": "Not known (the platform does not record this yet)",
        },
        {
            "kind": "co_delivery",
            "what": f"Time bank hours exchanged, whole area, {period}",
            "value": _hours(timebank_selectors.report(start, held_on).total_minutes),
        },
        {
            "kind": "co_assessment",
            "what": f"Experts-by-experience time on quality checks, {scope}, {period}",
            "value": _hours(sum(int(str(r["minutes"])) for r in expert_rows)),
        },
        {
            "kind": "co_assessment",
            "what": f"Quality check reports published, {scope}, {period}",
            "value": str(checks.count()),
        },
    ]


def coproduction_subjects() -> list[CoproductionAssessment]:
    """The latest assessment of each organisation or project."""
    latest: dict[str, CoproductionAssessment] = {}
    for assessment in CoproductionAssessment.objects.order_by("subject_key", "-held_on", "-pk"):
        latest.setdefault(assessment.subject_key, assessment)
    return sorted(latest.values(), key=lambda a: a.subject.lower())


def coproduction_history(subject_key: str) -> list[CoproductionAssessment]:
    return list(
        CoproductionAssessment.objects.filter(subject_key=subject_key).order_by("held_on", "pk")
    )


def visit_pairs(check: QualityCheck) -> QuerySet[VisitPair]:
    """The check's experts paired for visits, by date and place."""
    return check.visit_pairs.select_related("first__expert", "second__expert").order_by(
        "visit_on", "place", "first__label", "second__label"
    )
