"""Open Referral UK 3.0 API (read-only JSON), as the standard defines it."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse

ORUK_VERSION = "HSDS-UK-3.0"
ORUK_PROFILE = "https://openreferraluk.org/specifications/3.0"


def with_cors(response: JsonResponse) -> JsonResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


def root(request: HttpRequest) -> JsonResponse:
    """The discovery document: which version and profile this API serves, and its OpenAPI URL."""
    return with_cors(JsonResponse({
        "version": ORUK_VERSION,
        "profile": ORUK_PROFILE,
        "openapi_url": request.build_absolute_uri(reverse("oruk-api:root") + "openapi.json"),
    }))
