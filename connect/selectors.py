"""Reads for social prescribing referrals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from connect.models import (
    CommunityPot,
    OnwardReferral,
    Referral,
    ReferringOrganisation,
    ServiceReferralTerms,
    WellbeingCheck,
)
from directory import referral_selectors
from directory.selectors import public_services
from directory.services import organizations_of
from rules.connect.reports import ReportRow
from rules.connect.reports import report as build_report
from rules.connect.summary import ReferralFacts, summary

OPEN = (
    Referral.Status.RECEIVED,
    Referral.Status.CONTACTED,
    Referral.Status.FIRST_CONVERSATION,
    Referral.Status.CONNECTED,
)


def caseload(worker: User) -> QuerySet[Referral]:
    """The link worker's open referrals, plus new ones nobody has picked up yet."""
    return (
        Referral.objects.filter(status__in=OPEN)
        .filter(Q(link_worker=worker) | Q(link_worker__isnull=True))
        .select_related("person", "referring_organisation")
        .order_by("received_on", "pk")
    )


def referrals_of(person: User) -> QuerySet[Referral]:
    return Referral.objects.filter(person=person).prefetch_related("onward")


def organisations_of(user: User) -> QuerySet[ReferringOrganisation]:
    return ReferringOrganisation.objects.filter(staff=user)


def service_terms(service_id: str) -> ServiceReferralTerms | None:
    return ServiceReferralTerms.objects.filter(service_id=service_id).first()


def _service_ids_of(user: User) -> list[str]:
    return [str(s.pk) for org in organizations_of(user) for s in org.services.all()]


def onward_for_service_member(user: User) -> list[OnwardReferral]:
    """Onward referrals to the services of the organisations ``user`` is a member of."""
    ids = _service_ids_of(user)
    if not ids:
        return []
    rows = (
        OnwardReferral.objects.filter(service_id__in=ids)
        .select_related("referral__person")
        .order_by("sent_on", "pk")
    )
    return [o for o in rows if referral_selectors.acts_for_service(user, o.service_id)]


def _day(d: Any) -> str:
    return d.isoformat() if d else ""


def message_back(referral: Referral) -> dict[str, Any]:
    """The structured message back to the referrer, holding only what the person agreed to share."""
    facts = ReferralFacts(
        referral_id=str(referral.pk),
        person_name=referral.person.get_full_name(),
        referrer_name=(
            referral.referring_organisation.name
            if referral.referring_organisation
            else referral.get_source_display()
        ),
        reason=referral.reason,
        what_matters=referral.what_matters,
        status=referral.get_status_display(),
        received_on=_day(referral.received_on),
        first_conversation_on=_day(referral.first_conversation_on),
        closed_on=_day(referral.closed_on),
        declined=referral.status == Referral.Status.DECLINED,
        services=tuple(
            (referral_selectors.service_name(o.service_id), o.get_status_display())
            for o in referral.onward.all()
        ),
        wellbeing=tuple(
            (f"{stage} ({day})", _wellbeing_words(score))
            for stage, day, score in wellbeing_answers(referral)
        ),
        consent_share_back=referral.consent_share_back,
        consent_outcomes=referral.consent_outcomes,
    )
    return summary(facts)


# --- for the evidence pages (aggregates only: no person is named) ---------------------------------


def declined_for_capacity(since: dt.date) -> list[dict[str, Any]]:
    """Onward referrals answered on or after ``since`` that a service could not take for lack of
    capacity: declined by the provider with the reason "No space", or declined automatically
    because nobody answered in time. One row per service, most declined first:
    ``{"service_id", "service_name", "count"}``."""
    rows = (
        OnwardReferral.objects.filter(answered_on__gte=since)
        .filter(
            Q(
                status=OnwardReferral.Status.DECLINED,
                decline_reason=OnwardReferral.DeclineReason.CAPACITY,
            )
            | Q(status=OnwardReferral.Status.AUTO_DECLINED)
        )
        .values("service_id")
        .annotate(count=Count("pk"))
    )
    found = [
        {
            "service_id": row["service_id"],
            "service_name": referral_selectors.service_name(row["service_id"]),
            "count": row["count"],
        }
        for row in rows
    ]
    return sorted(found, key=lambda r: (-r["count"], r["service_name"], r["service_id"]))


