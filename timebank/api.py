"""A small JSON endpoint for exchanges, for partner systems and the load benchmark.

Authentication is by token only (``Authorization: Bearer <token>``, see
:func:`timebank.services.issue_api_token`); session cookies are ignored here. A browser never adds
that header to a cross-site request by itself, so the endpoint is safe from CSRF without a CSRF
token, and it is exempt from Django's CSRF check for that reason.

``POST /time-bank/api/exchanges/`` with JSON
``{"idempotency_key", "giver", "receiver", "minutes", "start", "description"?, "request"?,
"confirm"?}`` (member ids; ``start`` in ISO 8601 with an offset; ``confirm`` only for
coordinators) answers ``201`` with the exchange, ``200`` when the key was already recorded with the
same content, ``422`` with ``{"error": "..."}`` when refused, ``401`` without a valid token.
``POST /time-bank/api/exchanges/<id>/confirm/`` confirms one (the other member or a coordinator).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from timebank import services
from timebank.models import Exchange, Request
from timebank.services import TimebankRefused


def _user(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return services.user_for_token(token.strip())


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
    response = JsonResponse(
        {"error": "Send a valid token: Authorization: Bearer <token>."}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@csrf_exempt
@require_POST
def exchanges(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user is None:
        return _unauthorised()
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"error": "The body must be a JSON object."}, status=400)
    try:
        giver_id, receiver_id = int(body.get("giver", 0)), int(body.get("receiver", 0))
        start = datetime.fromisoformat(str(body.get("start", "")))
        minutes = body.get("minutes")
        req_id = body.get("request")
        req = Request.objects.filter(pk=int(req_id)).first() if req_id else None
    except (TypeError, ValueError):
        return JsonResponse(
            {"error": "giver and receiver are member ids; start is an ISO 8601 date and time."},
            status=400,
        )
    key = str(body.get("idempotency_key", ""))
    try:
        exchange, created = services.submit_exchange(
            by=user,
            giver=giver_id,  # ids: the members are read with their accounts' locks
            receiver=receiver_id,
            minutes=minutes,  # type: ignore[arg-type]
            start=start,
            idempotency_key=f"api:{key}" if key else "",
            description=str(body.get("description", "")),
            req=req,
            confirm=bool(body.get("confirm", False)),
            request=request,
        )
    except TimebankRefused as error:
        return JsonResponse({"error": error.message}, status=422)
    return JsonResponse(_json(exchange), status=201 if created else 200)


@csrf_exempt
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    if user is None:
        return _unauthorised()
    exchange = Exchange.objects.filter(pk=pk).first()
    if exchange is None:
        return JsonResponse({"error": "There is no such exchange."}, status=404)
    try:
        exchange = services.confirm_exchange(by=user, exchange=exchange, request=request)
    except TimebankRefused as error:
        return JsonResponse({"error": error.message}, status=422)
    return JsonResponse(_json(exchange))
