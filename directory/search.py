"""Search parameters for the directory, parsed from a query string so a search is shareable by URL.

Pure Python (no Django imports): the web page, the ORUK API and the benchmark all parse through here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = dict(
    zip(
        DAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
SORTS = ("relevance", "distance", "name")
PRICES = ("", "free", "paid")
MAX_DISTANCE_KM = 50.0
MAX_QUERY_LENGTH = 200


class SearchError(ValueError):
    """A search parameter that cannot be used, with a message that says how to fix it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class ServiceSearch:
    q: str = ""
    category: str = ""
    neighbourhood: str = ""
    latitude: float | None = None
    longitude: float | None = None
    within_km: float | None = None
    day: str = ""
    price: str = ""
    personal_budgets: bool = False
    time_credits: bool = False
    micro_only: bool = False
    language: str = ""
    accessibility: tuple[str, ...] = field(default_factory=tuple)
    sort: str = "relevance"
    page: int = 1

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _number(name: str, raw: str, low: float, high: float, what: str) -> float:
    try:
        value = float(Decimal(raw.strip()))
    except (InvalidOperation, ValueError):
        raise SearchError(
            name, f"{what} must be a number, like {low + (high - low) / 4:g}"
        ) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise SearchError(name, f"{what} must be between {low:g} and {high:g}")
    return value


def parse_search(params: dict[str, list[str]]) -> ServiceSearch:
    """Parse query parameters (name -> list of values). Raises SearchError for a bad value."""

    def one(name: str) -> str:
        values = params.get(name) or [""]
        return values[-1].strip()

    q = one("q")
    if len(q) > MAX_QUERY_LENGTH:
        raise SearchError("q", f"Search words must be {MAX_QUERY_LENGTH} characters or fewer")
    latitude = longitude = within = None
    if one("latitude") or one("longitude"):
        if not (one("latitude") and one("longitude")):
            raise SearchError("latitude", "Give both a latitude and a longitude, or neither")
        latitude = _number("latitude", one("latitude"), -90, 90, "Latitude")
        longitude = _number("longitude", one("longitude"), -180, 180, "Longitude")
    if one("within"):
        within = _number("within", one("within"), 0.1, MAX_DISTANCE_KM, "Distance")
    day = one("day").upper()[:2]
    if day and day not in DAYS:
        raise SearchError("day", "Choose a day of the week")
    price = one("price")
    if price not in PRICES:
        raise SearchError("price", "Choose free, paid or any price")
    sort = one("sort") or "relevance"
    if sort not in SORTS:
        raise SearchError("sort", "Sort by relevance, distance or name")
    page_raw = one("page") or "1"
    if not page_raw.isdigit() or int(page_raw) < 1:
        raise SearchError("page", "Page must be a whole number, 1 or more")
    return ServiceSearch(
        q=q,
        category=one("category"),
        neighbourhood=one("neighbourhood"),
        latitude=latitude,
        longitude=longitude,
        within_km=within,
        day=day,
        price=price,
        personal_budgets=_flag(one("personal_budgets")),
        time_credits=_flag(one("time_credits")),
        micro_only=_flag(one("micro")),
        language=one("language").lower(),
        accessibility=tuple(sorted({v for v in params.get("accessibility", []) if v})),
        sort=sort,
        page=min(int(page_raw), 10_000),
    )


def to_query(search: ServiceSearch, **changes: object) -> list[tuple[str, str]]:
    """The search as query pairs (for sharing, pagination links and 'remove filter' links)."""
    values = {f.name: getattr(search, f.name) for f in fields(search)}
    values.update(changes)
    names = {"micro_only": "micro", "within_km": "within"}
    pairs: list[tuple[str, str]] = []
    for key, value in values.items():
        if key == "page" and value == 1:
            continue
        if key == "sort" and value == "relevance":
            continue
        name = names.get(key, key)
        if isinstance(value, tuple):
            pairs += [(name, v) for v in value]
        elif isinstance(value, bool):
            if value:
                pairs.append((name, "1"))
        elif value not in (None, ""):
            pairs.append((name, f"{value:g}" if isinstance(value, float) else str(value)))
    return pairs


def km_per_degree(latitude: float) -> tuple[float, float]:
    """Kilometres per degree of latitude and of longitude near a latitude (equirectangular).

    Within one borough the error against great-circle distance is far below 1%, and it needs only
    arithmetic, so the same expression runs in SQL on PostgreSQL and SQLite."""
    return 111.32, 111.32 * math.cos(math.radians(latitude))


def today_code(today: date) -> str:
    return DAYS[today.weekday()]
