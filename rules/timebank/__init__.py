"""Time bank rules: matching members to requests, rotas, double-booking checks and reports.

Pure Python, no Django. Time balances and transfers use :mod:`rules.ledger` (``Minutes``,
``TimeKind``). The ranking rule and its numbers are documented in :mod:`rules.timebank.weights`.
"""

from rules.timebank.availability import AvailabilityMatch, WeeklySlot, match_availability
from rules.timebank.errors import (
    InvalidRota,
    InvalidSlot,
    SlotOverlap,
    TaxonomyError,
    TimebankError,
)
from rules.timebank.exchanges import ExchangeSlot, check_no_overlap, find_overlaps
from rules.timebank.geo import Point, haversine_km
from rules.timebank.matching import (
    Components,
    Exclusion,
    ExclusionCode,
    HelpRequest,
    MatchResult,
    Member,
    Suggestion,
    suggest_members,
)
from rules.timebank.records import ExchangeRecord, ExchangeStatus, MemberId
from rules.timebank.reliability import Track, track_record
from rules.timebank.reports import (
    CreditRecord,
    CreditTotals,
    MonthlyHours,
    Reciprocity,
    active_members,
    credit_totals,
    hours_by_category,
    hours_by_month,
    hours_by_neighbourhood,
    reciprocity,
)
from rules.timebank.rota import (
    Occurrence,
    Reminder,
    ReminderKind,
    RotaAssignment,
    RotaPlan,
    Slot,
    WeeklyCommitment,
    plan_rota,
    reminders,
    reminders_due,
)
from rules.timebank.taxonomy import CategoryMatch, Relation, Taxonomy
from rules.timebank.weights import DEFAULT_WEIGHTS, Weights

__all__ = [
    "DEFAULT_WEIGHTS",
    "AvailabilityMatch",
    "CategoryMatch",
    "Components",
    "CreditRecord",
    "CreditTotals",
    "ExchangeRecord",
    "ExchangeSlot",
    "ExchangeStatus",
    "Exclusion",
    "ExclusionCode",
    "HelpRequest",
    "InvalidRota",
    "InvalidSlot",
    "MatchResult",
    "Member",
    "MemberId",
    "MonthlyHours",
    "Occurrence",
    "Point",
    "Reciprocity",
    "Relation",
    "Reminder",
    "ReminderKind",
    "RotaAssignment",
    "RotaPlan",
    "Slot",
    "SlotOverlap",
    "Suggestion",
    "Taxonomy",
    "TaxonomyError",
    "TimebankError",
    "Track",
    "WeeklyCommitment",
    "WeeklySlot",
    "Weights",
    "active_members",
    "check_no_overlap",
    "credit_totals",
    "find_overlaps",
    "haversine_km",
    "hours_by_category",
    "hours_by_month",
    "hours_by_neighbourhood",
    "match_availability",
    "plan_rota",
    "reciprocity",
    "reminders",
    "reminders_due",
    "suggest_members",
    "track_record",
]
