"""People's voice rules (issue 15): working-day clocks for feedback. Pure Python, no Django."""

from rules.voice.clock import (
    Clock,
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
)
from rules.voice.parameters import DEFAULT_CLOCKS, PARAMETERS_DATED

__all__ = [
    "DEFAULT_CLOCKS",
    "PARAMETERS_DATED",
    "Clock",
    "add_working_days",
    "bank_holidays",
    "is_working_day",
    "working_days_between",
]
