"""Refuse malformed input before any view sees it.

NUL characters cannot be stored in a PostgreSQL text column (psycopg raises ``ValueError``), lone
UTF-16 surrogates cannot be encoded at all, and JSON nested thousands deep makes Python's parser
raise ``RecursionError``: each used to reach a view and end in a 500. No honest form or API client
sends them, so every request is checked once here - path, query string, form fields and JSON body -
and refused with a 400 that names the field: a JSON problem (RFC 9457) for the APIs and JSON
requests, the service's own error page otherwise. Views still validate their own fields; this is
the floor under them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

MAX_JSON_DEPTH = 32
# No search box or filter needs more; a 100,000-character admin search made SQLite refuse the LIKE
# pattern ("pattern too complex") with a 500, and long values only cost every search they reach.
MAX_QUERY_VALUE_CHARS = 2000
_BAD_CHARACTERS = {"\x00": "a NUL character"}


def bad_text_reason(text: str) -> str | None:
    """Why this text cannot be accepted, or None."""
    for char, name in _BAD_CHARACTERS.items():
        if char in text:
            return f"contains {name}"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a character that is not valid Unicode (a lone surrogate)"
    return None


def _json_problems(value: Any, where: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    if depth >= MAX_JSON_DEPTH:
        yield where or "body", f"is nested more than {MAX_JSON_DEPTH} levels deep"
        return
    if isinstance(value, str):
        if reason := bad_text_reason(value):
            yield where or "body", reason
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if reason := bad_text_reason(str(key)):
                yield path, f"has a name that {reason}"
            yield from _json_problems(item, path, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_problems(item, f"{where}[{index}]", depth + 1)


def _wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or "/api/" in request.path
        or request.content_type == "application/json"
        or "json" in request.headers.get("Accept", "")
    )


def bad_request(request: HttpRequest, field: str, reason: str) -> HttpResponse:
    detail = f"{field} {reason}. Change it and try again."
    if _wants_json(request):
        return JsonResponse(
            {
                "type": "about:blank",
                "title": "Bad request",
                "status": 400,
                "detail": detail,
                "parameter": field,
            },
            status=400,
            content_type="application/problem+json",
        )
    return render(request, "400.html", {"detail": detail}, status=400)


class RejectMalformedInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if reason := bad_text_reason(request.path):
            return bad_request(request, "The address", reason)
        for name, values in request.GET.lists():
            for text in (name, *values):
                if reason := bad_text_reason(text):
                    return bad_request(request, f"The query parameter {name!r}", reason)
                if len(text) > MAX_QUERY_VALUE_CHARS:
                    return bad_request(
                        request,
                        f"The query parameter {name[:100]!r}",
                        f"is longer than {MAX_QUERY_VALUE_CHARS:,} characters",
                    )
        if request.method in {"POST", "PUT", "PATCH"}:
            if request.content_type == "application/json":
                problem = self._json_body_problem(request)
                if problem:
                    return bad_request(request, *problem)
            elif request.content_type in {
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            }:
                for name, values in request.POST.lists():
                    for text in (name, *values):
                        if reason := bad_text_reason(text):
                            return bad_request(request, f"The field {name!r}", reason)
        return self.get_response(request)

    @staticmethod
    def _json_body_problem(request: HttpRequest) -> tuple[str, str] | None:
        try:
            data = json.loads(request.body)
        except RecursionError:
            return "The JSON body", f"is nested more than {MAX_JSON_DEPTH} levels deep"
        except ValueError:
            return None  # not JSON at all: the view says what it expected
        for field, reason in _json_problems(data, ""):
            return f"The JSON field {field!r}", reason
        return None
