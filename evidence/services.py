"""What commissioners do with evidence: start a project, add what went in and what changed, load the
area's proxies and deflators. Every change is checked by ``rules.sroi`` before it is saved (so a
saved case always recounts) and written to the audit trail."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from accounts.models import AuditEvent, User
from accounts.services import record_audit
from evidence import access
from evidence.models import AreaProxy, CoproductionSession, DeflatorYear, Project, SearchDemand
from rules.sroi import CaseError
from rules.sroi.case import case_settings_from_dict, input_from_dict, outcome_from_dict
from timebank import selectors as timebank_selectors
from wellbeing_hub.form_attempts import Refused


class EvidenceRefused(Refused):
    """A change that cannot be made; ``field`` names the form field to show it on."""


def _field_of(error: CaseError) -> str:
    """``outcomes[0].proxy.value`` -> ``proxy_value``; ``inputs[1].rate`` -> ``rate``."""
    path = re.sub(r"^(inputs|outcomes)\[\d+\]\.?", "", error.path)
    return path.replace(".", "_") or "name"


def _audit(actor: User, action: str, project: Project, summary: str) -> None:
    record_audit(actor=actor, action=action, target=project, summary=summary)


def _require(actor: User) -> None:
    if not access.can_use(actor):
        raise access.NotAllowed("Only commissioners and administrators can change evidence.")


@transaction.atomic
def create_project(
    actor: User,
    *,
    name: str,
    summary: str,
    base_year: int,
    discount_rate: str,
    discount_rate_source: str,
    discount_first_year: bool,
) -> Project:
    _require(actor)
    case: dict[str, Any] = {
        "name": name,
        "base_year": base_year,
        "discount_rate": discount_rate,
        "discount_rate_source": discount_rate_source,
        "discount_first_year": discount_first_year,
        "inputs": [],
        "outcomes": [],
    }
    _check_settings(case)
    project = Project.objects.create(name=name, summary=summary, case=case, created_by=actor)
    _audit(actor, AuditEvent.Action.CREATE, project, f"Started the evidence project {name!r}")
    return project


def _check_settings(case: Mapping[str, Any]) -> None:
    """The case-wide fields, checked by the rules before any input or outcome exists."""
    try:
        case_settings_from_dict(case)
    except CaseError as error:
        raise EvidenceRefused(error.message, _field_of(error)) from None


def case_with_area_figures(project: Project) -> dict[str, Any]:
    """The stored case plus the area's deflator series (so the downloaded case recounts alone)."""
    case = dict(project.case)
    years = list(DeflatorYear.objects.all())
    if years:
        case["deflator"] = {
            "source": "; ".join(sorted({y.source for y in years})),
            "series": {y.year: str(y.index) for y in years},
        }
    return case


@transaction.atomic
def add_input(actor: User, project: Project, data: Mapping[str, Any]) -> None:
    _require(actor)
    project = Project.objects.select_for_update().get(pk=project.pk)
    entry = {k: v for k, v in data.items() if v not in (None, "")}
    entry["id"] = _new_id(
        entry.get("name", "input"), [i.get("id", "") for i in project.case["inputs"]]
    )
    try:
        input_from_dict(entry, "input")
    except CaseError as error:
        raise EvidenceRefused(error.message, error.path.removeprefix("input.")) from None
    project.case["inputs"].append(entry)
    project.save(update_fields=["case", "updated_at"])
    _audit(actor, AuditEvent.Action.UPDATE, project, f"Added the input {entry['name']!r}")


def time_bank_hours(start: dt.date, end: dt.date) -> dict[str, int]:
    """What the time bank counted from ``start`` to ``end``: minutes, exchanges, members who gave."""
    records = timebank_selectors.exchange_records(start, end)
    return {
        "minutes": sum(r.minutes for r in records),
        "exchanges": len(records),
        "givers": len({r.giver for r in records}),
    }


def add_time_bank_hours(
    actor: User,
    project: Project,
    *,
    start: dt.date,
    end: dt.date,
    rate: str,
    rate_source: str,
    sector: str,
) -> dict[str, int]:
    _require(actor)  # before counting: the count is not for people who may not use it
    if end < start:
        raise EvidenceRefused("The end date must be the same as or after the start date", "end")
    counted = time_bank_hours(start, end)
    if not counted["minutes"]:
        raise EvidenceRefused(
            "The time bank has no confirmed exchanges in these dates: choose other dates", "start"
        )
    period = f"{start:%-d %B %Y} to {end:%-d %B %Y}"
    add_input(
        actor,
        project,
        {
            "name": f"Time-bank hours, {period}",
            "kind": "hours",
            "sector": sector,
            "minutes": counted["minutes"],
            "rate": rate,
            "rate_source": rate_source,
            "note": (
                f"Counted from the time bank: {counted['minutes']:,} minutes in "
                f"{counted['exchanges']:,} confirmed exchanges given by {counted['givers']:,} "
                f"members, {period}."
            ),
        },
    )
    return counted


def _new_id(name: str, taken: list[str]) -> str:
    base = slugify(name)[:40] or "item"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@transaction.atomic
