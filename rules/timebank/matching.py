"""Suggest members for a request for help, ranked, with the reasons a coordinator can read.

The scoring rule and all its numbers are in :mod:`rules.timebank.weights`. Members are left out,
each with a reason, checked in this order: they made the request; they are not active; they offer
no related skill; the activity needs a safeguarding check (for example a DBS check for home
visits) and theirs is missing or no longer valid on the day of the request; they are beyond the
request's distance limit.

The result does not depend on the order members are given in: suggestions are sorted by score
(rounded to six decimals) and then by member id; exclusions by member id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from rules.ledger.formatting import format_date
from rules.timebank.availability import WeeklySlot, match_availability
from rules.timebank.errors import TimebankError
from rules.timebank.geo import Point, describe_distance, haversine_km
from rules.timebank.records import MemberId
from rules.timebank.reliability import Track
from rules.timebank.taxonomy import CategoryMatch, Relation, Taxonomy
from rules.timebank.weights import DEFAULT_WEIGHTS, Weights


@dataclass(frozen=True, slots=True)
class Member:
    """What matching needs to know about a member.

    ``location`` is their own point if they shared one; otherwise ``neighbourhood`` is looked up in
    the ``centroids`` given to :func:`suggest_members`.
    """

    id: MemberId
    name: str
    skills: frozenset[str] = frozenset()
    location: Point | None = None
    neighbourhood: str | None = None
    availability: tuple[WeeklySlot, ...] = ()
    track: Track = field(default_factory=Track)
    safeguarding_valid_until: date | None = None
    """The last day their safeguarding (DBS) check is valid; ``None`` if they have none."""
    active: bool = True


@dataclass(frozen=True, slots=True)
class HelpRequest:
    """A request for help in ``category`` on (or from) the day ``on``.

    ``times`` are the weekly times that would suit; empty means any time.
    """

    category: str
    on: date
    location: Point | None = None
    neighbourhood: str | None = None
    times: tuple[WeeklySlot, ...] = ()
    needs_safeguarding_check: bool = False
    requester: MemberId | None = None
    max_distance_km: float | None = None


class ExclusionCode(StrEnum):
    REQUESTER = "requester"
    INACTIVE = "inactive"
    NO_SAFEGUARDING_CHECK = "no_safeguarding_check"
    SAFEGUARDING_EXPIRED = "safeguarding_expired"
    NO_MATCHING_SKILL = "no_matching_skill"
    TOO_FAR = "too_far"


@dataclass(frozen=True, slots=True)
class Exclusion:
    member_id: MemberId
    name: str
    code: ExclusionCode
    reason: str


@dataclass(frozen=True, slots=True)
class Components:
    """Each part of the score, from 0 to 1, before weighting."""

    skill: float
    distance: float
    availability: float
    reliability: float


@dataclass(frozen=True, slots=True)
class Suggestion:
    member_id: MemberId
    name: str
    score: float
    """Weighted mean of the components, 0 to 1, rounded to six decimals."""
    components: Components
    reasons: tuple[str, ...]
    """Skill, distance, availability and reliability, in that order."""
    distance_km: float | None
    matched_category: CategoryMatch


@dataclass(frozen=True, slots=True)
class MatchResult:
    suggestions: tuple[Suggestion, ...]
    excluded: tuple[Exclusion, ...]

    def exclusion_for(self, member_id: MemberId) -> Exclusion | None:
        return next((e for e in self.excluded if e.member_id == member_id), None)


def id_sort_key(member_id: MemberId) -> tuple[int, int, str]:
    """Numbers in numeric order, then text ids; never compares an int with a str."""
    if isinstance(member_id, int):
        return (0, member_id, "")
    return (1, 0, member_id)


def best_skill(
    skills: Iterable[str], requested: str, taxonomy: Taxonomy, weights: Weights
) -> tuple[float, CategoryMatch] | None:
    """The member's skill that best fits ``requested`` and its score (ties: by category id)."""
    best: tuple[float, CategoryMatch] | None = None
    for skill in sorted(skills):
        match = taxonomy.relation(skill, requested)
        if match is None:
            continue
        if match.relation is Relation.SAME:
            value = 1.0
        elif match.relation is Relation.NARROWER:
            value = weights.narrower_per_level**match.levels
        else:
            value = weights.broader_per_level**match.levels
        if best is None or value > best[0]:
            best = (value, match)
    return best


