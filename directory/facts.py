"""What the directory knows about a service, as known-yes, known-no or not known.

A fact the provider (or the publisher of a feed) did not give is *not known*: pages say "Not
known — ask the provider", filters never count it as a match, and the API leaves it out. Nothing
here guesses from free text; :func:`suggestions` only lists what a coordinator might confirm with
the provider (a price or phone number written in the description while the structured field is
empty), never publishing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FREE = "free"
PAID = "paid"

# How people attend, when it says the service has no fixed place (ORUK 1.0 attending_type).
NO_FIXED_PLACE = {"online", "phone", "telephone", "home visit", "home", "virtual", "remote"}

# A price written in text: "£5", "£ 12.50", "5 pounds", "50p a session".
PRICE_IN_TEXT = re.compile(r"£\s?\d|\b\d+(?:\.\d\d)?\s?(?:pounds?|p\b)", re.IGNORECASE)
# A UK phone number written in text: 01724 123456, 0800 123 4567, 07700 900123, +44 1724 123456.
PHONE_IN_TEXT = re.compile(
    r"(?<![\d])(?:\+44\s?\(?0?\)?\s?|0)\d{2,4}[\s-]?\d{3}[\s-]?\d{3,4}(?![\d])"
)


def cost_status(amounts: Iterable[Any]) -> str | None:
    """ "paid" when a cost option asks for money, "free" when there are cost options and every one
    is an amount of 0, None (not known) when there are none or an amount is not given."""
    values = list(amounts)
    if any(a is not None and Decimal(a) > 0 for a in values):
        return PAID
    if values and all(a is not None and Decimal(a) == 0 for a in values):
        return FREE
    return None


def place_status(has_places: bool, attending_type: str) -> bool | None:
    """Whether the service has a fixed place: True with places, False when the provider said it is
    online, by phone or at home, None when not known."""
    if has_places:
        return True
    kinds = {k.strip().lower() for k in re.split(r"[,;/]", attending_type or "") if k.strip()}
    if kinds and kinds <= NO_FIXED_PLACE:
        return False
    return None


def tri_state(value: bool | None) -> str:
    """Words for a yes/no fact."""
    return "Not known" if value is None else ("Yes" if value else "No")


def suggestions(
    plain_description: str, *, has_costs: bool, has_phone: bool
) -> list[tuple[str, str]]:
    """Data-quality items for a coordinator: (field, what to confirm), from what the description
    says while the structured field is empty. Suggestions only: nothing is published from them."""
    found = []
    if not has_costs:
        match = PRICE_IN_TEXT.search(plain_description)
        if match:
            found.append(
                (
                    "cost",
                    f"The description mentions a price ({_around(plain_description, match)}) but no cost is recorded: confirm the cost with the provider.",
                )
            )
    if not has_phone:
        match = PHONE_IN_TEXT.search(plain_description)
        if match:
            found.append(
                (
                    "phone",
                    f"The description gives a phone number ({match.group().strip()}) but no phone is recorded: confirm it with the provider.",
                )
            )
    return found


def _around(text: str, match: re.Match[str]) -> str:
    start, end = max(0, match.start() - 25), min(len(text), match.end() + 25)
    snippet = " ".join(text[start:end].split())
    return ("…" if start else "") + snippet + ("…" if end < len(text) else "")
