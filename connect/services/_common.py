"""What every social prescribing service shares: the refusal people read (naming its field),
today's date and the ONS4 measure's id."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

ONS4 = "ons4"


class ConnectError(ValueError):
    """A change the rules do not allow; the message names the field and says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def local_today() -> dt.date:
    """Today in the UK (the dates social prescribing records are local dates)."""
    return timezone.localdate()
