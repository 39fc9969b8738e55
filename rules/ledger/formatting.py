"""Formatting amounts for people: minutes as hours and minutes, pence as pounds sterling."""

from __future__ import annotations

from datetime import date

from rules import money


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def format_minutes(minutes: int) -> str:
    """``150`` -> ``"2 hours 30 minutes"``; ``60`` -> ``"1 hour"``.

    ``-690`` -> ``"-11 hours 30 minutes"`` (one leading minus sign); zero is ``"0 minutes"``.
    """
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    parts = []
    if hours:
        parts.append(_plural(hours, "hour"))
    if rest or not hours:
        parts.append(_plural(rest, "minute"))
    return sign + " ".join(parts)


def format_minutes_short(minutes: int) -> str:
    """``150`` -> ``"2h 30m"``; ``60`` -> ``"1h"``; ``45`` -> ``"45m"``; ``0`` -> ``"0m"``."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours}h")
    if rest or not hours:
        parts.append(f"{rest}m")
    return sign + " ".join(parts)


def format_pence(pence: int) -> str:
    """``123450`` -> ``"£1,234.50"``; ``-5`` -> ``"-£0.05"`` (:func:`rules.money.format_pence`)."""
    return money.format_pence(pence)


def format_date(day: date) -> str:
    """``date(2025, 3, 4)`` -> ``"4 March 2025"`` (UK style, no leading zero)."""
    return f"{day.day} {day:%B %Y}"