def add_outcome(actor: User, project: Project, data: Mapping[str, Any]) -> None:
    _require(actor)
    project = Project.objects.select_for_update().get(pk=project.pk)
    entry: dict[str, Any] = {}
    proxy: dict[str, Any] = {}
    for key, value in data.items():
        if value in (None, ""):
            continue
        if key.startswith("proxy_"):
            proxy[key.removeprefix("proxy_")] = value
        else:
            entry[key] = value
    entry["proxy"] = proxy
    entry["id"] = _new_id(entry.get("name", "outcome"), [o["id"] for o in project.case["outcomes"]])
    try:
        outcome_from_dict(entry, "outcome")
    except CaseError as error:
        field = error.path.removeprefix("outcome.").replace(".", "_")
        raise EvidenceRefused(error.message, field) from None
    project.case["outcomes"].append(entry)
    project.save(update_fields=["case", "updated_at"])
    _audit(actor, AuditEvent.Action.UPDATE, project, f"Added the outcome {entry['name']!r}")


@transaction.atomic
def remove_item(actor: User, project: Project, kind: str, item_id: str) -> None:
    _require(actor)
    if kind not in ("inputs", "outcomes"):
        raise EvidenceRefused("Nothing to remove")
    project = Project.objects.select_for_update().get(pk=project.pk)
    kept = [item for item in project.case[kind] if item.get("id") != item_id]
    if len(kept) == len(project.case[kind]):
        raise EvidenceRefused("That item has already been removed")
    project.case[kind] = kept
    project.save(update_fields=["case", "updated_at"])
    _audit(actor, AuditEvent.Action.UPDATE, project, f"Removed {kind[:-1]} {item_id!r}")


@transaction.atomic
def add_proxy(
    actor: User,
    *,
    name: str,
    description: str,
    value: Decimal,
    price_year: int,
    source: str,
    licence: str,
) -> AreaProxy:
    _require(actor)
    if AreaProxy.objects.filter(name__iexact=name).exists():
        raise EvidenceRefused("The area already has a proxy with this name: use another", "name")
    proxy = AreaProxy.objects.create(
        name=name,
        description=description,
        value=value,
        price_year=price_year,
        source=source,
        licence=licence,
        added_by=actor,
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=proxy,
        summary=f"Added the financial proxy {name!r} ({source})",
    )
    return proxy


def parse_deflator(text: str) -> dict[int, Decimal]:
    """Lines of ``year,index`` (a header line and blank lines are skipped). Raises
    ``EvidenceRefused`` naming the line that is wrong."""
    series: dict[int, Decimal] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or (number == 1 and not line[:1].isdigit()):
            continue
        parts = [p.strip() for p in re.split(r"[,\t]", line)]
        if len(parts) != 2 or not re.fullmatch(r"\d{4}", parts[0]):
            raise EvidenceRefused(
                f"Line {number}: write a year and an index, like 2024,100.0", "series"
            )
        try:
            index = Decimal(parts[1])
        except ArithmeticError:
            index = Decimal(-1)
        if not index.is_finite() or not Decimal("0.0001") <= index <= Decimal("999999"):
            raise EvidenceRefused(
                f"Line {number}: the index must be a number above 0, like 100.0", "series"
            )
        year = int(parts[0])
        if year in series:
            raise EvidenceRefused(f"Line {number}: {year} is given twice", "series")
        series[year] = index.quantize(Decimal("0.0001"))
    if not series:
        raise EvidenceRefused("Give at least one year and index", "series")
    return series


@transaction.atomic
def set_deflator(actor: User, *, series: Mapping[int, Decimal], source: str) -> None:
    _require(actor)
    DeflatorYear.objects.all().delete()
    DeflatorYear.objects.bulk_create(
        DeflatorYear(year=year, index=index, source=source)
        for year, index in sorted(series.items())
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="evidence.deflatoryear",
        summary=f"Loaded a deflator series of {len(series)} years ({source})",
    )


MAX_SESSION_HOURS = Decimal("10000")


@transaction.atomic
def record_session(
    actor: User,
    *,
    organisation: str,
    held_on: dt.date,
    description: str,
    member_hours: Decimal,
    staff_hours: Decimal | None,
) -> CoproductionSession:
    if not access.can_record_sessions(actor):
        raise access.NotAllowed(
            "Only coordinators and commissioners record co-production sessions."
        )
    if held_on > dt.date.today():
        raise EvidenceRefused("The date must be today or in the past", "held_on")
    for field, hours in (("member_hours", member_hours), ("staff_hours", staff_hours)):
        if hours is not None and not Decimal(0) <= hours <= MAX_SESSION_HOURS:
            raise EvidenceRefused("Hours must be from 0 to 10,000", field)
    if not member_hours and not staff_hours:
        raise EvidenceRefused("Enter the hours members gave", "member_hours")
    session = CoproductionSession.objects.create(
        organisation=organisation,
        held_on=held_on,
        description=description,
        member_hours=member_hours,
        staff_hours=staff_hours,
        recorded_by=actor,
    )
    record_audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=session,
        summary=f"Recorded a co-production session of {organisation!r} on {held_on}",
    )
    return session


# A search with this many results or fewer counts as "found little".
FEW_RESULTS = 2
_WORD = re.compile(r"[^\W_]+")


def normalise_search(words: str) -> str:
    """Lower-case words in order, at most 100 characters: what is counted, nothing else."""
    return " ".join(_WORD.findall(words.lower()))[:100].strip()


def record_search_demand(words: str, results: int, neighbourhood: str = "") -> None:
    """Called by the directory after a free-text search. Nothing about who searched is kept."""
    text = normalise_search(words)
    if not text or results > FEW_RESULTS:
        return
    SearchDemand.objects.create(
        day=dt.date.today(), words=text, neighbourhood=neighbourhood[:120], results=results
    )