def _place(
    point: Point | None, neighbourhood: str | None, centroids: Mapping[str, Point]
) -> Point | None:
    if point is not None:
        return point
    if neighbourhood is not None:
        return centroids.get(neighbourhood)
    return None


def _safeguarding_exclusion(
    member: Member, request: HelpRequest, activity: str
) -> Exclusion | None:
    if not request.needs_safeguarding_check:
        return None
    until = member.safeguarding_valid_until
    if until is None:
        return Exclusion(
            member.id,
            member.name,
            ExclusionCode.NO_SAFEGUARDING_CHECK,
            f"No safeguarding check on record; '{activity}' needs one.",
        )
    if until < request.on:
        return Exclusion(
            member.id,
            member.name,
            ExclusionCode.SAFEGUARDING_EXPIRED,
            f"Safeguarding check is valid only until {format_date(until)}; "
            f"'{activity}' on {format_date(request.on)} needs a valid one.",
        )
    return None


def suggest_members(
    request: HelpRequest,
    members: Iterable[Member],
    taxonomy: Taxonomy | None = None,
    *,
    centroids: Mapping[str, Point] | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    limit: int | None = None,
) -> MatchResult:
    """Rank ``members`` for ``request``; see the module and :mod:`rules.timebank.weights`."""
    taxonomy = taxonomy or Taxonomy.flat()
    centroids = centroids or {}
    activity = taxonomy.label(request.category)
    origin = _place(request.location, request.neighbourhood, centroids)
    suggestions: list[Suggestion] = []
    excluded: list[Exclusion] = []
    seen: set[MemberId] = set()
    for member in members:
        if member.id in seen:
            raise TimebankError(f"Member {member.id!r} is listed twice.")
        seen.add(member.id)
        if request.requester is not None and member.id == request.requester:
            excluded.append(
                Exclusion(member.id, member.name, ExclusionCode.REQUESTER, "Made the request.")
            )
            continue
        if not member.active:
            excluded.append(
                Exclusion(member.id, member.name, ExclusionCode.INACTIVE, "Not currently active.")
            )
            continue
        skill = best_skill(member.skills, request.category, taxonomy, weights)
        if skill is None:
            excluded.append(
                Exclusion(
                    member.id,
                    member.name,
                    ExclusionCode.NO_MATCHING_SKILL,
                    f"Does not offer '{activity}' or a related category.",
                )
            )
            continue
        safeguarding = _safeguarding_exclusion(member, request, activity)
        if safeguarding is not None:
            excluded.append(safeguarding)
            continue
        where = _place(member.location, member.neighbourhood, centroids)
        km = haversine_km(origin, where) if origin is not None and where is not None else None
        if km is not None and request.max_distance_km is not None and km > request.max_distance_km:
            excluded.append(
                Exclusion(
                    member.id,
                    member.name,
                    ExclusionCode.TOO_FAR,
                    f"{km:.1f} km away, beyond the {request.max_distance_km:g} km limit.",
                )
            )
            continue
        if km is None:
            distance_score, distance_reason = weights.unknown_distance, "Distance not known"
        else:
            distance_score = 0.5 ** (km / weights.distance_halving_km)
            distance_reason = describe_distance(km)
        if request.times:
            available = match_availability(member.availability, request.times)
            availability_score, availability_reason = available.share, available.describe()
        else:
            availability_score, availability_reason = 1.0, "Any time suits"
        reliability_score = member.track.score(weights)
        components = Components(skill[0], distance_score, availability_score, reliability_score)
        score = (
            weights.skill * components.skill
            + weights.distance * components.distance
            + weights.availability * components.availability
            + weights.reliability * components.reliability
        ) / weights.total
        reasons = (
            taxonomy.describe(skill[1]),
            distance_reason,
            availability_reason,
            member.track.describe(),
        )
        suggestions.append(
            Suggestion(member.id, member.name, round(score, 6), components, reasons, km, skill[1])
        )
    suggestions.sort(key=lambda s: (-s.score, id_sort_key(s.member_id)))
    excluded.sort(key=lambda e: id_sort_key(e.member_id))
    if limit is not None:
        suggestions = suggestions[: max(0, limit)]
    return MatchResult(tuple(suggestions), tuple(excluded))
