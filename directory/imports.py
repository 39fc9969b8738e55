"""Reads for the coordinator's import pages: each import of an Open Referral UK feed, its report
and the records that need attention (``directory.models.ImportRun``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from directory.models import ImportRun, Service

# The sections of a report, in the order a coordinator works through them.
SECTIONS = (
    (
        "error",
        "Not imported",
        "These records (or files) were not imported. Nothing of them was kept.",
    ),
    (
        "dropped",
        "Fields set aside",
        "These services were imported without the field named: its value was not valid.",
    ),
    (
        "suggestion",
        "To confirm with the provider",
        "The description mentions a price or a phone number the listing does not have as a "
        "fact. Nothing is published from these: confirm with the provider and update the "
        "listing.",
    ),
    (
        "withdrawn",
        "No longer in the feed",
        "The previous import of this feed had these services and this one does not. They are "
        "marked inactive and no longer shown; a later import that has them shows them again.",
    ),
    ("repaired", "Values repaired", "These values were repaired and imported as shown."),
)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    explanation: str
    items: list[dict[str, Any]]


def recent_runs(limit: int = 50) -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("started_by").order_by("-started_at", "-id")[:limit]


def run_or_none(run_id: int) -> ImportRun | None:
    return ImportRun.objects.filter(pk=run_id).first()


def sections(run: ImportRun) -> list[Section]:
    """The run's report grouped by what needs doing, each item marked with whether its service
    is in the directory (``listed``) so the page can link to it."""
    problems = [p for p in run.problems if isinstance(p, dict)]
    ids = {p.get("record") for p in problems if p.get("record")}
    listed = set(Service.objects.filter(pk__in=ids).values_list("pk", flat=True))
    result = []
    for key, title, explanation in SECTIONS:
        items = [
            {**p, "listed": p.get("record") in listed}
            for p in problems
            if p.get("severity", "error") == key
        ]
        if items:
            result.append(Section(key, title, explanation, items))
    return result


def attention_count(run: ImportRun) -> int:
    """Items a coordinator should act on: records not imported, fields set aside, suggestions."""
    return sum(
        1
        for p in run.problems
        if isinstance(p, dict) and p.get("severity") in ("error", "dropped", "suggestion")
    )
