"""A small JSON endpoint for exchanges, for partner systems and the load benchmark.

Authentication is by token only (``Authorization: Bearer <token>``, see
:func:`timebank.services.issue_api_token`); session cookies are ignored here. A browser never adds
that header to a cross-site request by itself, so the endpoint is safe from CSRF without a CSRF
token, and it is exempt from Django's CSRF check for that reason. Tokens expire (90 days by
default) and can be revoked on the tokens page; an unknown, expired or revoked token gets 401.

``POST /time-bank/api/exchanges/`` with a JSON object
``{"idempotency_key", "giver", "receiver", "minutes", "start", "description"?, "request"?,
"confirm"?}`` (member ids; ``start`` in ISO 8601 with an offset; ``confirm`` only for
coordinators) answers ``201`` with the exchange, ``200`` when the key was already recorded with the
same content.

Every error is an RFC 9457 problem (``application/problem+json``) with ``detail``, the ``field``
it is about where there is one (also as ``invalid_params``) and, for older clients, ``error``
(the same sentence as ``detail``):

- ``400``: the body is not what the endpoint takes: not a JSON object, an unknown field, a field
  missing or of the wrong JSON type (a float, a boolean or a string where an integer id is
  expected), an id or a number outside 64-bit integers, text with NUL bytes or lone surrogates or
  longer than its limit, a ``start`` without an offset or outside 1900 to 2099;
- ``401``: no valid token;
- ``404``: no such exchange (confirm);
- ``422``: a well-formed request the time bank refuses (zero or more than 24 hours, no such
  member or request, a member not approved, an overlap, a debit limit, a request that is not the
  receiver's open request).

``POST /time-bank/api/exchanges/<id>/confirm/`` confirms one (the other member or a coordinator).
"""

from __future__ import annotations

import json
from datetime import datetime
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from timebank.models import Exchange, Request
from timebank.services._common import (
    DATE_RANGE_TEXT,
    TimebankRefused,
    date_in_range,
    has_forbidden_characters,
)
from timebank.services.exchanges import confirm_exchange, submit_exchange
from timebank.services.tokens import user_for_token

MAX_ID = 2**63 - 1
"""Ids are 64-bit integers in the database."""
KEY_LENGTH = 96
"""The caller's idempotency key is stored as ``api:<key>`` in 100 characters."""
DESCRIPTION_LENGTH = 300
FIELDS = (
    "idempotency_key",
    "giver",
    "receiver",
    "minutes",
    "start",
    "description",
    "request",
    "confirm",
)


class BadField(Exception):
    """A field of the body is not what the endpoint takes (answered with 400)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field
        self.detail = detail


def problem(status: int, detail: str, *, field: str = "") -> JsonResponse:
    """An RFC 9457 problem response; ``error`` repeats ``detail`` for clients written before."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "error": detail,
    }
    if field:
        body["field"] = field
        body["invalid_params"] = [{"name": field, "reason": detail}]
    return JsonResponse(body, status=status, content_type="application/problem+json")


