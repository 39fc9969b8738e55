"""Search parameters for the directory, parsed from a query string so a search is shareable by URL.

Pure Python (no Django imports): the web page, the ORUK API and the benchmark all parse through here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from directory.text import has_control_characters, one_line

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
MAX_PAGE = 10_000
# The accessibility features a search can ask for (``directory.models.Accessibility.Feature``).
ACCESSIBILITY = (
    "step-free",
    "accessible-toilet",
    "hearing-loop",
    "bsl",
    "large-print",
    "quiet-space",
    "parking",
)
# Longest value read for each text parameter: ids are at most 250 characters (``HsdsModel``),
# neighbourhood slugs 50, a language's name 100.
MAX_LENGTHS = {"category": 250, "neighbourhood": 50, "language": 100}
# A number as people and programs write one, in ASCII digits only (Python's own parsers also take
# "²", "١٢" and "1_0"), with a length limit so nothing huge is ever converted.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_MAX_NUMBER_CHARS = 40
# A UK postcode without its space: outward code (area, district) and inward code (sector, unit).
POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")


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
    postcode: str = ""
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


def is_whole_number(raw: str) -> bool:
    """ASCII digits only: ``str.isdigit`` and ``int`` also take superscripts and other scripts'
    digits ("²" is a digit to ``isdigit`` but not to ``int``)."""
    return raw.isascii() and raw.isdigit()


def decimal_or_none(raw: str) -> Decimal | None:
    """A number written in ASCII digits (with a sign, a point and an exponent of up to three
    digits), at most 40 characters; None for anything else."""
    raw = raw.strip()
    if len(raw) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(raw):
        return None
    return Decimal(raw)


def _number(name: str, raw: str, low: float, high: float, what: str) -> float:
    number = decimal_or_none(raw)
    if number is None:
        raise SearchError(name, f"{what} must be a number, like {low + (high - low) / 4:g}")
    value = float(number)  # inf when too big for a float, 0.0 when too small
    if not low <= value <= high:
        raise SearchError(name, f"{what} must be between {low:g} and {high:g}")
    return value


def _text(params: dict[str, list[str]], name: str, what: str) -> str:
    """A parameter that names something (a category id, a neighbourhood, a language): refused,
    naming it, when it is too long or holds characters no name has."""
    value = (params.get(name) or [""])[-1].strip()
    if len(value) > MAX_LENGTHS[name]:
        raise SearchError(name, f"{what} must be {MAX_LENGTHS[name]} characters or fewer")
    if has_control_characters(value):
        raise SearchError(name, f"{what} must not contain control characters or line breaks")
    return value


def _page(raw: str) -> int:
    digits = raw.lstrip("0")
    if not is_whole_number(raw) or not digits:
        raise SearchError("page", "Page must be a whole number, 1 or more")
    # A page past the last shows the last; a number too long to be a page is not converted.
    return MAX_PAGE if len(digits) > len(str(MAX_PAGE)) else min(int(digits), MAX_PAGE)


def parse_search(params: dict[str, list[str]]) -> ServiceSearch:
    """Parse query parameters (name -> list of values). Raises SearchError for a bad value."""

    def one(name: str) -> str:
        values = params.get(name) or [""]
        return values[-1].strip()

    q = one("q")
    q = one_line(q) if len(q) <= 5 * MAX_QUERY_LENGTH else q
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
    postcode = ""
    if one("postcode"):
        compact = "".join(one("postcode").upper().split())[:10]
        if not POSTCODE.fullmatch(compact):
            raise SearchError("postcode", "Enter a full postcode, like DN15 6NL, or leave it empty")
        postcode = f"{compact[:-3]} {compact[-3:]}"
    # Near a postcode, the nearest come first unless the person chose another order.
    sort = one("sort") or ("distance" if postcode else "relevance")
    if sort not in SORTS:
        raise SearchError("sort", "Sort by relevance, distance or name")
    page = _page(one("page") or "1")
    accessibility = {v.strip() for v in params.get("accessibility", []) if v.strip()}
    if not accessibility <= set(ACCESSIBILITY):
        raise SearchError(
            "accessibility", f"Choose accessibility from the list: {', '.join(ACCESSIBILITY)}"
        )
    return ServiceSearch(
        q=q,
        category=_text(params, "category", "Type of support"),
        neighbourhood=_text(params, "neighbourhood", "Neighbourhood"),
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        within_km=within,
        day=day,
        price=price,
        personal_budgets=_flag(one("personal_budgets")),
        time_credits=_flag(one("time_credits")),
        micro_only=_flag(one("micro")),
        language=_text(params, "language", "Language").lower(),
        accessibility=tuple(sorted(accessibility)),
        sort=sort,
        page=page,
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
