"""Outcomes people score: measures registry, exact scoring, reliable change, goals and protected
aggregates. Pure Python (no Django); the ``outcomes`` app builds on this API. See docs/outcomes.md.

Public API:
    default_registry() -> Registry; Registry.load(dir); registry.get(id, version=None);
        registry.in_force(id, date); registry.with_wording(id, {item_id: text}, licence_note=...)
    score(measure, answers) -> Score          (MissingAnswerError / InvalidAnswerError / NotScorableError)
    change(before, after) -> Change           (.direction: improvement / no_reliable_change / deterioration)
    classify(difference, rule) -> Direction
    goal_progress(ratings, rule) -> GoalProgress
    aggregate(records, rule, rows, columns=None) -> AggregateTable (suppressed below 5 + secondary)
    determined_entries(...) -> the audit used by aggregate (which hidden entries a reader could solve)
    t_critical_975(df) -> Decimal
"""

from rules.outcomes.aggregates import (
    MINIMUM_CELL,
    AggregateTable,
    Cell,
    CellStats,
    OutcomeRecord,
    aggregate,
    determined_entries,
    mean_confidence_interval,
    protect,
    table_lines,
)
from rules.outcomes.errors import (
    AggregateInputError,
    AnswerError,
    AnswerProblem,
    ChangeError,
    GoalError,
    InvalidAnswerError,
    MeasureFileError,
    MissingAnswerError,
    NotScorableError,
    OutcomesError,
    UnknownMeasureError,
    WordingOverlayError,
)
from rules.outcomes.goals import GoalPoint, GoalProgress, GoalRating, goal_progress
from rules.outcomes.measures import (
    AnswerScale,
    Band,
    Item,
    Licence,
    Measure,
    ReliableChangeRule,
    Scoring,
    ValueSpec,
    load_measure,
    parse_measure,
)
from rules.outcomes.registry import Registry, default_registry
from rules.outcomes.scoring import (
    Change,
    Direction,
    Score,
    ScoreValue,
    ValueChange,
    change,
    check_answers,
    classify,
    score,
    to_decimal,
)
from rules.outcomes.tdist import t_critical_975

__all__ = [
    "MINIMUM_CELL",
    "AggregateInputError",
    "AggregateTable",
    "AnswerError",
    "AnswerProblem",
    "AnswerScale",
    "Band",
    "Cell",
    "CellStats",
    "Change",
    "ChangeError",
    "Direction",
    "GoalError",
    "GoalPoint",
    "GoalProgress",
    "GoalRating",
    "InvalidAnswerError",
    "Item",
    "Licence",
    "Measure",
    "MeasureFileError",
    "MissingAnswerError",
    "NotScorableError",
    "OutcomeRecord",
    "OutcomesError",
    "Registry",
    "ReliableChangeRule",
    "Score",
    "ScoreValue",
    "Scoring",
    "UnknownMeasureError",
    "ValueChange",
    "ValueSpec",
    "WordingOverlayError",
    "aggregate",
    "change",
    "check_answers",
    "classify",
    "default_registry",
    "determined_entries",
    "goal_progress",
    "load_measure",
    "mean_confidence_interval",
    "parse_measure",
    "protect",
    "score",
    "t_critical_975",
    "table_lines",
    "to_decimal",
]
