"""Errors as RFC 9457 problem details (``application/problem+json``), and query-parameter parsing
that raises them: every bad request gets a 4xx naming what to fix, never a 500."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import get_default_timezone, is_naive, make_aware

from directory.search import decimal_or_none, is_whole_number
from directory.text import has_control_characters

PROBLEM_TYPES = {
    "invalid-parameter": ("Invalid query parameter", 400),
    "unknown-parameter": ("Unknown query parameter", 400),
    "unsupported-parameter": ("Query parameter not supported", 400),
    "not-found": ("Not found", 404),
    "method-not-allowed": ("Method not allowed", 405),
}


@dataclass
class ApiProblem(Exception):
    kind: str
    detail: str
    parameter: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return PROBLEM_TYPES[self.kind][1]

    def body(self, request: HttpRequest) -> dict[str, Any]:
        title, status = PROBLEM_TYPES[self.kind]
        body: dict[str, Any] = {
            "type": request.build_absolute_uri(reverse("oruk-api:problem-type", args=[self.kind])),
            "title": title,
            "status": status,
            "detail": self.detail,
            "instance": request.get_full_path(),
        }
        if self.parameter:
            body["parameter"] = self.parameter
        body.update(self.extra)
        return body


def problem_response(request: HttpRequest, problem: ApiProblem) -> JsonResponse:
    return JsonResponse(
        problem.body(request), status=problem.status, content_type="application/problem+json"
    )


class Params:
    """Query parameters of one request, checked against the names the endpoint accepts."""

    def __init__(
        self,
        request: HttpRequest,
        allowed: frozenset[str],
        *,
        refused: frozenset[str] = frozenset(),
    ) -> None:
        self.query = request.GET
        unknown = sorted(set(self.query) - allowed - refused)
        if unknown:
            names = ", ".join(unknown)
            raise ApiProblem(
                "unknown-parameter",
                f"This endpoint does not accept: {names}. "
                f"It accepts: {', '.join(sorted(allowed)) or 'no parameters'}.",
                parameter=unknown[0],
                extra={
                    "invalid_params": [
                        {"name": n, "reason": "not a parameter of this endpoint"} for n in unknown
                    ]
                },
            )
        for name in self.query:
            if len(self.query.getlist(name)) > 1 and name != "accessibility":
                raise ApiProblem("invalid-parameter", f"Give {name} once only.", parameter=name)

    def text(self, name: str, *, max_length: int = 200) -> str:
        """The parameter's value, stripped; refused when longer than ``max_length`` or holding
        control characters (NUL, line breaks, escape) that no value of any parameter has."""
        value = self.query.get(name, "").strip()
        if len(value) > max_length:
            raise ApiProblem(
                "invalid-parameter",
                f"{name} must be {max_length} characters or fewer.",
                parameter=name,
            )
        if has_control_characters(value):
            raise ApiProblem(
                "invalid-parameter",
                f"{name} must not contain control characters (such as NUL or a line break).",
                parameter=name,
            )
        return value

    def has(self, name: str) -> bool:
        return name in self.query

    # Numbers, flags, times and dates are read as they come: each is checked against what it may
    # be (ASCII digits and the like), so control characters and length are refused with the
    # parameter's own message.

    def integer(self, name: str, *, default: int, low: int, high: int) -> int:
        raw = self.query.get(name, "").strip()
        if not raw:
            return default
        # ASCII digits only ("²".isdigit() is true and int("²") fails), converted only when short
        # enough to be in range: int() of thousands of digits is slow, then refused.
        digits = raw.lstrip("0") or "0"
        if (
            not is_whole_number(raw)
            or len(digits) > len(str(high))
            or not low <= int(digits) <= high
        ):
            raise ApiProblem(
                "invalid-parameter",
                f"{name} must be a whole number from {low} to {high}.",
                parameter=name,
            )
        return int(digits)

    def number(self, name: str, *, low: float, high: float) -> Decimal | None:
        raw = self.query.get(name, "").strip()
        if not raw:
            return None
        value = decimal_or_none(raw)
        if value is None or not low <= value <= high:
            raise ApiProblem(
                "invalid-parameter",
                f"{name} must be a number from {low:g} to {high:g}.",
                parameter=name,
            )
        return value

    def flag(self, name: str) -> bool:
        raw = self.query.get(name, "").strip().lower()
        if raw in ("", "false", "0", "no", "off"):
            return False
        if raw in ("true", "1", "yes", "on"):
            return True
        raise ApiProblem("invalid-parameter", f"{name} must be true or false.", parameter=name)

    def time(self, name: str) -> time | None:
        raw = self.query.get(name, "").strip()
        if not raw:
            return None
        try:
            if len(raw) > 20 or not raw.isascii():
                raise ValueError(raw)
            value = time.fromisoformat(raw)
        except ValueError:
            raise ApiProblem(
                "invalid-parameter",
                f"{name} must be a time of day like 09:30 or 17:00:00.",
                parameter=name,
            ) from None
        if value.tzinfo is not None:
            # Opening times are local times where the service is; a zone would need a date.
            raise ApiProblem(
                "invalid-parameter",
                f"{name} is a local time of day at the service: give it without a time zone, "
                "like 09:30 or 17:00:00.",
                parameter=name,
            )
        return value

    def datetime(self, name: str) -> datetime | None:
        raw = self.query.get(name, "").strip()
        if not raw:
            return None
        value: datetime | None = None
        if len(raw) <= 40 and raw.isascii() and not has_control_characters(raw):
            try:
                value = parse_datetime(raw.replace(" ", "+"))  # a bare "+" arrives as a space
                if value is None:
                    day = parse_date(raw)
                    value = datetime(day.year, day.month, day.day) if day else None
            except ValueError:
                value = None
        if value is None:
            raise ApiProblem(
                "invalid-parameter",
                f"{name} must be a date or date-time like 2026-01-31 or 2026-01-31T09:00:00Z.",
                parameter=name,
            )
        if is_naive(value):
            value = make_aware(value, get_default_timezone())
        try:
            value.astimezone(UTC)  # as the database compares it; year 1 or 9999 may not fit
        except (OverflowError, ValueError):
            raise ApiProblem(
                "invalid-parameter",
                f"{name} is out of range: give a date between 0001-01-02 and 9999-12-30.",
                parameter=name,
            ) from None
        return value
