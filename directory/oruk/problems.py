"""Errors as RFC 9457 problem details (``application/problem+json``), and query-parameter parsing
that raises them: every bad request gets a 4xx naming what to fix, never a 500."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import get_default_timezone, is_naive, make_aware

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
        value = self.query.get(name, "").strip()
        if len(value) > max_length:
            raise ApiProblem(
                "invalid-parameter",
                f"{name} must be {max_length} characters or fewer.",
                parameter=name,
            )
        return value

    def has(self, name: str) -> bool:
        return name in self.query

    def integer(self, name: str, *, default: int, low: int, high: int) -> int:
        raw = self.query.get(name, "").strip()
        if not raw:
            return default
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise ApiProblem(
                "invalid-parameter",
                f"{name} must be a whole number from {low} to {high}.",
                parameter=name,
            )
        return int(raw)

    def number(self, name: str, *, low: float, high: float) -> Decimal | None:
        raw = self.query.get(name, "").strip()
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or not low <= value <= high:
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
            return time.fromisoformat(raw)
        except ValueError:
            raise ApiProblem(
                "invalid-parameter",
                f"{name} must be a time of day like 09:30 or 17:00:00.",
                parameter=name,
            ) from None

    def datetime(self, name: str) -> datetime | None:
        raw = self.query.get(name, "").strip()
        if not raw:
            return None
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
        return make_aware(value, get_default_timezone()) if is_naive(value) else value
