"""Resource Allocation System: versioned self-assessment questionnaire and indicative budgets.

Public API:
    load_version(version_id) -> RasConfig; version_in_force(date); available_versions()
    Answers.from_dict(data, config) -> Answers
    indicative_budget(config, answers) -> BudgetResult
    indicative_budget_for_version(version_id, answers) -> BudgetResult
    compare_answers(config, person, practitioner) -> list[AnswerDifference]
    parse_config(document) / load_config(path) -> RasConfig (validated)
"""

from rules.ras.answers import Answers
from rules.ras.budget import (
    BudgetResult,
    DomainPoints,
    ExplanationLine,
    indicative_budget,
    indicative_budget_for_version,
)
from rules.ras.compare import AnswerDifference, compare_answers
from rules.ras.config import RasConfig, load_config, parse_config
from rules.ras.errors import AnswerError, ConfigError, RasError, UnknownVersionError
from rules.ras.registry import available_versions, load_version, version_in_force

__all__ = [
    "AnswerDifference",
    "AnswerError",
    "Answers",
    "BudgetResult",
    "ConfigError",
    "DomainPoints",
    "ExplanationLine",
    "RasConfig",
    "RasError",
    "UnknownVersionError",
    "available_versions",
    "compare_answers",
    "indicative_budget",
    "indicative_budget_for_version",
    "load_config",
    "load_version",
    "parse_config",
    "version_in_force",
]
