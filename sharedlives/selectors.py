"""Reads for Shared Lives. :func:`placement_costs` is what the evidence pages use: each placement's
weekly cost beside the alternative's, with how many whole weeks it has run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from rules.safeguarding import Gap
from rules.sharedlives.approval import Adult, RecordedCheck
from rules.sharedlives.approval import approval_gaps as rules_approval_gaps
from rules.sharedlives.costs import costs_on, weeks_run
from rules.sharedlives.matching import (
    CarerFacts,
    Needs,
    Shortlist,
    describe,
    easy_read,
    shortlist,
)
from rules.sharedlives.referrals import ReferralAnswers, missing
from sharedlives.models import Carer, Match, Referral, words


def placement_costs(today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every placement that has started, oldest first, as
    ``{"placement_id", "weekly_cost", "alternative_weekly_cost", "weeks", "started_on", "ended_on"}``.

    Costs are ``Decimal`` pounds a week: the figures recorded on the placement, or where none were
    recorded the parameter file's figures in force on its first day. ``weeks`` counts whole weeks
    from its start to its end (or to ``today`` while it goes on). No names: safe for aggregates."""
    today = today or timezone.localdate()
    rows = []
    placed = Match.objects.filter(started_on__isnull=False).order_by("started_on", "pk")
    for match in placed:
        assert match.started_on is not None  # filtered above; for the type checker
        defaults = costs_on(match.started_on)
        weekly = match.weekly_cost if match.weekly_cost is not None else defaults.weekly_cost
        alternative = (
            match.alternative_weekly_cost
            if match.alternative_weekly_cost is not None
            else defaults.alternative_weekly_cost
        )
        rows.append(
            {
                "placement_id": match.pk,
                "weekly_cost": Decimal(weekly),
                "alternative_weekly_cost": Decimal(alternative),
                "weeks": weeks_run(match.started_on, match.ended_on or today),
                "started_on": match.started_on,
                "ended_on": match.ended_on,
            }
        )
    return rows


def carers() -> QuerySet[Carer]:
    return Carer.objects.prefetch_related("adults", "checks")


def open_referrals() -> QuerySet[Referral]:
    return Referral.objects.filter(status=Referral.Status.OPEN).select_related("person")


def referrals_of(person: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(person=person).prefetch_related("matches__carer")


def matches_for_carer(carer: Carer) -> QuerySet[Match]:
    return carer.matches.select_related("referral__person").order_by("-proposed_on", "-pk")


def spare_places(carer: Carer) -> int:
    """Places the household offers less the placements living or staying with them now."""
    return carer.places - carer.matches.filter(stage=Match.Stage.PLACED).count()


def _recorded_checks(carer: Carer) -> tuple[RecordedCheck, ...]:
    return tuple(
        RecordedCheck(
            kind=c.kind,
            checked_on=c.checked_on,
            expires_on=c.expires_on,
            adult_id=str(c.adult_id or ""),
        )
        for c in carer.checks.all()
    )


def _adults(carer: Carer) -> tuple[Adult, ...]:
    return tuple(Adult(str(a.pk), a.name) for a in carer.adults.all())


def approval_gaps(carer: Carer, on: dt.date) -> list[Gap]:
    """What stops the household being approved (or staying approved) on ``on``."""
    return rules_approval_gaps(_adults(carer), _recorded_checks(carer), on)


def carer_facts(carer: Carer) -> CarerFacts:
    return CarerFacts(
        carer_id=str(carer.pk),
        name=carer.name,
        approved_on=carer.approved_on if carer.status == Carer.Status.APPROVED else None,
        withdrawn=carer.status == Carer.Status.WITHDRAWN,
        adults=_adults(carer),
        checks=_recorded_checks(carer),
        offers=frozenset(carer.offers),
        step_free=carer.step_free,
        pets=carer.pets,
        smoking=carer.smoking,
        spare_places=spare_places(carer),
        neighbourhood=carer.neighbourhood,
        faith=carer.faith,
        languages=tuple(words(carer.languages)),
        interests=tuple(words(carer.interests)),
        skills=tuple(words(carer.skills)),
    )


def answers_of(referral: Referral) -> ReferralAnswers:
    return ReferralAnswers(
        offer=referral.offer,
        about=referral.about,
        needs_step_free=referral.needs_step_free,
        needs_smoke_free=referral.needs_smoke_free,
        allergic_to_pets=referral.allergic_to_pets,
        languages=tuple(words(referral.languages)),
        interests=tuple(words(referral.interests)),
        faith=referral.faith,
        faith_matters=referral.faith_matters,
    )


def referral_missing(referral: Referral) -> list[str]:
    """Each answer still needed before matching, in plain words (empty: ready to match)."""
    return missing(answers_of(referral))


def needs_of(referral: Referral) -> Needs | None:
    """The referral as the matching rules read it, or None while it is incomplete."""
    if referral_missing(referral):
        return None
    assert referral.needs_step_free is not None  # complete, checked above
    assert referral.needs_smoke_free is not None
    assert referral.allergic_to_pets is not None
    return Needs(
        offer=referral.offer,
        needs_step_free=referral.needs_step_free,
        needs_smoke_free=referral.needs_smoke_free,
        allergic_to_pets=referral.allergic_to_pets,
        languages=tuple(words(referral.languages)),
        interests=tuple(words(referral.interests)),
        neighbourhoods=tuple(words(referral.neighbourhoods)),
        faith=referral.faith,
        faith_matters=referral.faith_matters,
    )


def shortlist_for(referral: Referral, on: dt.date | None = None) -> Shortlist | None:
    """Every carer household that is being assessed, approved or was a carer, excluded with reasons
    or shortlisted in the stated order; None while the referral is incomplete. Households already
    being asked about this person are left out (they are on the referral's matches)."""
    needs = needs_of(referral)
    if needs is None:
        return None
    busy = referral.matches.exclude(stage=Match.Stage.ENDED).values("carer_id")
    pool = [carer_facts(c) for c in carers().exclude(pk__in=busy)]
    return shortlist(pool, needs, on or timezone.localdate())


def easy_read_shortlist(referral: Referral, on: dt.date | None = None) -> list[dict[str, Any]]:
    """For the person: each shortlisted household with short, plain sentences (no positions)."""
    needs = needs_of(referral)
    result = shortlist_for(referral, on)
    if needs is None or result is None:
        return []
    by_id = {str(c.pk): c for c in carers()}
    rows = []
    for candidate in result.candidates:
        facts = carer_facts(by_id[candidate.carer_id])
        rows.append({"name": candidate.name, "lines": easy_read(candidate, facts, needs)})
    return rows


def open_matches() -> QuerySet[Match]:
    return (
        Match.objects.exclude(stage=Match.Stage.ENDED)
        .select_related("referral__person", "carer")
        .order_by("proposed_on", "pk")
    )


def easy_read_match(match: Match) -> tuple[str, ...]:
    """Easy-read sentences about the household in a match, for the person."""
    needs = needs_of(match.referral)
    if needs is None:
        return ()
    facts = carer_facts(match.carer)
    return easy_read(describe(facts, needs), facts, needs)
