"""How the time bank's pages show time: hours and minutes, by one formatter.

Every page shows a time in minutes through :func:`rules.ledger.format_minutes` (``150`` is
"2 hours 30 minutes"), in templates as ``{{ value|duration }}``.
``timebank/tests/test_time_shown.py`` checks no template prints a minute count any other way.
"""

from __future__ import annotations

from django import template

from rules.ledger import format_minutes

register = template.Library()


@register.filter
def duration(minutes: int | str | None) -> str:
    """``150`` -> "2 hours 30 minutes"; empty for no value."""
    if minutes is None or minutes == "":
        return ""
    return format_minutes(int(minutes))
