"""What every social prescribing service shares: the refusal people read (naming its field),
today's date and the ONS4 measure's id."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from wellbeing_hub.form_attempts import Refused

ONS4 = "ons4"


class ConnectError(Refused, ValueError):
    """A change the rules do not allow; the message names the field and says what to do (views
    show it there with ``wellbeing_hub.form_attempts.attempt``). Still a ValueError, as before;
    the field comes first, as every caller writes it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field)


def local_today() -> dt.date:
    """Today in the UK (the dates social prescribing records are local dates)."""
    return timezone.localdate()