def people_supported(start: dt.date, end: dt.date) -> int:
    """How many different people a link worker was supporting at some time from ``start`` to
    ``end`` (both inclusive): their referral had reached a first conversation on or before
    ``end`` and had not been closed or declined before ``start``. A referral that never got to a
    first conversation (the person could not be reached, or declined at once) is not support."""
    if end < start:
        raise ValueError("The period must end on or after its start")
    return (
        Referral.objects.filter(first_conversation_on__isnull=False, first_conversation_on__lte=end)
        .exclude(closed_on__lt=start)
        .exclude(declined_on__lt=start)
        .values("person_id")
        .distinct()
        .count()
    )


# --- choosing a service, and a provider's own services ---------------------------------------------

SERVICE_CHOICES_SHOWN = 20


@dataclass(frozen=True)
class ServiceChoice:
    service_id: str
    name: str
    organisation: str
    takes_referrals: bool | None  # None: the service has not said
    typical_wait_days: int | None  # None: not known

    @property
    def label(self) -> str:
        if self.takes_referrals is False:
            taking = "Not taking referrals"
        elif self.takes_referrals:
            taking = "Taking referrals"
        else:
            taking = "Taking referrals: not known"
        wait = (
            "typical wait not known"
            if self.typical_wait_days is None
            else f"typical wait {self.typical_wait_days} day"
            + ("" if self.typical_wait_days == 1 else "s")
        )
        return f"{self.name} ({self.organisation}). {taking}; {wait}"


def _choices(services: Iterable[Any]) -> list[ServiceChoice]:
    rows = list(services)
    terms = {
        t.service_id: t
        for t in ServiceReferralTerms.objects.filter(service_id__in=[s.pk for s in rows])
    }
    return [
        ServiceChoice(
            service_id=str(s.pk),
            name=s.name,
            organisation=s.organization.name,
            takes_referrals=terms[s.pk].takes_referrals if s.pk in terms else None,
            typical_wait_days=terms[s.pk].typical_wait_days if s.pk in terms else None,
        )
        for s in rows
    ]


def service_choices(query: str = "") -> list[ServiceChoice]:
    """Public services a link worker may refer to, each with whether it is taking referrals and
    its typical wait. With no search words: the services that said they take referrals."""
    found = public_services().select_related("organization").order_by("name", "pk")
    if query.strip():
        found = found.filter(name__icontains=query.strip()[:100])
    else:
        taking = ServiceReferralTerms.objects.filter(takes_referrals=True).values_list(
            "service_id", flat=True
        )
        found = found.filter(pk__in=list(taking))
    return _choices(found[:SERVICE_CHOICES_SHOWN])


def service_choices_by_id(service_ids: list[str]) -> list[ServiceChoice]:
    return _choices(
        public_services()
        .filter(pk__in=service_ids[:SERVICE_CHOICES_SHOWN])
        .select_related("organization")
        .order_by("name", "pk")
    )


def services_run_by(user: User) -> list[ServiceChoice]:
    """The services of the organisations ``user`` is a member of (to set their referral terms)."""
    organisations = organizations_of(user)
    if not organisations:
        return []
    return _choices(
        public_services()
        .filter(organization__in=organisations)
        .select_related("organization")
        .order_by("name", "pk")
    )


# --- pages for the referrer and the person ---------------------------------------------------------


def referrals_made_by_organisations_of(user: User) -> QuerySet[Referral]:
    """Referrals made by the organisations ``user`` works for (their letters back)."""
    return (
        Referral.objects.filter(referring_organisation__staff=user)
        .select_related("person", "referring_organisation")
        .distinct()
        .order_by("-received_on", "pk")
    )


