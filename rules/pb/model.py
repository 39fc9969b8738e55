"""Plain data types for a participatory-budgeting election (no I/O, no Django).

An :class:`Election` can be built directly by the Django app from its own ballots, or read from a
pabulib ``.pb`` file with :func:`rules.pb.pabulib.read_pb`. All amounts are exact
:class:`fractions.Fraction` values; nothing is ever rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
UTILITIES = ("cost", "points", "cardinal")
TIE_BREAKS = ("id", "cost-votes")


class PBError(ValueError):
    """A participatory-budgeting input or request that cannot be used."""


class PBFormatError(PBError):
    """A malformed or inconsistent ``.pb`` file or election. ``line`` is 1-based (0 if unknown)."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        where = f"line {line}: " if line > 0 else ""
        super().__init__(f"{where}{reason}")


@dataclass(frozen=True)
class Project:
    """A project on the ballot paper. ``extra`` holds any other pabulib columns (name, category…)."""

    project_id: str
    cost: Fraction
    name: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot.

    ``projects`` lists project ids: any order for approval, most preferred first for ordinal, and
    aligned with ``points`` for cumulative / scoring ballots (``points`` is ``None`` otherwise).
    """

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Fraction, ...] | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Election:
    """A budget, the projects and the ballots; ``meta`` keeps the other pabulib META entries.

    The constructor checks consistency (unknown project ids, duplicate voters or projects,
    negative costs, points misaligned with projects) and raises :class:`PBFormatError`.
    Ballot constraints declared in ``meta`` (``max_length``…) are checked by
    :func:`check_ballot_constraints`, which the file reader calls for every ballot.
    """

    budget: Fraction
    projects: dict[str, Project]
    ballots: list[Ballot]
    vote_type: str = "approval"
    meta: dict[str, str] = field(default_factory=dict)

    def __init__(
        self,
        budget: Fraction | int | str,
        projects: Iterable[Project] | Mapping[str, Project],
        ballots: Iterable[Ballot],
        vote_type: str = "approval",
        meta: Mapping[str, str] | None = None,
        *,
        check: bool = True,
    ) -> None:
        self.budget = parse_amount(budget) if isinstance(budget, str) else Fraction(budget)
        values = projects.values() if isinstance(projects, Mapping) else projects
        self.projects = {}
        for project in values:
            if project.project_id in self.projects:
                raise PBFormatError(0, f"project {project.project_id!r} is listed twice")
            self.projects[project.project_id] = project
        self.ballots = list(ballots)
        self.vote_type = vote_type
        self.meta = dict(meta or {})
        if check:
            self.check()

    def check(self) -> None:
        """Raise :class:`PBFormatError` if the election is inconsistent (see class docstring)."""
        if self.vote_type not in VOTE_TYPES:
            raise PBFormatError(0, f"unknown vote_type {self.vote_type!r}")
        if self.budget < 0:
            raise PBFormatError(0, f"the budget is negative ({format_amount(self.budget)})")
        for project in self.projects.values():
            if project.cost < 0:
                raise PBFormatError(0, f"project {project.project_id!r} has a negative cost")
        seen: set[str] = set()
        for ballot in self.ballots:
            if ballot.voter_id in seen:
                raise PBFormatError(0, f"voter {ballot.voter_id!r} has more than one ballot")
            seen.add(ballot.voter_id)
            check_ballot(self, ballot)

    @property
    def num_voters(self) -> int:
        return len(self.ballots)


def check_ballot(election: Election, ballot: Ballot) -> None:
    """Check one ballot against the projects and vote type (not the META constraints)."""
    who = f"voter {ballot.voter_id!r}"
    if len(set(ballot.projects)) != len(ballot.projects):
        raise PBFormatError(0, f"{who} lists a project more than once")
    for pid in ballot.projects:
        if pid not in election.projects:
            raise PBFormatError(0, f"{who} votes for unknown project {pid!r}")
    if election.vote_type in ("cumulative", "scoring"):
        if ballot.points is None or len(ballot.points) != len(ballot.projects):
            raise PBFormatError(0, f"{who}: the points do not match the projects voted for")
        if any(p < 0 for p in ballot.points):
            raise PBFormatError(0, f"{who} gives negative points")
    elif ballot.points is not None:
        raise PBFormatError(0, f"{who}: points are only allowed on cumulative or scoring ballots")
    if election.vote_type == "choose-1" and len(ballot.projects) > 1:
        raise PBFormatError(0, f"{who} chooses {len(ballot.projects)} projects in a choose-1 vote")


def check_ballot_constraints(election: Election, ballot: Ballot) -> None:
    """Check a ballot against the constraints declared in META (``min_length``, ``max_sum_points``…).

    Only constraints that are present in ``election.meta`` are enforced.
    """
    meta = election.meta
    who = f"voter {ballot.voter_id!r}"
    n = len(ballot.projects)
    for key, limit_is_max in (("min_length", False), ("max_length", True)):
        if key in meta:
            limit = parse_amount(meta[key], key)
            if (n > limit) if limit_is_max else (n < limit):
                word = "at most" if limit_is_max else "at least"
                raise PBFormatError(
                    0,
                    f"{who} votes for {n} projects but {key} allows {word} {format_amount(limit)}",
                )
    if election.vote_type == "approval" and ("min_sum_cost" in meta or "max_sum_cost" in meta):
        total = sum((election.projects[p].cost for p in ballot.projects), Fraction(0))
        if "min_sum_cost" in meta and total < parse_amount(meta["min_sum_cost"], "min_sum_cost"):
            raise PBFormatError(
                0,
                f"{who} approves projects costing {format_amount(total)}, "
                f"less than min_sum_cost {meta['min_sum_cost']}",
            )
        if "max_sum_cost" in meta and total > parse_amount(meta["max_sum_cost"], "max_sum_cost"):
            raise PBFormatError(
                0,
                f"{who} approves projects costing {format_amount(total)}, "
                f"more than max_sum_cost {meta['max_sum_cost']}",
            )
    if ballot.points is not None:
        total_points = sum(ballot.points, Fraction(0))
        checks = (
            ("min_points", min(ballot.points, default=None), False),
            ("max_points", max(ballot.points, default=None), True),
            ("min_sum_points", total_points, False),
            ("max_sum_points", total_points, True),
        )
        for key, value, is_max in checks:
            if key not in meta or value is None:
                continue
            limit = parse_amount(meta[key], key)
            if (value > limit) if is_max else (value < limit):
                word = "more than" if is_max else "less than"
                raise PBFormatError(
                    0, f"{who} gives {format_amount(value)} points, {word} {key} {meta[key]}"
                )


MAX_NUMBER_CHARS = 64
"""Longest number accepted, in characters (a budget of 10^60 needs 61)."""
MAX_EXPONENT = 60
"""Largest power of ten a number may carry either way (``1e60``, ``1e-60``). Exact rationals of
``1e999999999`` would take minutes and gigabytes to build."""


def parse_amount(text: str, what: str = "number") -> Fraction:
    """Parse an exact decimal such as ``12``, ``2828094.61`` or ``2828094,61`` (or ``a/b``).

    Bounded: at most :data:`MAX_NUMBER_CHARS` characters and powers of ten up to
    :data:`MAX_EXPONENT` either way, so no input makes the reader build a huge integer.
    """
    cleaned = text.strip().replace(",", ".")
    if len(cleaned) > MAX_NUMBER_CHARS:
        raise PBError(f"{what} is too long (more than {MAX_NUMBER_CHARS} characters)")
    try:
        if "/" in cleaned:
            value = Fraction(cleaned)
        else:
            number = Decimal(cleaned)
            exponent = number.as_tuple().exponent
            if isinstance(exponent, int) and (
                abs(exponent) > MAX_EXPONENT or abs(number.adjusted()) > MAX_EXPONENT
            ):
                raise PBError(f"{what} {text[:20]!r} is too large or too small (at most 1e60)")
            value = Fraction(number)
    except (ValueError, ArithmeticError, ZeroDivisionError) as error:
        if isinstance(error, PBError):
            raise
        raise PBError(f"{what} {text!r} is not a number") from None
    return value


def format_amount(value: Fraction) -> str:
    """Exact text for an amount: ``12``, ``12.5``; ``a/b`` only if no finite decimal exists."""
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = abs(value) * 10**digits
    assert scaled.denominator == 1
    whole, frac_part = divmod(scaled.numerator, 10**digits)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{frac_part:0{digits}d}"


def project_sort_key(project_id: str) -> tuple[int, int, str]:
    """Numeric order when the id is all digits, otherwise string order (for display)."""
    if project_id.isdigit():
        return (0, int(project_id), project_id)
    return (1, 0, project_id)


def ballot_scores(ballot: Ballot, vote_type: str) -> Sequence[tuple[str, Fraction]]:
    """The score of each project on a ballot.

    Approval and choose-1: 1 per project. Cumulative / scoring: the points given. Ordinal: a project
    ranked at (0-based) position ``i`` of a ballot of length ``n`` scores ``n - i`` (the last scores
    1), as pabulib's ``score`` column records it.
    """
    if ballot.points is not None:
        return list(zip(ballot.projects, ballot.points, strict=True))
    if vote_type == "ordinal":
        n = len(ballot.projects)
        return [(pid, Fraction(n - i)) for i, pid in enumerate(ballot.projects)]
    one = Fraction(1)
    return [(pid, one) for pid in ballot.projects]


def ballot_utilities(
    election: Election, ballot: Ballot, utility: str
) -> list[tuple[str, Fraction]]:
    """A voter's utility for each project on their ballot (zero utilities are dropped).

    ``cost``: the project's cost for every project on the ballot (pabutools ``Cost_Sat``).
    ``points``: score x cost, so the utilitarian greedy orders projects by total score.
    ``cardinal``: the score itself (pabutools ``Additive_Cardinal_Sat``; 1 per approved project).
    """
    projects = election.projects
    if utility == "cost":
        pairs = [(pid, projects[pid].cost) for pid in ballot.projects]
    elif utility == "points":
        pairs = [
            (pid, s * projects[pid].cost) for pid, s in ballot_scores(ballot, election.vote_type)
        ]
    elif utility == "cardinal":
        pairs = list(ballot_scores(ballot, election.vote_type))
    else:
        raise PBError(f"unknown utility {utility!r} (choose one of {', '.join(UTILITIES)})")
    return [(pid, u) for pid, u in pairs if u > 0]