def _user(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_token(token.strip())


def _json(exchange: Exchange) -> dict[str, Any]:
    return {
        "id": exchange.pk,
        "idempotency_key": exchange.idempotency_key,
        "giver": exchange.giver_id,
        "receiver": exchange.receiver_id,
        "minutes": exchange.minutes,
        "start": exchange.start.isoformat(),
        "status": exchange.status,
    }


def _unauthorised() -> JsonResponse:
    response = problem(
        401,
        "Send a valid token: Authorization: Bearer <token>. Tokens expire, and can be revoked; "
        "a member makes a new one on the time bank's API tokens page.",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def _refused(error: TimebankRefused) -> JsonResponse:
    return problem(422, error.message, field=error.field)


# --- reading the body, one field at a time --------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}", parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply
        raise BadField("", "The body must be a JSON object (UTF-8, no NaN or Infinity).") from None
    if not isinstance(body, dict):
        raise BadField("", "The body must be a JSON object.")
    unknown = sorted(str(name) for name in body if name not in FIELDS)
    if unknown:
        raise BadField(
            unknown[0][:100],
            f"This endpoint does not take the field '{unknown[0][:100]}'. "
            f"It takes: {', '.join(FIELDS)}.",
        )
    return body


def _text(body: dict[str, Any], name: str, *, limit: int, required: bool = False) -> str:
    value = body.get(name)
    if value is None:
        if required:
            raise BadField(name, f"{name} is required: a string.")
        return ""
    if not isinstance(value, str):
        raise BadField(name, f"{name} must be a string.")
    if has_forbidden_characters(value):
        raise BadField(name, f"{name} must not contain NUL characters or lone surrogates.")
    if len(value) > limit:
        raise BadField(name, f"{name} must be at most {limit} characters.")
    if required and not value.strip():
        raise BadField(name, f"{name} must not be empty.")
    return value


def _integer(body: dict[str, Any], name: str, *, what: str) -> int:
    value = body.get(name)
    if value is None:
        raise BadField(name, f"{name} is required: {what}.")
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadField(name, f"{name} must be a whole number without quotes: {what}.")
    if not -MAX_ID <= value <= MAX_ID:
        raise BadField(name, f"{name} is too large: {what}.")
    return value


def _id(body: dict[str, Any], name: str, *, what: str) -> int:
    value = _integer(body, name, what=what)
    if value < 1:
        raise BadField(name, f"{name} must be a positive whole number: {what}.")
    return value


def _start(body: dict[str, Any]) -> datetime:
    text = _text(body, "start", limit=64, required=True)
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise BadField(
            "start", "start must be a date and time in ISO 8601, e.g. 2026-03-04T10:00:00+00:00."
        ) from None
    if timezone.is_naive(start):
        raise BadField("start", "start needs a UTC offset, e.g. 2026-03-04T10:00:00+00:00.")
    if not date_in_range(start.date()):
        raise BadField("start", f"start must be {DATE_RANGE_TEXT}.")
    try:
        start.astimezone(timezone.get_default_timezone())
    except OverflowError:  # pragma: no cover - the range above keeps it representable
        raise BadField("start", f"start must be {DATE_RANGE_TEXT}.") from None
    return start


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise BadField(name, f"{name} must be true or false.")
    return value


# --- endpoints ------------------------------------------------------------------------------------


def _method_not_allowed() -> JsonResponse:
    response = problem(405, "Use POST.")
    response["Allow"] = "POST"
    return response


@csrf_exempt
def exchanges(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _method_not_allowed()
    user = _user(request)
    if user is None:
        return _unauthorised()
    try:
        body = _body(request)
        key = _text(body, "idempotency_key", limit=KEY_LENGTH, required=True)
        giver_id = _id(body, "giver", what="the giver's member id")
        receiver_id = _id(body, "receiver", what="the receiver's member id")
        minutes = _integer(body, "minutes", what="the time given in minutes, 1 to 1440")
        start = _start(body)
        description = _text(body, "description", limit=DESCRIPTION_LENGTH)
        req_id = (
            _id(body, "request", what="a request id") if body.get("request") is not None else None
        )
        confirm = _flag(body, "confirm")
    except BadField as error:
        return problem(400, error.detail, field=error.field)
    req = None
    if req_id is not None:
        req = Request.objects.filter(pk=req_id).first()
        if req is None:
            return problem(422, "There is no such request.", field="request")
    try:
        exchange, created = submit_exchange(
            by=user,
            giver=giver_id,  # ids: the members are read with their accounts' locks
            receiver=receiver_id,
            minutes=minutes,
            start=start,
            idempotency_key=f"api:{key}",
            description=description,
            req=req,
            confirm=confirm,
            request=request,
        )
    except TimebankRefused as error:
        return _refused(error)
    return JsonResponse(_json(exchange), status=201 if created else 200)


@csrf_exempt
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _method_not_allowed()
    user = _user(request)
    if user is None:
        return _unauthorised()
    exchange = Exchange.objects.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if exchange is None:
        return problem(404, "There is no such exchange.")
    try:
        exchange = confirm_exchange(by=user, exchange=exchange, request=request)
    except TimebankRefused as error:
        return _refused(error)
    return JsonResponse(_json(exchange))
