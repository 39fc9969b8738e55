"""Reads for people's voice. Nothing here returns who gave feedback except
:func:`identity_for`, which says "withheld" to everyone outside moderation when the person asked."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from rules.voice import working_days_between
from voice.models import Change, Feedback, ModerationDecision, Team
from voice.services import can_respond, is_moderator


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
    if not getattr(user, "is_authenticated", False):
        return Feedback.objects.none()
    return Feedback.objects.filter(author=user).prefetch_related("changes").order_by("-received_at")


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