def wellbeing_answers(referral: Referral) -> list[tuple[str, str, Any]]:
    """(stage label, date, Score) for each ONS4 check on this referral, first conversation first."""
    from outcomes import selectors as outcomes_selectors
    from outcomes import services as outcomes_services

    checks = list(referral.wellbeing.all())
    sets = {
        a.pk: a
        for a in outcomes_selectors.answer_sets(referral.person, "ons4").filter(
            pk__in=[c.answer_set_id for c in checks]
        )
    }
    found = []
    for check in sorted(checks, key=lambda c: c.stage != "first_conversation"):
        answer_set = sets.get(check.answer_set_id)
        if answer_set is not None:
            found.append(
                (
                    check.get_stage_display(),
                    check.answered_on.isoformat(),
                    outcomes_services.score_of(answer_set),
                )
            )
    return found


def _wellbeing_words(score: Any) -> str:
    parts = []
    for value in score.values:
        band = f" ({value.band.label.lower()})" if value.band is not None else ""
        parts.append(f"{value.label}: {value.display} out of 10{band}")
    return "; ".join(parts)


def pots_open() -> QuerySet[CommunityPot]:
    return CommunityPot.objects.filter(active=True).order_by("name", "pk")


# --- reports (aggregates with small numbers suppressed) -------------------------------------------

REPORT_GROUPS = {
    "practice": "Referring practice or hospital",
    "service": "Community service",
    "link_worker": "Link worker",
}


def _ons4_values(score: Any) -> dict[str, int]:
    return {item: int(value) for item, value in score.answers}


def report(by: str) -> list[Any]:
    """Referrals by practice, link worker or (onward referrals) service, suppressed by
    ``rules.connect.reports`` with the outcomes rule. Names no person."""
    from outcomes import selectors as outcomes_selectors

    if by not in REPORT_GROUPS:
        raise ValueError(f"Unknown report grouping {by!r}")
    referrals = list(
        Referral.objects.select_related("referring_organisation", "link_worker", "person")
        .prefetch_related("wellbeing", "onward")
        .order_by("pk")
    )
    pairs: dict[Any, tuple[dict[str, int], dict[str, int]] | None] = {}
    consents: dict[int, bool] = {}
    for r in referrals:
        scores = {stage: score for stage, _day, score in wellbeing_answers(r)}
        first = scores.get(WellbeingCheck.Stage.FIRST_CONVERSATION.label)
        last = scores.get(WellbeingCheck.Stage.CLOSING.label)
        pairs[r.pk] = (_ons4_values(first), _ons4_values(last)) if first and last else None
        if r.person_id not in consents:
            profile = outcomes_selectors.profile_of(r.person)
            consents[r.person_id] = bool(profile and profile.counts_in_aggregates)
    rows = []
    if by == "service":
        for r in referrals:
            for o in r.onward.all():
                pair = pairs[r.pk]
                rows.append(
                    ReportRow(
                        group=referral_selectors.service_name(o.service_id),
                        reached=o.status == OnwardReferral.Status.ATTENDED,
                        before=pair[0] if pair else None,
                        after=pair[1] if pair else None,
                        counts_in_aggregates=consents[r.person_id],
                    )
                )
    else:
        for r in referrals:
            if by == "practice":
                group = (
                    r.referring_organisation.name
                    if r.referring_organisation
                    else r.get_source_display()
                )
            else:
                group = r.link_worker.get_full_name() if r.link_worker else "Not yet assigned"
            pair = pairs[r.pk]
            rows.append(
                ReportRow(
                    group=group,
                    reached=r.connected_on is not None,
                    before=pair[0] if pair else None,
                    after=pair[1] if pair else None,
                    counts_in_aggregates=consents[r.person_id],
                )
            )
    return build_report(rows)


def on_open_caseload(worker: User, person_id: int) -> bool:
    """``person_id`` has an open referral held by this link worker (for the outcomes app to let
    the worker record their ONS4 answers "with help")."""
    return Referral.objects.filter(
        link_worker=worker, person_id=person_id, status__in=OPEN
    ).exists()
